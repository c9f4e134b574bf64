import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * One recording's transcript, through the AI layer's `transcribe` (metered as `audio.transcribe`, paid
 * by whoever added it; the campaign's primary owner for the storyteller's). Enqueued in the transaction
 * that attaches the recording. The offline provider has no model: the recording is marked needs_model
 * and nothing is charged.
 */
export const transcribeAudioJob = defineJob({
  name: "stories.transcribe-audio",
  schema: z.object({ audioId: z.uuid() }),
  queue: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 600 },
  needs: ["ai", "storage"],
});

export const storiesMediaJobs = [transcribeAudioJob];
