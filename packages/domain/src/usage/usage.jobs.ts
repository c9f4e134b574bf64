import { z } from "zod";
import { defineJob } from "../platform/queue.ts";
import * as usage from "./usage.service.ts";

export const pruneRateLimitsJob = defineJob({
  name: "usage.prune-rate-limits",
  schema: z.object({}).passthrough(),
  schedule: "*/10 * * * *",
  queue: { retryLimit: 1, expireInSeconds: 300 },
  async handler(_data, { db, log }) {
    const deleted = await usage.pruneRateLimits(db);
    if (deleted) log.info({ deleted }, "pruned generation rate-limit log");
  },
});

/** A generation whose reservation expired (its job died) is marked failed, so nothing looks stuck. */
export const failOrphanedJob = defineJob({
  name: "usage.fail-orphaned",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, expireInSeconds: 120 },
  async handler(_data, { db, log }) {
    const failed = await usage.failOrphanedGenerations(db);
    if (failed) log.info({ failed }, "marked orphaned generations failed");
  },
});

export const usageJobs = [pruneRateLimitsJob, failOrphanedJob];
