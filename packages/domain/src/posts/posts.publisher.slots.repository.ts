/**
 * The SQL of the shared request slots (posts.publisher.slots.ts). A slot is the session advisory lock
 * (hashtext('inkwell.publish-host:' || host), slot): two int4 keys, a lock space apart from the app's
 * one-key locks. These run on the slots' own session, never in a transaction: a session lock outlives
 * each statement and goes with the session, so a worker that dies gives its slots back with its socket.
 */
import type { Database } from "@inkwell/db";
import { sql } from "kysely";
import type pg from "pg";

/**
 * Takes up to `want` free slots of `host` (numbered 0 … perHost − 1) in one round trip, skipping those
 * this session holds already (an advisory lock is re-entrant within its session: taking one again
 * would count it twice). LIMIT stops the scan at the `want`-th lock taken, so no lock is taken and
 * dropped; the CASE keeps the skip ahead of the lock attempt (a WHERE's AND has no fixed order).
 */
export async function trySlots(
  session: pg.Client,
  host: string,
  perHost: number,
  held: readonly number[],
  want: number,
): Promise<number[]> {
  const result = await session.query<{ s: number }>(
    `SELECT s FROM generate_series(0, $2::int - 1) s
      WHERE CASE WHEN s = ANY($3::int[]) THEN false
                 ELSE pg_try_advisory_lock(hashtext('inkwell.publish-host:' || $1::text), s) END
      LIMIT $4::int`,
    [host, perHost, held, want],
  );
  return result.rows.map((r) => r.s);
}

/** Gives slots back (one statement for all of them). */
export async function releaseSlots(session: pg.Client, host: string, slots: readonly number[]): Promise<void> {
  await session.query(
    `SELECT count(*) FROM unnest($2::int[]) s WHERE pg_advisory_unlock(hashtext('inkwell.publish-host:' || $1::text), s)`,
    [host, slots],
  );
}

export async function sessionPid(session: pg.Client): Promise<number> {
  const result = await session.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return result.rows[0]?.pid ?? -1;
}

/** The backend a pool connection reaches: the same as the session's only on the embedded database. */
export async function poolPid(db: Database): Promise<number> {
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
  return rows[0]?.pid ?? -2;
}
