/** Public API of the classrooms module (Clever rostering, assignments, results per student). */
export { classroomsJobs, syncRosterJob } from "./classrooms.jobs.ts";
export * from "./classrooms.schemas.ts";
export type { SyncOutcome } from "./classrooms.service.ts";
export * as classrooms from "./classrooms.service.ts";
export { type CleverClient, createCleverClient } from "./clever.client.ts";
