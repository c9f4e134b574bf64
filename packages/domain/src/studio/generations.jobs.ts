import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

const target = { userId: z.uuid(), generationId: z.uuid() };

/**
 * Submits one generation to the image API with its row's submit_key as the Idempotency-Key, records
 * the provider's job id and enqueues the first poll. Enqueued in the transaction that creates the row.
 * Retried with backoff on a passing failure (the same key: the API answers the same job); a worker
 * killed mid-call leaves the row `submitting`, which the job's retry or the sweep submits again.
 */
export const submitGenerationJob = defineJob({
  name: "studio.submit-generation",
  schema: z.object(target),
  queue: { retryLimit: 6, retryDelay: 2, retryBackoff: true, retryDelayMax: 60, expireInSeconds: 120, heartbeatSeconds: 10 },
  work: { pollingIntervalSeconds: 0.5, batchSize: 50, localConcurrency: 2, concurrent: true },
  needs: ["ai", "enqueue", "storage"],
});

/**
 * One look at a generation's provider job; enqueues the next look (backing off) in the transaction that
 * counts this one, or settles the row. `attempt` is the poll count the run expects: a run that finds
 * another (a duplicate chain) stops. Omitted by the webhook and the sweep: "whatever it is now".
 * Many generations wait at once, each poll a short HTTP call: batches run concurrently.
 */
export const pollGenerationJob = defineJob({
  name: "studio.poll-generation",
  schema: z.object({ ...target, attempt: z.number().int().min(0).optional() }),
  queue: { retryLimit: 3, retryDelay: 2, retryBackoff: true, expireInSeconds: 180, heartbeatSeconds: 10 },
  work: { pollingIntervalSeconds: 0.5, batchSize: 200, localConcurrency: 2, concurrent: true },
  needs: ["ai", "enqueue", "storage"],
});

/**
 * The backstop, every minute: in-flight generations no job has moved past their due instant (a killed
 * worker, a lost job) are submitted or polled again. It only enqueues.
 */
export const sweepGenerationsJob = defineJob({
  name: "studio.sweep-generations",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, retryDelay: 30, expireInSeconds: 120 },
  needs: ["enqueue"],
});

/**
 * Stops a cancelled generation's job at the image API, best effort (the row is already cancelled and its
 * hold released in the transaction that enqueued this). A passing failure is retried a few times, then
 * given up: the job at the API runs on, and nothing is charged either way.
 */
export const cancelAtProviderJob = defineJob({
  name: "studio.cancel-generation",
  schema: z.object(target),
  queue: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 },
  needs: ["ai"],
});

export const generationsJobs = [submitGenerationJob, pollGenerationJob, sweepGenerationsJob, cancelAtProviderJob];
