export { rlsCatalogProblems } from "./catalog-lint.ts";
export { type CreateDbOptions, createDb, type Database } from "./client.ts";
export type * as Tables from "./generated/db.ts";
export type { DB } from "./generated/db.ts";
export { newestFirst, type TimeCursor } from "./keyset.ts";
export { databaseIsReachable, migrateToLatest } from "./migrate.ts";
export {
  asSession,
  asSystem,
  asUser,
  type CallArg,
  callAsSystem,
  callAsUser,
  type SessionAuth,
  SYSTEM_ROLE,
  type Tx,
  USER_ROLE,
} from "./rls.ts";
export { registerVectorType, toVector, type VectorValue, vectorBinary } from "./vector.ts";
