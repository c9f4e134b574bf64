import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * The tutor's grounding material (seed 004 `workspace_documents`): a student's notes and uploaded
 * texts, split into chunks with embeddings (1536 dimensions, the configured embedding size) so a reply
 * can quote the most relevant passages. Chunks carry `user_id` for RLS without a join.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE workspace_documents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      conversation_id uuid REFERENCES conversations(id) ON DELETE SET NULL,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      kind text NOT NULL CHECK (kind IN ('note', 'pdf', 'text', 'image')),
      content text NOT NULL CHECK (length(content) <= 200000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX workspace_documents_user_idx ON workspace_documents (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX workspace_documents_conversation_idx ON workspace_documents (conversation_id)`.execute(db);
  await touchUpdatedAt(db, "workspace_documents");
  const own = "user_id = (SELECT app.current_user_id())";
  await enableRls(db, "workspace_documents", {
    user: { select: "user_id", update: "user_id", delete: "user_id" },
    // A document may be attached only to one of the caller's own conversations.
    userExpr: {
      insert: `${own} AND (conversation_id IS NULL OR EXISTS (SELECT 1 FROM conversations c WHERE c.id = workspace_documents.conversation_id AND c.user_id = (SELECT app.current_user_id())))`,
    },
    userColumnUpdates: ["title"],
  });

  await sql`
    CREATE TABLE document_chunks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      document_id uuid NOT NULL REFERENCES workspace_documents(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      ordinal integer NOT NULL CHECK (ordinal >= 0),
      content text NOT NULL CHECK (length(content) <= 8000),
      embedding vector(1536) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (document_id, ordinal)
    )`.execute(db);
  await sql`CREATE INDEX document_chunks_user_idx ON document_chunks (user_id)`.execute(db);
  // Approximate nearest neighbours by cosine distance; RLS still filters to the caller's chunks.
  await sql`CREATE INDEX document_chunks_embedding_idx ON document_chunks USING hnsw (embedding vector_cosine_ops)`.execute(db);
  await enableRls(db, "document_chunks", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: {
      insert: `${own} AND EXISTS (SELECT 1 FROM workspace_documents d WHERE d.id = document_chunks.document_id AND d.user_id = (SELECT app.current_user_id()))`,
    },
  });
}
