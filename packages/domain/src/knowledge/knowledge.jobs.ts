import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Embeds a user's pending knowledge entries (enqueued with each create or text edit). A failed batch is
 * retried with backoff; each entry is marked failed after `MAX_EMBED_ATTEMPTS`.
 */
export const embedKnowledgeJob = defineJob({
  name: "writer.embed-knowledge",
  schema: z.object({ userId: z.uuid() }),
  queue: { retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInSeconds: 600 },
  needs: ["ai"],
});

/** Re-embeds entries made with another embedding model (and any pending ones whose job was lost). */
export const reembedKnowledgeJob = defineJob({
  name: "writer.reembed-knowledge",
  schema: z.object({}).passthrough(),
  schedule: "*/15 * * * *",
  queue: { retryLimit: 2, retryDelay: 60, retryBackoff: true, expireInSeconds: 3600 },
  needs: ["ai"],
});

export const knowledgeJobs = [embedKnowledgeJob, reembedKnowledgeJob];
