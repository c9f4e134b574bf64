import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/** Names a session after its concept once its first output is stored (offline: deterministic). */
export const titleSessionJob = defineJob({
  name: "writer.title-session",
  schema: z.object({ userId: z.uuid(), sessionId: z.uuid() }),
  // A title is a nicety: a few retries, then the session keeps its default title.
  queue: { retryLimit: 3, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 },
  needs: ["ai"],
});

/**
 * An output left 'streaming' by an API process that died (no draft write for five minutes) is marked
 * failed, so it never looks stuck; its credit hold expires and `credits.release-stale-holds` frees it.
 */
export const failStaleOutputsJob = defineJob({
  name: "writer.fail-stale-outputs",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, expireInSeconds: 120 },
});

export const writerSessionJobs = [titleSessionJob, failStaleOutputsJob];
