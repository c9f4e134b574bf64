/**
 * Public API of the voice module: trained voices (samples → fingerprint + description), the nine-axis
 * tuning, banned phrases, and the guidance a generation writes with.
 */
export { enforceBannedPhrases, findBannedPhrases, scrubBannedPhrases } from "./voice.banned.ts";
export { fingerprint } from "./voice.fingerprint.ts";
export { guidancePrompt, targetSentenceLength } from "./voice.guidance.ts";
export { analyzeProfileJob, voiceJobs } from "./voice.jobs.ts";
export * from "./voice.schemas.ts";
export type { AnalyzeOutcome, VoiceDeps } from "./voice.service.ts";
export * as voice from "./voice.service.ts";
