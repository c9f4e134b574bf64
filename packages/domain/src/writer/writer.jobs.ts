import { z } from "zod";
import { defineJob } from "../platform/queue.ts";
import * as writer from "./writer.service.ts";

/**
 * Embeds a user's pending knowledge entries (enqueued with each create or text edit). A failed batch is
 * retried with backoff; each entry is marked failed after `MAX_EMBED_ATTEMPTS`.
 */
export const embedKnowledgeJob = defineJob({
  name: "writer.embed-knowledge",
  schema: z.object({ userId: z.uuid() }),
  queue: { retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInSeconds: 600 },
  async handler(data, { db, ai, log }) {
    const outcome = await writer.embedPending({ db, ai, log }, data.userId);
    if (outcome.embedded || outcome.failed) log.info({ userId: data.userId, ...outcome }, "embedded knowledge entries");
  },
});

/** Re-embeds entries made with another embedding model (and any pending ones whose job was lost). */
export const reembedKnowledgeJob = defineJob({
  name: "writer.reembed-knowledge",
  schema: z.object({}).passthrough(),
  schedule: "*/15 * * * *",
  queue: { retryLimit: 2, retryDelay: 60, retryBackoff: true, expireInSeconds: 3600 },
  async handler(_data, { db, ai, log }) {
    const done = await writer.reembedAll({ db, ai, log });
    if (done.embedded) log.info(done, "re-embedded knowledge entries");
  },
});

export const writerJobs = [embedKnowledgeJob, reembedKnowledgeJob];
