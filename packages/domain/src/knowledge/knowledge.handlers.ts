/** How the knowledge jobs run (the definitions, which services enqueue, are in writer.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { embedKnowledgeJob, reembedKnowledgeJob } from "./knowledge.jobs.ts";
import * as knowledge from "./knowledge.service.ts";

export const knowledgeHandlers = [
  handle(embedKnowledgeJob, async (data, { db, ai, log }) => {
    const outcome = await knowledge.embedPending({ db, ai, log }, data.userId);
    if (outcome.embedded || outcome.failed) log.info({ userId: data.userId, ...outcome }, "embedded knowledge entries");
  }),
  handle(reembedKnowledgeJob, async (_data, { db, ai, log }) => {
    const done = await knowledge.reembedAll({ db, ai, log });
    if (done.embedded) log.info(done, "re-embedded knowledge entries");
  }),
];
