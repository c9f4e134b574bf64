/** The jobs this worker runs: exactly the domain's job registry (the API creates the same queues). */
export { allHandlers, allJobs } from "@inkwell/domain/jobs/handlers";
