/** `pnpm db:migrate`: apply pending migrations to DATABASE_URL. */
import { createDb } from "../src/client.ts";
import { migrateToLatest } from "../src/migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. (`pnpm dev` migrates the embedded database by itself.)");
  process.exit(1);
}
const { db } = createDb({ url, max: 1 });
try {
  const result = await migrateToLatest(db);
  for (const r of result.results ?? []) console.log(`${r.status.padEnd(8)} ${r.migrationName}`);
  if (!result.results?.length) console.log("database is up to date");
} finally {
  await db.destroy();
}
