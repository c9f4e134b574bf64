import { type Kysely, sql } from "kysely";

/**
 * The knowledge base's HNSW index rebuilt with ef_construction 128 (was pgvector's default 64; m stays
 * 16). `pnpm bench knowledge-search` at 100k entries: with 64, recall@10 against an exact scan varied
 * from build to build (0.965–0.993 for a user with 90% of the entries), because some builds leave
 * regions the greedy search cannot reach and a few queries found none of their top 10 at any
 * ef_search. A wider candidate list while linking each element gives a better-connected graph; it
 * costs build time (and per-entry insert time in the embedding job), not search time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX knowledge_entries_embedding_idx`.execute(db);
  await sql`CREATE INDEX knowledge_entries_embedding_idx ON knowledge_entries
              USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 128)`.execute(db);
}
