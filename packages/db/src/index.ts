export { createDb, type Database, type CreateDbOptions } from "./client.ts";
export { asUser, asSession, asSystem, USER_ROLE, SYSTEM_ROLE, type Tx, type SessionAuth } from "./rls.ts";
export { migrateToLatest, databaseIsReachable } from "./migrate.ts";
export { rlsCatalogProblems } from "./catalog-lint.ts";
export type { DB } from "./generated/db.ts";
export type * as Tables from "./generated/db.ts";
