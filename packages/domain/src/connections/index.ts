/** Public API of the connections module: a user's publishing accounts (OAuth, WordPress), their tokens and renewal. */
export { connectionsJobs, refreshConnectionJob, sweepConnectionsJob } from "./connections.jobs.ts";
export * from "./connections.schemas.ts";
export type {
  ConnectionCredentials,
  ConnectionsDeps,
  OAuthCallbackQuery,
  RefreshOutcome,
} from "./connections.service.ts";
export * as connections from "./connections.service.ts";
