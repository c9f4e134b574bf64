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
  // An ordered book may not be deleted (0044/0047's guard), but an account that ordered one must still
  // end: its cascade deletes the user's books. The guard stands aside only in the one transaction that
  // ends an account, which sets `app.ending_account` for itself, and never in a user's transaction
  // (those carry `app.user_id`). Not `current_user`: a cascade runs as the table's owner. The guard's
  // body stays the books module's; only its firing condition changes.
  await sql`DROP TRIGGER books_guard ON books`.execute(db);
  await sql`
    CREATE TRIGGER books_guard BEFORE UPDATE OR DELETE ON books FOR EACH ROW
      WHEN (coalesce(current_setting('app.ending_account', true), '') <> 'on'
         OR coalesce(current_setting('app.user_id', true), '') <> '')
      EXECUTE FUNCTION app.books_guard()`.execute(db);
}
