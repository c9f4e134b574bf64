/** How the book order jobs run (the definitions, which the service enqueues, are in books-orders.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { pollPrintJobJob, submitPrintJobJob, sweepPrintJobsJob } from "./books-orders.jobs.ts";
import { pollPrintJob, submitPrintJob, sweepPrintJobs } from "./books-orders.service.ts";

export const bookOrdersHandlers = [
  handle(submitPrintJobJob, async (data, deps) => {
    const outcome = await submitPrintJob(deps, data.orderId);
    deps.log.info({ orderId: data.orderId, outcome }, "book order sent to the printer");
  }),
  handle(pollPrintJobJob, async (data, deps) => {
    const outcome = await pollPrintJob(deps, data.orderId);
    deps.log.info({ orderId: data.orderId, outcome }, "book order status checked");
  }),
  handle(sweepPrintJobsJob, async (_data, deps) => {
    const swept = await sweepPrintJobs(deps);
    if (swept.submitted || swept.polled) deps.log.info(swept, "book orders swept");
  }),
];
