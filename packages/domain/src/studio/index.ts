/** Public API of the studio module (issue 14). So far: saved viral reels with their view counts. */

export { IMAGE_WEBHOOK_HEADER, signImageWebhook, verifyImageWebhook } from "../ai/index.ts";
export * from "./assets.schemas.ts";
export type { AssetsDeps } from "./assets.service.ts";
export * as assets from "./assets.service.ts";
export { generationsJobs, pollGenerationJob, submitGenerationJob, sweepGenerationsJob } from "./generations.jobs.ts";
export * from "./generations.schemas.ts";
export * as generations from "./generations.service.ts";
export * from "./personas.schemas.ts";
export type { PersonaDeps } from "./personas.service.ts";
export * as personas from "./personas.service.ts";
export * from "./prompts.schemas.ts";
export type { PromptsDeps } from "./prompts.service.ts";
export * as prompts from "./prompts.service.ts";
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
export {
  createTtsClient,
  DEFAULT_TTS_URL,
  type TtsClient,
  type TtsEnv,
  type TtsRuntime,
  ttsEnvSchema,
  ttsRuntimeFromEnv,
} from "./tts.client.ts";
