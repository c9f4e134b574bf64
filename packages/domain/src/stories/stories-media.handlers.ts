/** How the stories media jobs run (the definitions, which the attach enqueues, are in stories-media.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { transcribeAudioJob } from "./stories-media.jobs.ts";
import { transcribeAudio } from "./stories-media.service.ts";

export const storiesMediaHandlers = [
  handle(transcribeAudioJob, async (data, deps) => {
    const outcome = await transcribeAudio(deps, data.audioId);
    deps.log.info({ audioId: data.audioId, outcome }, "stories: recording transcribed");
  }),
];
