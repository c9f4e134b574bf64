/** How the voice jobs run (the definitions, which services enqueue, are in voice.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { analyzeProfileJob } from "./voice.jobs.ts";
import * as voice from "./voice.service.ts";

export const voiceHandlers = [
  handle(analyzeProfileJob, async (data, { db, ai, log }) => {
    const outcome = await voice.analyzeProfile({ db, ai, log }, data);
    if (outcome !== "skipped") log.info({ profileId: data.profileId, outcome }, "analysed voice profile");
  }),
];
