import { z } from "zod";
import { defineJob, type WorkerDeps } from "../platform/queue.ts";
import * as connections from "./connections.service.ts";

/** The connection deps a worker job needs; a worker without them is misconfigured. */
export function connectionsDepsOf(deps: WorkerDeps): connections.ConnectionsDeps {
  if (!deps.keyRing || !deps.publishing) {
    throw new Error("publishing jobs need keyRing and publishing in the worker deps (INKWELL_ENCRYPTION_KEYS)");
  }
  return {
    db: deps.db,
    keyRing: deps.keyRing,
    publishing: deps.publishing,
    log: deps.log,
    ...(deps.enqueue ? { enqueue: deps.enqueue } : {}),
  };
}

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
  async handler(data, deps) {
    const outcome = await connections.refreshConnection(connectionsDepsOf(deps), data.connectionId);
    if (outcome !== "not_due") deps.log.info({ connectionId: data.connectionId, outcome }, "connection refresh");
  },
});

/** Every 5 minutes: a refresh job for each token expiring soon (X within 30 min, LinkedIn/Threads within 7 days). */
export const sweepConnectionsJob = defineJob({
  name: "publishing.sweep-connections",
  schema: z.object({}).passthrough(),
  schedule: "*/5 * * * *",
  queue: { retryLimit: 1, retryDelay: 60, expireInSeconds: 600 },
  async handler(_data, deps) {
    const done = await connections.sweep(connectionsDepsOf(deps));
    if (done.enqueued || done.statesDeleted) deps.log.info(done, "connection sweep");
  },
});

export const connectionsJobs = [refreshConnectionJob, sweepConnectionsJob];
