/** Public API of the writer module: the knowledge base (entries, embedding jobs, hybrid search). */
export { RRF_K, reciprocalRankFusion } from "./writer.fusion.ts";
export { embedKnowledgeJob, reembedKnowledgeJob, writerJobs } from "./writer.jobs.ts";
export * from "./writer.schemas.ts";
export type { EmbedOutcome, WriterDeps } from "./writer.service.ts";
export * as writer from "./writer.service.ts";
