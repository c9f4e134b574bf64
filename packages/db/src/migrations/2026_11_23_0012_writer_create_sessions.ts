import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Writer sessions (seed 000 `writer_sessions`, `writer_projects`): a concept turned into several
 * formats, then iterated in a chat. Seed 000 keeps a session's messages and outputs as JSONB on the
 * session row; here they are rows, so an iteration appends a few small rows instead of rewriting a
 * growing blob, and versions can be listed and restored one by one.
 *
 * - `writer_outputs`: one per format of a session. While a generation streams, the partial text is in
 *   `draft` (never a version: it is not yet checked against the format rules or banned phrases);
 *   `current_version_id` points at the version shown, and must be one of the output's own versions.
 * - `writer_output_versions`: every stored text of an output, numbered 1, 2, 3… per output.
 * - `writer_projects`: a pinned session with a name, description and tags (one per session).
 * `user_id` is denormalised onto every child row so RLS and indexes need no join; inserting a child
 * row also requires its parent to be the caller's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE writer_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      title text NOT NULL DEFAULT 'New draft' CHECK (length(title) BETWEEN 1 AND 200),
      title_source text NOT NULL DEFAULT 'auto' CHECK (title_source IN ('auto', 'user')),
      concept text NOT NULL CHECK (length(concept) BETWEEN 1 AND 5000),
      style text NOT NULL CHECK (style IN ('polished', 'natural', 'punchy')),
      -- The voice the session writes in (null: the user's default profile at generation time, if any).
      voice_profile_id uuid REFERENCES voice_profiles(id) ON DELETE SET NULL,
      use_knowledge boolean NOT NULL DEFAULT true,
      -- The knowledge entries the generation drew on, as they were then: [{ id, title, category }].
      knowledge_used jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(knowledge_used) = 'array'),
      idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
      search_tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, concept), 'B')
      ) STORED,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, idempotency_key)
    )`.execute(db);
  await sql`CREATE INDEX writer_sessions_user_recent_idx ON writer_sessions (user_id, updated_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX writer_sessions_search_idx ON writer_sessions USING gin (search_tsv)`.execute(db);
  await touchUpdatedAt(db, "writer_sessions");
  await enableRls(db, "writer_sessions", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    userColumnUpdates: ["title", "title_source", "knowledge_used", "updated_at"],
    system: ["SELECT"],
  });

  const ownSession = (table: string) =>
    `user_id = (SELECT app.current_user_id()) AND EXISTS (SELECT 1 FROM writer_sessions s WHERE s.id = ${table}.session_id AND s.user_id = (SELECT app.current_user_id()))`;

  await sql`
    CREATE TABLE writer_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES writer_sessions(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      seq integer NOT NULL CHECK (seq > 0),
      role text NOT NULL CHECK (role IN ('user', 'assistant')),
      content text NOT NULL CHECK (length(content) BETWEEN 1 AND 5000),
      -- The formats an instruction was for (all of the session's when it named none).
      formats text[] NOT NULL DEFAULT '{}',
      idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (session_id, seq)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX writer_messages_idempotency_idx ON writer_messages (session_id, idempotency_key) WHERE idempotency_key IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX writer_messages_user_idx ON writer_messages (user_id)`.execute(db);
  await enableRls(db, "writer_messages", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: { insert: ownSession("writer_messages") },
    system: ["SELECT"],
  });

  await sql`
    CREATE TABLE writer_outputs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id uuid NOT NULL REFERENCES writer_sessions(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      format text NOT NULL CHECK (format IN ('linkedin_post', 'x_thread', 'threads_post', 'blog_article', 'newsletter')),
      position smallint NOT NULL CHECK (position >= 0),
      status text NOT NULL DEFAULT 'streaming' CHECK (status IN ('streaming', 'ready', 'failed')),
      error text CHECK (length(error) <= 1000),
      draft text NOT NULL DEFAULT '' CHECK (length(draft) <= 200000),
      current_version_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (session_id, format)
    )`.execute(db);
  await sql`CREATE INDEX writer_outputs_user_idx ON writer_outputs (user_id)`.execute(db);
  // The sweep of generations left streaming by a dead process.
  await sql`CREATE INDEX writer_outputs_streaming_idx ON writer_outputs (updated_at) WHERE status = 'streaming'`.execute(db);
  await touchUpdatedAt(db, "writer_outputs");
  await enableRls(db, "writer_outputs", {
    user: { select: "user_id", update: "user_id", delete: "user_id" },
    userExpr: { insert: ownSession("writer_outputs") },
    userColumnUpdates: ["status", "error", "draft", "current_version_id"],
    system: ["SELECT", "UPDATE"],
  });

  await sql`
    CREATE TABLE writer_output_versions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      output_id uuid NOT NULL REFERENCES writer_outputs(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      number integer NOT NULL CHECK (number > 0),
      content text NOT NULL CHECK (length(content) BETWEEN 1 AND 100000),
      -- A thread's posts ("1/n …"); null for single texts.
      parts text[],
      source text NOT NULL CHECK (source IN ('generated', 'iteration', 'edit', 'restore')),
      instruction text CHECK (length(instruction) <= 2000),
      restored_from_id uuid,
      char_count integer NOT NULL CHECK (char_count >= 0),
      -- The metered generation that wrote it (null for edits and restores).
      generation_id uuid,
      model text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (output_id, number),
      UNIQUE (id, output_id)
    )`.execute(db);
  await sql`CREATE INDEX writer_output_versions_user_idx ON writer_output_versions (user_id)`.execute(db);
  await enableRls(db, "writer_output_versions", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: {
      insert:
        "user_id = (SELECT app.current_user_id()) AND EXISTS (SELECT 1 FROM writer_outputs o WHERE o.id = writer_output_versions.output_id AND o.user_id = (SELECT app.current_user_id()))",
    },
    system: ["SELECT"],
  });
  // The current version is one of the output's own (deferred: an output and its first version are written together).
  await sql`
    ALTER TABLE writer_outputs ADD CONSTRAINT writer_outputs_current_version_fk
      FOREIGN KEY (current_version_id, id) REFERENCES writer_output_versions (id, output_id)
      DEFERRABLE INITIALLY DEFERRED`.execute(db);

  await sql`
    CREATE TABLE writer_projects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      session_id uuid NOT NULL UNIQUE REFERENCES writer_sessions(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
      tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX writer_projects_user_recent_idx ON writer_projects (user_id, updated_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX writer_projects_tags_idx ON writer_projects USING gin (tags)`.execute(db);
  await touchUpdatedAt(db, "writer_projects");
  await enableRls(db, "writer_projects", {
    user: { select: "user_id", update: "user_id", delete: "user_id" },
    userExpr: { insert: ownSession("writer_projects") },
    userColumnUpdates: ["name", "description", "tags"],
  });
}
