/** Public API of the writer module: writer sessions (concept → formats, iterations, versions, projects). */
export * from "./writer.schemas.ts";
/** The writer's jobs: what the worker runs and the API enqueues into. */
export {
  failStaleOutputsJob,
  titleSessionJob,
  writerSessionJobs,
  writerSessionJobs as writerJobs,
} from "./writer-sessions.jobs.ts";
export type { CreateSessionParsed, WriterSessionDeps } from "./writer-sessions.service.ts";
export * as writerSessions from "./writer-sessions.service.ts";
