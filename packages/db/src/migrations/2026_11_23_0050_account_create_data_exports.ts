import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * "Your data" exports (issue 13, seed 001's GDPR export): one row per request. The worker
 * (`account.build-export`) reads every user-owned table as the user, zips JSON and their stored files,
 * stores the zip through the files module (`file_id`) and marks the row ready until `expires_at`, when
 * the hourly sweep deletes the zip. At most one export is open (pending or building) per user. The user
 * reads and requests their own; only the system role moves a request along (so nobody can mark a zip of
 * their choosing as their export).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE data_exports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'building', 'ready', 'failed', 'expired')),
      file_id uuid REFERENCES stored_files(id) ON DELETE SET NULL,
      byte_size bigint CHECK (byte_size >= 0),
      table_count integer CHECK (table_count >= 0),
      row_count integer CHECK (row_count >= 0),
      file_count integer CHECK (file_count >= 0),
      error text CHECK (char_length(error) <= 300),
      requested_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX data_exports_user_idx ON data_exports (user_id, requested_at DESC)`.execute(db);
  await sql`CREATE UNIQUE INDEX data_exports_one_open_key ON data_exports (user_id) WHERE status IN ('pending', 'building')`.execute(
    db,
  );
  await sql`CREATE INDEX data_exports_expiry_idx ON data_exports (expires_at) WHERE status = 'ready'`.execute(db);
  await touchUpdatedAt(db, "data_exports");
  await enableRls(db, "data_exports", {
    user: { select: "user_id" },
    userExpr: { insert: `user_id = (SELECT app.current_user_id()) AND status = 'pending' AND file_id IS NULL` },
    system: ["SELECT", "UPDATE", "DELETE"],
  });
}
