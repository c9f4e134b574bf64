/** How the files jobs run (the definitions, which services enqueue, are in files.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { ORPHAN_AGE_MS, purgeOrphansJob } from "./files.jobs.ts";
import * as files from "./files.service.ts";

export const filesHandlers = [
  handle(purgeOrphansJob, async (_data, { db, storage, log }) => {
    const done = await files.purgeOrphans({ db, storage }, { olderThan: new Date(Date.now() - ORPHAN_AGE_MS) });
    if (done.deleted) log.info(done, "purged orphaned files");
  }),
];
