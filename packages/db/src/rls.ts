/**
 * The only code that tells Postgres who is asking. Every authenticated call runs in one transaction
 * that (1) sets `app.user_id` for the policies and (2) switches to the unprivileged `inkwell_user`
 * role, both transaction-local so they end with it and never leak to the next user of the pooled
 * connection.
 *
 * Cost: the naive wrapper (BEGIN / set_config / SET ROLE / query / COMMIT) is five round trips.
 * Here BEGIN, the role switch and the session lookup travel as one simple-protocol message, so a
 * one-query call costs three. Values are interpolated into that message only after being checked to
 * be a canonical UUID, a 32-byte hash (hex) or an integer.
 */
import type pg from "pg";
import { bindToClient, type Database, poolOf } from "./client.ts";

declare const rlsTransaction: unique symbol;
/**
 * A connection inside one of the transactions below, with the role and user already set. A distinct
 * type (a brand over the pool's type), so passing the pool where a repository wants the caller's
 * transaction does not compile: on a superuser connection (the embedded database) that would bypass RLS.
 */
export type Tx = Database & { readonly [rlsTransaction]: true };

export const USER_ROLE = "inkwell_user";
export const SYSTEM_ROLE = "inkwell_system";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SessionAuth {
  userId: string;
  sessionId: string;
  role: "user" | "admin";
  email: string;
  emailVerified: boolean;
  subscriptionTier: "free" | "basic" | "pro" | "enterprise";
  sessionExpiresAt: Date;
}

/**
 * A client from the pool, listened to while it is out. A checked-out pg client whose connection drops
 * (a restarted server, a terminated backend, a network cut) emits 'error', and the pool listens only
 * to idle clients: with no listener that is an uncaught exception, which ends the whole process. The
 * query in flight is rejected all the same (that is how the caller learns of it), and a client whose
 * connection was lost is discarded on release rather than returned to the pool.
 */
async function checkOut(db: Database) {
  const client = await poolOf(db).connect();
  let lost = false;
  const onError = () => {
    lost = true;
  };
  client.on("error", onError);
  return {
    client,
    release(broken: boolean) {
      client.removeListener("error", onError);
      client.release(broken || lost);
    },
  };
}

async function inTransaction<T>(
  db: Database,
  setup: string,
  fn: (tx: Tx, setupRows: Record<string, unknown>[]) => Promise<T>,
): Promise<T> {
  const { client, release } = await checkOut(db);
  let broken = false;
  try {
    const results = (await client.query(setup)) as unknown as pg.QueryResult[] | pg.QueryResult;
    const last = Array.isArray(results) ? results[results.length - 1] : results;
    const result = await fn(bindToClient(client) as Tx, last?.rows ?? []);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // Whatever failed (setup, the work, COMMIT), the connection must not go back inside a transaction;
    // a connection that cannot even roll back is discarded instead of returned to the pool.
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    release(broken);
  }
}

/** Run `fn` as `userId` under row-level security, in one transaction (workers acting for one user). */
export function asUser<T>(db: Database, userId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!UUID.test(userId)) throw new Error("asUser: user id must be a UUID");
  return inTransaction(
    db,
    `BEGIN; SET LOCAL ROLE ${USER_ROLE}; SELECT set_config('app.user_id', '${userId.toLowerCase()}', true)`,
    (tx) => fn(tx),
  );
}

/**
 * Resolve a session token hash and run `fn` as its user, in one transaction. `fn` receives null when
 * the session is unknown or expired (the caller decides: anonymous, or UNAUTHORIZED).
 */
export function asSession<T>(
  db: Database,
  tokenHash: Buffer,
  idleSeconds: number,
  fn: (tx: Tx, auth: SessionAuth | null) => Promise<T>,
): Promise<T> {
  if (tokenHash.length !== 32) throw new Error("asSession: token hash must be 32 bytes");
  if (!Number.isInteger(idleSeconds) || idleSeconds <= 0) throw new Error("asSession: idle seconds must be a positive integer");
  return inTransaction(
    db,
    `BEGIN; SET LOCAL ROLE ${USER_ROLE}; SELECT * FROM app.authenticate('\\x${tokenHash.toString("hex")}'::bytea, ${idleSeconds})`,
    (tx, rows) => {
      const row = rows[0];
      const auth: SessionAuth | null = row
        ? {
            userId: row.user_id as string,
            sessionId: row.session_id as string,
            role: row.role as SessionAuth["role"],
            email: row.email as string,
            emailVerified: row.email_verified as boolean,
            subscriptionTier: row.subscription_tier as SessionAuth["subscriptionTier"],
            sessionExpiresAt: row.session_expires_at as Date,
          }
        : null;
      return fn(tx, auth);
    },
  );
}

/**
 * An argument of `callAsUser` / `callAsSystem`: each travels as a literal whose text is checked or
 * hex-encoded (no quoting); null is a typed NULL. `int` is a Postgres integer (int4); `texts` and
 * `ints` are arrays of them.
 */
export type CallArg =
  | { uuid: string | null }
  | { int: number | null }
  | { text: string | null }
  | { texts: readonly string[] }
  | { ints: readonly number[] };

function intLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error("callAsUser: not an integer");
  // Typed, as a bound parameter would be: a bare literal past 2^31 is a bigint, and no function takes
  // (…, bigint, …), so Postgres answered "function does not exist" (a 500) instead of "out of range".
  // Quoted: a bare -2147483648::integer casts 2147483648 (out of range) before the minus applies.
  return `'${value}'::integer`;
}

// Hex digits only, whatever the text holds (quotes, backslashes): nothing in it can end the literal.
// COLLATE "default": convert_from's encoding argument is a `name`, collated "C", and the decoded text
// took that collation into the function, whose comparisons with indexed columns then could not use
// their indexes (app.charge_credits read every earlier charge of the account to find a key).
const textLiteral = (value: string) =>
  `convert_from(decode('${Buffer.from(value, "utf8").toString("hex")}', 'hex'), 'UTF8') COLLATE "default"`;

function literal(arg: CallArg): string {
  if ("uuid" in arg) {
    if (arg.uuid === null) return "NULL::uuid";
    if (!UUID.test(arg.uuid)) throw new Error("callAsUser: not a UUID");
    return `'${arg.uuid.toLowerCase()}'::uuid`;
  }
  if ("int" in arg) return arg.int === null ? "NULL::integer" : intLiteral(arg.int);
  if ("texts" in arg) return `ARRAY[${arg.texts.map(textLiteral).join(", ")}]::text[]`;
  if ("ints" in arg) return `ARRAY[${arg.ints.map(intLiteral).join(", ")}]::integer[]`;
  return arg.text === null ? "NULL::text" : textLiteral(arg.text);
}

/**
 * Calls SQL functions as `userId` under row-level security in ONE round trip: BEGIN, the role switch,
 * the user id, one `SELECT * FROM fn(args)` per entry of `calls` and COMMIT travel as one
 * simple-protocol message (asUser + one statement is three trips). Any row lock a function takes is
 * held only while the server runs the calls and commits, never across a trip to the client, which is
 * what bounds a hot row. All or nothing: an error in any call rolls them all back (one more trip) and
 * is thrown. For functions that report outcomes as rows. Returns each call's rows, in order.
 */
export async function callAsUser(
  db: Database,
  userId: string,
  fn: string,
  calls: CallArg[][],
): Promise<Record<string, unknown>[][]> {
  if (!UUID.test(userId)) throw new Error("callAsUser: user id must be a UUID");
  return callInOneMessage(
    db,
    [`SET LOCAL ROLE ${USER_ROLE}`, `SELECT set_config('app.user_id', '${userId.toLowerCase()}', true)`],
    fn,
    calls,
  );
}

/** `callAsUser` as the system role (work that spans users, e.g. the per-address rate limit): one round trip. */
export async function callAsSystem(db: Database, fn: string, calls: CallArg[][]): Promise<Record<string, unknown>[][]> {
  return callInOneMessage(db, [`SET LOCAL ROLE ${SYSTEM_ROLE}`], fn, calls);
}

async function callInOneMessage(
  db: Database,
  setup: string[],
  fn: string,
  calls: CallArg[][],
): Promise<Record<string, unknown>[][]> {
  if (!/^app\.[a-z_][a-z0-9_]*$/.test(fn)) throw new Error("callAsUser: function must be app.<name>");
  if (calls.length === 0) return [];
  const message = [
    "BEGIN",
    ...setup,
    ...calls.map((args) => `SELECT * FROM ${fn}(${args.map(literal).join(", ")})`),
    "COMMIT",
  ].join("; ");
  const { client, release } = await checkOut(db);
  let broken = false;
  try {
    const results = (await client.query(message)) as unknown as pg.QueryResult[];
    return calls.map((_, i) => results[1 + setup.length + i]?.rows ?? []);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    release(broken);
  }
}

/** Run `fn` as the named service role: for work that legitimately spans users (sign-in, purges). */
export function asSystem<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTransaction(db, `BEGIN; SET LOCAL ROLE ${SYSTEM_ROLE}`, (tx) => fn(tx));
}
