import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * The writer's knowledge base (seed 000 `user_knowledge`): what a writer tells Inkwell about
 * themselves, their audience and their style, retrieved for generations. Each entry is embedded in the
 * background (`writer.embed-knowledge`), so it carries its embedding's state; `content_version` lets
 * the worker refuse to store a vector computed from text that has since been edited. Search is hybrid:
 * the HNSW cosine index and a generated full-text column (GIN), fused in the query.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE knowledge_entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      content text NOT NULL CHECK (length(content) BETWEEN 1 AND 20000),
      category text NOT NULL CHECK (category IN ('about_me', 'audience', 'writing_style')),
      content_version integer NOT NULL DEFAULT 1 CHECK (content_version >= 1),
      embedding vector(1536),
      embedding_model text,
      embedding_status text NOT NULL DEFAULT 'pending' CHECK (embedding_status IN ('pending', 'ready', 'failed')),
      embedding_error text CHECK (length(embedding_error) <= 2000),
      embedding_attempts integer NOT NULL DEFAULT 0 CHECK (embedding_attempts >= 0),
      embedded_at timestamptz,
      search_tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, content), 'B')
      ) STORED,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX knowledge_entries_user_idx ON knowledge_entries (user_id, created_at DESC, id DESC)`.execute(db);
  // The worker's pickup of a user's pending entries, and the re-embedding sweep by model.
  await sql`CREATE INDEX knowledge_entries_pending_idx ON knowledge_entries (user_id, updated_at) WHERE embedding_status = 'pending'`.execute(
    db,
  );
  await sql`CREATE INDEX knowledge_entries_model_idx ON knowledge_entries (embedding_model) WHERE embedding_status = 'ready'`.execute(
    db,
  );
  await sql`CREATE INDEX knowledge_entries_search_idx ON knowledge_entries USING gin (search_tsv)`.execute(db);
  // Cosine nearest neighbours; searches filter to one user, so they run with hnsw.iterative_scan.
  await sql`CREATE INDEX knowledge_entries_embedding_idx ON knowledge_entries USING hnsw (embedding vector_cosine_ops)`.execute(
    db,
  );
  await touchUpdatedAt(db, "knowledge_entries");
  await enableRls(db, "knowledge_entries", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    // The owner edits the text; the embedding columns are written by the embedding job (as the owner).
    userColumnUpdates: [
      "title",
      "content",
      "category",
      "content_version",
      "embedding",
      "embedding_model",
      "embedding_status",
      "embedding_error",
      "embedding_attempts",
      "embedded_at",
    ],
    // The re-embedding sweep spans users only to find whose entries need work; it edits them as the owner.
    system: ["SELECT"],
  });
}
