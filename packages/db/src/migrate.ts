import { type Kysely, sql } from "kysely";
import { type MigrationResultSet, Migrator } from "kysely/migration";
import { migrations } from "./migrations/index.ts";

/** Apply every pending migration; throws (with the failing migration's name) on error. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // Kysely's Migrator takes its own lock, so api, worker and tests may all call this at once.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error");
    const error = result.error instanceof Error ? result.error : new Error(String(result.error));
    error.message = `migration ${failed?.migrationName ?? "?"} failed: ${error.message}`;
    throw error;
  }
  return result;
}

export async function databaseIsReachable(db: Kysely<any>): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
