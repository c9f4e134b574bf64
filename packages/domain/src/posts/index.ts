/** Public API of the posts module: composing, scheduling and publishing posts to connected accounts. */
export { type Clock, systemClock } from "./posts.clock.ts";
export { postsJobs, publishPostJob, sweepPostsJob } from "./posts.jobs.ts";
export {
  createHostSlots,
  DEFAULT_SLOTS_PER_HOST,
  type HostSlots,
  type HostSlotsOptions,
  localHostSlots,
  shareHostSlots,
} from "./posts.publisher.slots.ts";
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
