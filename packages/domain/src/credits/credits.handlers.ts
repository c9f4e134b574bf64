/** How the credits jobs run (the definitions, which services enqueue, are in credits.jobs.ts). */

import { asUser } from "@inkwell/db";
import { handle } from "../jobs/worker-deps.ts";
import {
  expireGrantsJob,
  monthlyGrantsJob,
  reconcileJob,
  releaseHoldJob,
  releaseStaleHoldsJob,
  settleHoldJob,
} from "./credits.jobs.ts";
import * as credits from "./credits.service.ts";

export const creditsHandlers = [
  handle(settleHoldJob, async ({ userId, holdId, used }, { db }) => {
    await asUser(db, userId, (tx) => credits.capture(tx, userId, holdId, used));
  }),
  handle(releaseHoldJob, async ({ userId, holdId, note }, { db }) => {
    await asUser(db, userId, (tx) => credits.release(tx, userId, holdId, note));
  }),
  handle(releaseStaleHoldsJob, async (_data, { db, log }) => {
    const r = await credits.releaseStaleHolds(db);
    if (r.released) log.info(r, "released stale credit holds");
  }),
  handle(expireGrantsJob, async (_data, { db, log }) => {
    const r = await credits.expireGrants(db);
    if (r.expired) log.info(r, "expired credit grants");
  }),
  handle(monthlyGrantsJob, async (_data, { db, log }) => {
    log.info(await credits.grantMonthly(db), "monthly credit grants");
  }),
  handle(reconcileJob, async (_data, { db, log }) => {
    const drifts = await credits.reconcile(db, log);
    log.info({ drifts: drifts.length }, "credit reconciliation finished");
  }),
];
