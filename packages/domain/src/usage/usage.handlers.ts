/** How the usage jobs run (the definitions, which services enqueue, are in usage.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { failOrphanedJob, pruneRateLimitsJob } from "./usage.jobs.ts";
import * as usage from "./usage.service.ts";

export const usageHandlers = [
  handle(pruneRateLimitsJob, async (_data, { db, log }) => {
    const deleted = await usage.pruneRateLimits(db);
    if (deleted) log.info({ deleted }, "pruned generation rate-limit log");
  }),
  handle(failOrphanedJob, async (_data, { db, log }) => {
    const failed = await usage.failOrphanedGenerations(db);
    if (failed) log.info({ failed }, "marked orphaned generations failed");
  }),
];
