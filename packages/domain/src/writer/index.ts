/**
 * Public API of the writer module: the knowledge base (entries, embedding jobs, hybrid search) and
 * writer sessions (concept → formats, iterations, versions, projects).
 */
import { writerJobs as knowledgeJobs } from "./writer.jobs.ts";
import { writerSessionJobs } from "./writer-sessions.jobs.ts";

export { RRF_K, reciprocalRankFusion } from "./writer.fusion.ts";
export { embedKnowledgeJob, reembedKnowledgeJob } from "./writer.jobs.ts";
export * from "./writer.schemas.ts";
export type { EmbedOutcome, WriterDeps } from "./writer.service.ts";
export * as writer from "./writer.service.ts";
export { failStaleOutputsJob, titleSessionJob, writerSessionJobs } from "./writer-sessions.jobs.ts";
export type { CreateSessionParsed, WriterSessionDeps } from "./writer-sessions.service.ts";
export * as writerSessions from "./writer-sessions.service.ts";

/** Every writer job (knowledge base and sessions): what the worker runs and the API enqueues into. */
export const writerJobs = [...knowledgeJobs, ...writerSessionJobs];
