/** How the files jobs run (the definitions, which services enqueue, are in files.jobs.ts). */

import { handle } from "../jobs/worker-deps.ts";
import { ORPHAN_AGE_MS, purgeOrphansJob, sweepUploadsJob, UNATTACHED_GRACE_MS } from "./files.jobs.ts";
import * as files from "./files.service.ts";

export const filesHandlers = [
  handle(purgeOrphansJob, async (_data, { db, storage, log }) => {
    const done = await files.purgeOrphans({ db, storage }, { olderThan: new Date(Date.now() - ORPHAN_AGE_MS) });
    if (done.deleted) log.info(done, "purged orphaned files");
  }),
  handle(sweepUploadsJob, async (_data, { db, storage, log }) => {
    const done = await files.sweepUnattached({ db, storage }, { olderThan: new Date(Date.now() - UNATTACHED_GRACE_MS) });
    if (done.deleted) log.info(done, "deleted uploads never attached");
  }),
];
