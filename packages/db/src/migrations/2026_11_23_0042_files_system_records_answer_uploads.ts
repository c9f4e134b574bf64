import { type Kysely, sql } from "kysely";

/**
 * The storyteller uploads through an answer link, with no account and so no session: the upload route
 * checks the link and records the file as the system role, owned by the campaign's primary owner (a
 * file row needs an owner; theirs is the campaign the file is for). Before this, only users inserted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`GRANT INSERT ON stored_files TO inkwell_system`.execute(db);
}
