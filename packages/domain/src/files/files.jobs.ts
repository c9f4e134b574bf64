import { z } from "zod";
import { defineJob } from "../platform/queue.ts";
import * as files from "./files.service.ts";

/** How old an unreferenced object must be before the sweep deletes it (an upload between its two steps is younger). */
export const ORPHAN_AGE_MS = 60 * 60 * 1000;

/** Hourly: deletes stored objects no `stored_files` row points at (failed uploads, deleted accounts). */
export const purgeOrphansJob = defineJob({
  name: "files.purge-orphans",
  schema: z.object({}).passthrough(),
  schedule: "41 * * * *",
  queue: { retryLimit: 2, retryDelay: 300, retryBackoff: true, expireInSeconds: 3600 },
  async handler(_data, { db, storage, log }) {
    if (!storage) {
      log.warn({}, "files.purge-orphans: the worker has no storage configured");
      return;
    }
    const done = await files.purgeOrphans({ db, storage }, { olderThan: new Date(Date.now() - ORPHAN_AGE_MS) });
    if (done.deleted) log.info(done, "purged orphaned files");
  },
});

export const filesJobs = [purgeOrphansJob];
