/** Public API of the knowledge module: a user's knowledge base (entries, embedding jobs, hybrid search). */
export { RRF_K, reciprocalRankFusion } from "./knowledge.fusion.ts";
export { embedKnowledgeJob, knowledgeJobs, reembedKnowledgeJob } from "./knowledge.jobs.ts";
export * from "./knowledge.schemas.ts";
export type { EmbedOutcome, WriterDeps as KnowledgeDeps } from "./knowledge.service.ts";
export * as knowledge from "./knowledge.service.ts";
