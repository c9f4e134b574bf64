import { asUser } from "@inkwell/db";
import { z } from "zod";
import { defineJob } from "../platform/queue.ts";
import * as credits from "./credits.service.ts";

/**
 * Settling a long job's reservation happens here, in one transaction per job: if the worker dies
 * mid-way the transaction rolls back and pg-boss runs the job again; the second run finds the hold
 * already captured (or captures it), so nothing is charged twice or lost.
 */
export const settleHoldJob = defineJob({
  name: "credits.settle-hold",
  schema: z.object({ userId: z.uuid(), holdId: z.uuid(), used: z.number().int().min(0) }),
  queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: 60, heartbeatSeconds: 10 },
  async handler({ userId, holdId, used }, { db }) {
    await asUser(db, userId, (tx) => credits.capture(tx, userId, holdId, used));
  },
});

export const releaseHoldJob = defineJob({
  name: "credits.release-hold",
  schema: z.object({ userId: z.uuid(), holdId: z.uuid(), note: z.string().max(500).optional() }),
  queue: { retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: 60, heartbeatSeconds: 10 },
  async handler({ userId, holdId, note }, { db }) {
    await asUser(db, userId, (tx) => credits.release(tx, userId, holdId, note));
  },
});

export const releaseStaleHoldsJob = defineJob({
  name: "credits.release-stale-holds",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, expireInSeconds: 120 },
  async handler(_data, { db, log }) {
    const r = await credits.releaseStaleHolds(db);
    if (r.released) log.info(r, "released stale credit holds");
  },
});

export const expireGrantsJob = defineJob({
  name: "credits.expire-grants",
  schema: z.object({}).passthrough(),
  schedule: "*/10 * * * *",
  queue: { retryLimit: 2, expireInSeconds: 600 },
  async handler(_data, { db, log }) {
    const r = await credits.expireGrants(db);
    if (r.expired) log.info(r, "expired credit grants");
  },
});

/** Daily, so a worker that was down on the 1st still grants the month (the key makes it once). */
export const monthlyGrantsJob = defineJob({
  name: "credits.grant-monthly",
  schema: z.object({}).passthrough(),
  schedule: "5 0 * * *",
  queue: { retryLimit: 3, expireInSeconds: 3600 },
  async handler(_data, { db, log }) {
    log.info(await credits.grantMonthly(db), "monthly credit grants");
  },
});

export const reconcileJob = defineJob({
  name: "credits.reconcile",
  schema: z.object({}).passthrough(),
  schedule: "17 * * * *",
  queue: { retryLimit: 1, expireInSeconds: 900 },
  async handler(_data, { db, log }) {
    const drifts = await credits.reconcile(db, log);
    log.info({ drifts: drifts.length }, "credit reconciliation finished");
  },
});

export const creditsJobs = [settleHoldJob, releaseHoldJob, releaseStaleHoldsJob, expireGrantsJob, monthlyGrantsJob, reconcileJob];
