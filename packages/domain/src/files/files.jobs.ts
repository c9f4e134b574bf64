import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/** How old an unreferenced object must be before the sweep deletes it (an upload between its two steps is younger). */
export const ORPHAN_AGE_MS = 60 * 60 * 1000;

/** Hourly: deletes stored objects no `stored_files` row points at (failed uploads, deleted accounts). */
export const purgeOrphansJob = defineJob({
  name: "files.purge-orphans",
  schema: z.object({}).passthrough(),
  schedule: "41 * * * *",
  queue: { retryLimit: 2, retryDelay: 300, retryBackoff: true, expireInSeconds: 3600 },
  needs: ["storage"],
});

export const filesJobs = [purgeOrphansJob];
