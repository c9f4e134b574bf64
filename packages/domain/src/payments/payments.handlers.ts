/** How the payments jobs run (the definitions are in payments.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { fulfilEventJob, sweepEventsJob } from "./payments.jobs.ts";
import { processEvent, sweepEvents } from "./payments.service.ts";

export const paymentsHandlers = [
  handle(fulfilEventJob, async ({ eventId }, { db, log }) => {
    const result = await processEvent(db, eventId, log);
    log.info({ eventId, result }, "payment event processed");
  }),
  handle(sweepEventsJob, async (_data, { db, log, enqueue }) => {
    const requeued = await sweepEvents(db, enqueue);
    if (requeued) log.warn({ requeued }, "unprocessed payment events sent to fulfilment again");
  }),
];
