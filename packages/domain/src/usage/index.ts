/** Public API of the usage module: metering of AI calls, generation history, rate limits. */

export { usageJobs } from "./usage.jobs.ts";
export * from "./usage.schemas.ts";
export type { Actor, MeteredOutcome, MeteredRequest, UsageDeps } from "./usage.service.ts";
export * as usage from "./usage.service.ts";
