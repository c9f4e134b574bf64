import { z } from "zod";
import { defineJob } from "../platform/queue.ts";
import * as sessions from "./writer-sessions.service.ts";

/** Names a session after its concept once its first output is stored (offline: deterministic). */
export const titleSessionJob = defineJob({
  name: "writer.title-session",
  schema: z.object({ userId: z.uuid(), sessionId: z.uuid() }),
  // A title is a nicety: a few retries, then the session keeps its default title.
  queue: { retryLimit: 3, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 },
  async handler(data, { db, ai, log }) {
    const title = await sessions.titleSession({ db, ai }, data.userId, data.sessionId);
    if (title) log.info({ sessionId: data.sessionId }, "titled writer session");
  },
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
  async handler(_data, { db, log }) {
    const failed = await sessions.failStaleOutputs(db);
    if (failed) log.info({ failed }, "marked interrupted writer outputs failed");
  },
});

export const writerSessionJobs = [titleSessionJob, failStaleOutputsJob];
