import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Publishes one post at its time. Sent (in the transaction that schedules the post) with
 * `startAfter` a little before the due instant and `singletonKey` `<post>:<version>`; the handler waits
 * for the exact instant, claims the post and publishes it. Safe to run twice or for a stale schedule:
 * the claim (pending → publishing for this version) lets exactly one run through.
 *
 * The queue's `short` policy keeps at most one queued job per key, so a sweep re-sending a job that
 * is still waiting adds nothing. Heartbeats (every 5 s, failed after 10) hand a job whose worker died
 * to another worker within seconds; that run finds the post `publishing` and reconciles it once the
 * claim's lease has passed.
 */
export const publishPostJob = defineJob({
  name: "publishing.publish-post",
  schema: z.object({ postId: z.uuid(), version: z.number().int().min(0) }),
  queue: {
    policy: "short",
    retryLimit: 8,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 60,
    expireInSeconds: 600,
    heartbeatSeconds: 10,
  },
  // A minute boundary makes many posts due at once: up to 1,000 jobs claimed and waiting per worker.
  work: { pollingIntervalSeconds: 0.5, batchSize: 250, localConcurrency: 4, concurrent: true },
  needs: ["keyRing", "publishing", "enqueue", "storage"],
});

/**
 * The backstop, every minute: posts whose claim outlived its lease (a worker died mid-publish),
 * `unknown` posts whose reconciliation job was lost, and pending posts well past due with no job.
 * It only enqueues; the publish job does the work.
 */
export const sweepPostsJob = defineJob({
  name: "publishing.sweep-posts",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, retryDelay: 30, expireInSeconds: 120 },
  needs: ["keyRing", "publishing", "enqueue"],
});

export const postsJobs = [publishPostJob, sweepPostsJob];
