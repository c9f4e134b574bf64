/**
 * Regenerates src/generated/db.ts from a freshly migrated embedded database, so the Kysely `DB`
 * interface is the schema the migrations produce. `--check` fails (exit 1) when the file is stale;
 * the test command runs it.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { startEmbeddedDatabase } from "../src/embedded.ts";
import { migrateToLatest } from "../src/migrate.ts";

const check = process.argv.includes("--check");
const outFile = fileURLToPath(new URL("../src/generated/db.ts", import.meta.url));
const embedded = await startEmbeddedDatabase();
try {
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: embedded.url, max: 2 }) }) });
  await migrateToLatest(db);
  const overrides = await vectorColumnTypes(db);
  await db.destroy();
  const bin = fileURLToPath(new URL("../node_modules/.bin/kysely-codegen", import.meta.url));
  // Async spawn: the embedded server lives in this process, so blocking the event loop would deadlock.
  const child = spawn(
    bin,
    [
      "--dialect",
      "postgres",
      "--url",
      embedded.url,
      "--out-file",
      outFile,
      "--include-pattern",
      "public.*",
      "--exclude-pattern",
      "public.kysely_*",
      "--type-mapping",
      JSON.stringify({ timestamptz: "Date" }),
      "--overrides",
      JSON.stringify({ columns: overrides }),
      "--custom-imports",
      JSON.stringify({ VectorValue: "../vector.ts" }),
      ...(check ? ["--verify"] : []),
    ],
    { stdio: "inherit" },
  );
  const [status] = (await once(child, "exit")) as [number | null];
  if (status !== 0) {
    if (check) console.error("src/generated/db.ts is stale: run `pnpm db:codegen` and commit the result.");
    process.exitCode = status ?? 1;
  }
} finally {
  await embedded.stop();
}

/**
 * Every pgvector column's type: read as number[] (the pool registers pgvector's parser), written only
 * as a `toVector(...)` value, since a plain array would reach Postgres as an array literal. Found in
 * the schema, so a new vector column is typed without a list to keep.
 */
async function vectorColumnTypes(db: Kysely<any>): Promise<Record<string, string>> {
  const { rows } = await sql<{ table_name: string; column_name: string; is_nullable: "YES" | "NO" }>`
    SELECT table_name, column_name, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' AND udt_name = 'vector' ORDER BY table_name, column_name`.execute(db);
  return Object.fromEntries(
    rows.map((c) => {
      const n = c.is_nullable === "YES" ? " | null" : "";
      return [`${c.table_name}.${c.column_name}`, `ColumnType<number[]${n}, VectorValue${n}, VectorValue${n}>`];
    }),
  );
}
