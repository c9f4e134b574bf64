import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { DB } from "./generated/db.ts";

// bigint/int8 (counts, sums) arrive as strings by default; our sums stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export type Database = Kysely<DB>;

export interface CreateDbOptions {
  url: string;
  /** Pool size; api and worker size it for their own concurrency. */
  max?: number;
  applicationName?: string;
}

export function createPool(options: CreateDbOptions): pg.Pool {
  return new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "inkwell",
    // Keep-alive and a bounded wait: a request should fail clearly rather than hang when the pool is starved.
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
}

export function createDb(options: CreateDbOptions): { db: Database; pool: pg.Pool } {
  const pool = createPool(options);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}
