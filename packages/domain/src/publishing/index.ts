/** Public API of the publishing module: connections (accounts, OAuth, token lifecycle) and the posts queue. */
export {
  type PublishingEnv,
  type PublishingRuntime,
  publishingEnvSchema,
  publishingRuntime,
  publishingRuntimeFromEnv,
  sandboxPublishingRuntime,
} from "./connections.config.ts";
export { connectionsDepsOf, connectionsJobs, refreshConnectionJob, sweepConnectionsJob } from "./connections.jobs.ts";
export * from "./connections.schemas.ts";
export type {
  ConnectionCredentials,
  ConnectionsDeps,
  OAuthCallbackQuery,
  RefreshOutcome,
} from "./connections.service.ts";
export * as connections from "./connections.service.ts";
