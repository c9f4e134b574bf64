export { createDb, createPool, type Database, type CreateDbOptions } from "./client.ts";
export { asUser, asSystem, USER_ROLE, SYSTEM_ROLE, type Tx } from "./rls.ts";
export { migrateToLatest, databaseIsReachable } from "./migrate.ts";
export type { DB } from "./generated/db.ts";
export type * as Tables from "./generated/db.ts";
export { rlsCatalogProblems } from "./catalog-lint.ts";
