import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

// As identity's mail queue: a retry after a lost SMTP ack may send twice, which beats losing the mail.
const mailQueue = { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 120 };

/**
 * An invitation to a campaign's family. The request that invites only enqueues this; the worker makes
 * the token (a fresh one on every attempt, voiding the last) and mails it, so the token never sits in a
 * job's payload.
 */
export const sendInviteJob = defineJob({
  name: "stories.send-invite",
  schema: z.object({ memberId: z.uuid(), appUrl: z.url(), ttlSeconds: z.number().int().positive() }),
  queue: mailQueue,
  needs: ["mailer"],
});

/**
 * One question (or its reminder) to the storyteller, with a fresh answer link made here. A question
 * answered or skipped meanwhile is not sent.
 */
export const sendPromptJob = defineJob({
  name: "stories.send-prompt",
  // `manual`: the owner's "send now" or "send again", held to the campaign's daily bound (the weekly
  // question and its one reminder always go).
  schema: z.object({ promptId: z.uuid(), kind: z.enum(["prompt", "reminder"]), manual: z.boolean().optional() }),
  queue: mailQueue,
  needs: ["mailer"],
});

/**
 * Every minute: each active campaign whose weekly moment has come sends its next queued question (and
 * moves `next_prompt_at` a week on, in the storyteller's zone); questions unanswered for three days get
 * one reminder; long-expired links are deleted.
 */
export const sendDuePromptsJob = defineJob({
  name: "stories.send-due-prompts",
  schema: z.object({}).passthrough(),
  schedule: "* * * * *",
  queue: { retryLimit: 1, expireInSeconds: 120 },
  needs: ["enqueue"],
});

export const storiesJobs = [sendInviteJob, sendPromptJob, sendDuePromptsJob];
