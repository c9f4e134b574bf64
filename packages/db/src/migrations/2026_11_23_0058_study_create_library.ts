import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * The study library (seed 004 `user_folders`, `user_library_items`; the seed's results and sharing tables
 * point at a `study_items` table it never defines: this is it). An item is a quiz, a flashcard set, a
 * study guide or a set of writing prompts; `content` is validated by the item type's zod schema in the
 * study module before it is written (the CHECK here only keeps it an object). `source` says where it came
 * from (typed by hand, generated from a topic, or from the user's documents and notes) and `citations`
 * lists the passages a generated item used.
 *
 * Rows are the owner's only here. Sharing (later migrations) grants reads through its own policies; a
 * folder must be the caller's own to file an item into it (a foreign key is checked without row security).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE study_folders (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
      description text CHECK (char_length(description) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX study_folders_user_name_idx ON study_folders (user_id, lower(name))`.execute(db);
  await touchUpdatedAt(db, "study_folders");
  await enableRls(db, "study_folders", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    userColumnUpdates: ["name", "description"],
  });

  await sql`
    CREATE TABLE study_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      folder_id uuid REFERENCES study_folders(id) ON DELETE SET NULL,
      item_type text NOT NULL CHECK (item_type IN ('quiz', 'flashcard', 'study_guide', 'writing_prompt')),
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
      topic text CHECK (char_length(topic) <= 500),
      content jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
      source text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'topic', 'documents')),
      citations jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(citations) = 'array'),
      generation_id uuid REFERENCES generations(id) ON DELETE SET NULL,
      is_placeholder boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX study_items_user_created_idx ON study_items (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX study_items_user_type_idx ON study_items (user_id, item_type)`.execute(db);
  await sql`CREATE INDEX study_items_folder_idx ON study_items (folder_id) WHERE folder_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "study_items");

  const me = "(SELECT app.current_user_id())";
  const ownFolder = `(folder_id IS NULL OR EXISTS (SELECT 1 FROM study_folders f WHERE f.id = study_items.folder_id AND f.user_id = ${me}))`;
  await enableRls(db, "study_items", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: { insert: `user_id = ${me} AND ${ownFolder}`, update: `user_id = ${me} AND ${ownFolder}` },
    userColumnUpdates: ["folder_id", "title", "topic", "content", "citations"],
    system: ["SELECT"],
  });
}
