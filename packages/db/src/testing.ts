/**
 * A real Postgres for tests: a fresh database on the server named by DATABASE_URL (native runs), or an
 * in-memory embedded one. Either way fully migrated, and dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { startEmbeddedDatabase } from "./embedded.ts";
import { migrateToLatest } from "./migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated test database, provided by a vitest globalSetup. */
    databaseUrl: string;
  }
}

export interface TestDatabase {
  url: string;
  kind: "native" | "embedded";
  teardown(): Promise<void>;
}

async function migrate(url: string): Promise<void> {
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

/** `migrate: false` leaves it empty (no extension, no tables): for what must work before the first migration. */
export async function provisionTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  const migrated = options.migrate ?? true;
  if (!base) {
    const embedded = await startEmbeddedDatabase();
    if (migrated) await migrate(embedded.url);
    return { url: embedded.url, kind: "embedded", teardown: () => embedded.stop() };
  }
  const name = `inkwell_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  if (migrated) await migrate(url.toString());
  return {
    url: url.toString(),
    kind: "native",
    async teardown() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
