/** How the payments jobs run (the definitions are in payments.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { fulfilEventJob } from "./payments.jobs.ts";
import { processEvent } from "./payments.service.ts";

export const paymentsHandlers = [
  handle(fulfilEventJob, async ({ eventId }, { db, log }) => {
    const result = await processEvent(db, eventId, log);
    log.info({ eventId, result }, "payment event processed");
  }),
];
