/** Public API of the studio module (issue 14). So far: saved viral reels with their view counts. */

export {
  createReelStatsClient,
  DEFAULT_REEL_STATS_URL,
  type ReelStats,
  type ReelStatsClient,
  type ReelStatsEnv,
  ReelStatsError,
  type ReelStatsOptions,
  reelStatsClientFromEnv,
  reelStatsEnvSchema,
} from "./reel-stats.client.ts";
export type { FetchDeps, FetchOutcome, StudioDeps } from "./reels.service.ts";
export * as reels from "./reels.service.ts";
export { fetchReelStatsJob, studioJobs } from "./studio.jobs.ts";
export * from "./studio.schemas.ts";
export type { AssetsDeps } from "./assets.service.ts";
export * as assets from "./assets.service.ts";
export * from "./assets.schemas.ts";
