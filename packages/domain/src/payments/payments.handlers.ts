/** How the payments jobs run (the definitions are in payments.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { endLapsedGraceJob, fulfilEventJob, sweepEventsJob } from "./payments.jobs.ts";
import { processEvent, sweepEvents } from "./payments.service.ts";
import { endLapsedGrace } from "./payments.subscriptions.events.ts";

export const paymentsHandlers = [
  handle(fulfilEventJob, async ({ eventId }, { db, log }) => {
    const result = await processEvent(db, eventId, log);
    log.info({ eventId, result }, "payment event processed");
  }),
  handle(sweepEventsJob, async (_data, { db, log, enqueue }) => {
    const requeued = await sweepEvents(db, enqueue);
    if (requeued) log.warn({ requeued }, "unprocessed payment events sent to fulfilment again");
  }),
  handle(endLapsedGraceJob, async (_data, { db, log }) => {
    const ended = await endLapsedGrace(db);
    if (ended) log.info({ ended }, "subscriptions past their grace period: accounts now free");
  }),
];
