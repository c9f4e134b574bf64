/** How the classrooms jobs run (the definitions, which the API enqueues, are in classrooms.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { syncRosterJob } from "./classrooms.jobs.ts";
import { syncRoster } from "./classrooms.service.ts";

export const classroomsHandlers = [
  handle(syncRosterJob, async (data, { db, keyRing, log }) => {
    const outcome = await syncRoster({ db, keyRing }, data);
    log.info({ teacherId: data.teacherId, ...outcome }, "classroom roster synced");
  }),
];
