import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DB } from "./generated/db.ts";
import { registerVectorType } from "./vector.ts";

// bigint/int8 (counts, sums) arrive as strings by default; our sums stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export type Database = Kysely<DB>;

export interface CreateDbOptions {
  url: string;
  /** Pool size; api and worker size it for their own concurrency. */
  max?: number;
  applicationName?: string;
}

const pools = new WeakMap<Database, pg.Pool>();

export function createDb(options: CreateDbOptions): { db: Database; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "inkwell",
    keepAlive: true,
    // A request should fail clearly rather than hang when the pool is starved or the server is gone.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener Node exits.
  pool.on("error", () => {});
  registerVectorType(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return { db, pool };
}

/** The pg pool behind a Database made by createDb (rls.ts needs raw clients for its one-trip setup). */
export function poolOf(db: Database): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("database was not created by createDb");
  return pool;
}

const bound = new WeakMap<pg.PoolClient, Database>();

/** A Kysely instance that runs every query on this one checked-out client (cached per client). */
export function bindToClient(client: pg.PoolClient): Database {
  let db = bound.get(client);
  if (!db) {
    const single = {
      connect: async () => ({ query: client.query.bind(client), release() {} }),
      end: async () => {},
    };
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: single as unknown as pg.Pool }) });
    bound.set(client, db);
  }
  return db;
}
