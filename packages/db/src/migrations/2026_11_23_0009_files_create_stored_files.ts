import { type Kysely, sql } from "kysely";
import { enableRls } from "./helpers.ts";

/**
 * Uploaded files, for the whole product (brand logos, voice samples, post media). The bytes live in the
 * storage adapter (local disk or S3-compatible); this row is the file's metadata and its owner.
 * `content_type` is what the bytes were sniffed to be, never what the client claimed, and `sha256`
 * lets the serving route send a strong ETag and spot corruption. Files are immutable: a new upload is
 * a new row. `purpose` is a free label checked for shape (new purposes need no migration).
 *
 * The system role reads rows for the signed-URL route (the signature, not a session, is the
 * authority there) and deletes them for cleanup.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE stored_files (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9_]{0,39}$'),
      storage_key text NOT NULL UNIQUE CHECK (length(storage_key) BETWEEN 1 AND 300),
      filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
      content_type text NOT NULL CHECK (length(content_type) BETWEEN 3 AND 100),
      byte_size integer NOT NULL CHECK (byte_size >= 0),
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX stored_files_user_idx ON stored_files (user_id, purpose, created_at DESC)`.execute(db);
  await enableRls(db, "stored_files", {
    user: { select: "user_id", insert: "user_id", delete: "user_id" },
    system: ["SELECT", "DELETE"],
  });
}
