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
export { postsJobs, publishPostJob, sweepPostsJob } from "./posts.jobs.ts";
export {
  claimLeaseMsOf,
  DEFAULT_PUBLISHER_CONFIG,
  idempotencyKeyOf,
  type PublisherConfig,
  type PublisherDeps,
  type PublishOutcome,
  runPublishJob,
  sweepStranded,
} from "./posts.publisher.ts";
export * from "./posts.schemas.ts";
export * as posts from "./posts.service.ts";
export { DEFAULT_LEAD_MS, type PostsDeps } from "./posts.service.ts";
export { isValidTimeZone, type LocalTimeResult, localTimeOf, resolveLocalTime } from "./posts.time.ts";
