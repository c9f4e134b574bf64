/** How the writer sessions jobs run (the definitions, which services enqueue, are in writer-sessions.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { failStaleOutputsJob, titleSessionJob } from "./writer-sessions.jobs.ts";
import * as sessions from "./writer-sessions.service.ts";

export const writerSessionHandlers = [
  handle(titleSessionJob, async (data, { db, ai, log }) => {
    const title = await sessions.titleSession({ db, ai }, data.userId, data.sessionId);
    if (title) log.info({ sessionId: data.sessionId }, "titled writer session");
  }),
  handle(failStaleOutputsJob, async (_data, { db, log }) => {
    const failed = await sessions.failStaleOutputs(db);
    if (failed) log.info({ failed }, "marked interrupted writer outputs failed");
  }),
];
