/** Public API of the credits module. */

export { creditsJobs, reconcileJob, releaseHoldJob, settleHoldJob } from "./credits.jobs.ts";
export * from "./credits.schemas.ts";
export * as credits from "./credits.service.ts";
export { HOLD_TTL_SECONDS, priceOf, requestHash } from "./credits.service.ts";
