import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Sends a paid order to the printer: the cost calculation (what the job costs us, recorded), then the
 * print job with our signed interior and cover URLs. Enqueued when the buyer comes back from a paid
 * checkout and by the sweep (a payment settled by the webhook alone is picked up there). The printer is
 * called with no transaction open; a claim on the row keeps two runs from sending the same order twice.
 */
export const submitPrintJobJob = defineJob({
  name: "books.submit-print-job",
  schema: z.object({ orderId: z.uuid() }),
  queue: { retryLimit: 5, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 },
  needs: ["printVendor", "keyRing", "enqueue"],
});

/**
 * Asks the printer how a submitted order stands (Lulu's GET /print-jobs/{id}/) and moves the order on:
 * printed, shipped with its carrier and tracking, delivered, or cancelled when the printer rejects it.
 * Each run schedules the next while the order is not finished (the printer's `pollSeconds` apart).
 */
export const pollPrintJobJob = defineJob({
  name: "books.poll-print-job",
  schema: z.object({ orderId: z.uuid() }),
  queue: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 60 },
  needs: ["printVendor", "enqueue"],
});

/**
 * The safety net, every minute: paid orders that never reached the printer (the buyer did not come back,
 * a job ran out of retries) and submitted ones whose status was not checked for a while.
 */
export const sweepPrintJobsJob = defineJob({
  name: "books.sweep-print-jobs",
  schema: z.object({}).default({}),
  schedule: "* * * * *",
  queue: { retryLimit: 0, expireInSeconds: 60 },
  needs: ["enqueue"],
});

export const bookOrdersJobs = [submitPrintJobJob, pollPrintJobJob, sweepPrintJobsJob];
