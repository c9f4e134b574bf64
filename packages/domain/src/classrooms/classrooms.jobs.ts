import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Pulls a teacher's sections and students from Clever and makes the classrooms match (idempotent
 * upserts; what left the roster is deleted). One queued and one running per teacher (pg-boss "stately"
 * with the teacher as singleton key), so pressing Sync again while one waits adds nothing. The API
 * passes Clever's API address, as it passes its own address to the mail jobs.
 */
export const syncRosterJob = defineJob({
  name: "classrooms.sync-roster",
  schema: z.object({ teacherId: z.uuid(), apiUrl: z.url() }),
  queue: { policy: "stately", retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 600 },
  needs: ["keyRing"],
});

export const classroomsJobs = [syncRosterJob];
