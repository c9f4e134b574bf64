/**
 * The only code that tells Postgres who is asking. Every authenticated call runs in one transaction
 * that (1) sets `app.user_id` for the policies and (2) switches to the unprivileged `inkwell_user`
 * role, both LOCAL so they end with the transaction and can never leak to the next pool user.
 *
 * Cost: the naive wrapper (BEGIN / set_config / SET ROLE / query / COMMIT) is five round trips.
 * Here BEGIN, SET LOCAL ROLE and set_config travel as one simple-protocol message (one round trip),
 * so a one-query call costs three. The user id is interpolated, which is safe only because it is
 * checked to be a canonical UUID first.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "./client.ts";
import type { DB } from "./generated/db.ts";

export type Tx = Kysely<DB>;

export const USER_ROLE = "inkwell_user";
export const SYSTEM_ROLE = "inkwell_system";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function inTransaction<T>(db: Database, setup: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql.raw(setup).execute(conn);
    let result: T;
    try {
      result = await fn(conn);
    } catch (error) {
      await sql`ROLLBACK`.execute(conn).catch(() => {});
      throw error;
    }
    await sql`COMMIT`.execute(conn);
    return result;
  });
}

/** Run `fn` as `userId` under row-level security, in one transaction. */
export function asUser<T>(db: Database, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(userId)) throw new Error("asUser: user id must be a UUID");
  return inTransaction(
    db,
    `BEGIN; SET LOCAL ROLE ${USER_ROLE}; SELECT set_config('app.user_id', '${userId.toLowerCase()}', true)`,
    fn,
  );
}

/** Run `fn` as the named service role: for work that legitimately spans users (sign-in, purges). */
export function asSystem<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTransaction(db, `BEGIN; SET LOCAL ROLE ${SYSTEM_ROLE}`, fn);
}
