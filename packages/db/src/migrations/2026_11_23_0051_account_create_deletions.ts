import { type Kysely, sql } from "kysely";
import { enableRls } from "./helpers.ts";

/**
 * A requested account deletion, between the password-confirmed request (which ends every session at
 * once) and the `account.delete-account` job that deletes the user's stored objects and then the
 * `users` row (everything else goes by cascade, this row included). The user may read theirs; only the
 * system role writes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE account_deletions (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      requested_at timestamptz NOT NULL DEFAULT now(),
      objects_deleted integer NOT NULL DEFAULT 0 CHECK (objects_deleted >= 0)
    )`.execute(db);
  await enableRls(db, "account_deletions", {
    user: { select: "user_id" },
    system: ["SELECT", "INSERT", "UPDATE"],
  });
}
