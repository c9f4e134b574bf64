import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Processes one verified Stripe event (stored by the webhook in the same transaction that sent this
 * job). Retried with backoff; the event row is locked and marked processed in the transaction that
 * fulfils, so a retry after a crash, a second delivery or a replay fulfils nothing twice.
 */
export const fulfilEventJob = defineJob({
  name: "payments.fulfil-event",
  schema: z.object({ eventId: z.string().min(1).max(255) }),
  queue: { retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 },
});

/**
 * Every 5 minutes: events received over 10 minutes ago (and within 3 days) that are still unprocessed —
 * their job ran out of retries, say while a kind's fulfilment was not yet deployed — get a new job. The
 * job is idempotent, so a duplicate costs one locked read.
 */
export const sweepEventsJob = defineJob({
  name: "payments.sweep-events",
  schema: z.object({}).passthrough(),
  schedule: "*/5 * * * *",
  needs: ["enqueue"],
  queue: { retryLimit: 1, expireInSeconds: 120 },
});

/**
 * Hourly: subscriptions past due beyond their grace period make their accounts free (Stripe may still be
 * retrying the payment; a later payment restores the tier through its event).
 */
export const endLapsedGraceJob = defineJob({
  name: "payments.end-lapsed-grace",
  schema: z.object({}).passthrough(),
  schedule: "23 * * * *",
  queue: { retryLimit: 2, expireInSeconds: 600 },
});

export const paymentsJobs = [fulfilEventJob, sweepEventsJob, endLapsedGraceJob];
