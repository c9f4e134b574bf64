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

/**
 * How long an upload may wait to be attached before the sweep deletes it: a page uploads and attaches
 * within seconds; a day covers a tab left open overnight with its photo chosen.
 */
export const UNATTACHED_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Daily: uploads never attached to anything (a story's photo or recording, a library asset, a post's
 * image) past UNATTACHED_GRACE_MS are deleted with their bytes, a bounded number a run (files.service.ts
 * `sweepUnattached`).
 */
export const sweepUploadsJob = defineJob({
  name: "files.sweep-uploads",
  schema: z.object({}).passthrough(),
  schedule: "23 4 * * *",
  queue: { retryLimit: 2, retryDelay: 600, retryBackoff: true, expireInSeconds: 3600 },
  needs: ["storage"],
});

export const filesJobs = [purgeOrphansJob, sweepUploadsJob];
