import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Renews one connection's tokens if they are due. `stately` with the connection id as singleton key:
 * at most one queued and one running per connection (the row's refresh lease is what actually keeps
 * two refreshes from both reaching the platform). A transient failure throws, so pg-boss retries with
 * backoff; a refused grant marks the connection needs_reauth and completes.
 */
export const refreshConnectionJob = defineJob({
  name: "publishing.refresh-connection",
  schema: z.object({ connectionId: z.uuid() }),
  queue: { policy: "stately", retryLimit: 6, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 },
  needs: ["keyRing", "publishing"],
});

/** Every 5 minutes: a refresh job for each token expiring soon (X within 30 min, LinkedIn/Threads within 7 days). */
export const sweepConnectionsJob = defineJob({
  name: "publishing.sweep-connections",
  schema: z.object({}).passthrough(),
  schedule: "*/5 * * * *",
  queue: { retryLimit: 1, retryDelay: 60, expireInSeconds: 600 },
  needs: ["keyRing", "publishing", "enqueue"],
});

export const connectionsJobs = [refreshConnectionJob, sweepConnectionsJob];
