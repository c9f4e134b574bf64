import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/** Names a conversation after its first exchange, with the configured model (offline: deterministic). */
export const titleConversationJob = defineJob({
  name: "chat.title-conversation",
  schema: z.object({ userId: z.uuid(), conversationId: z.uuid() }),
  // A title is a nicety: a few retries, then the conversation keeps its default title.
  queue: { retryLimit: 3, retryDelay: 10, retryBackoff: true, expireInSeconds: 120 },
  needs: ["ai"],
});

/**
 * A reply left 'streaming' by an API process that died (no append for five minutes) is marked failed,
 * so it never looks complete or stuck; its credit hold expires and `credits.release-stale-holds` frees it.
 */
export const failStaleRepliesJob = defineJob({
  name: "chat.fail-stale-replies",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, expireInSeconds: 120 },
});

export const chatJobs = [titleConversationJob, failStaleRepliesJob];
