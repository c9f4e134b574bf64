/**
 * The only SQL of the account module. The export reads other modules' tables generically (names from
 * the catalog, checked against the decision list in account.plan.ts, never from input); deletion
 * touches `users`, `stories` and `campaigns` as the system role, which is the one place an account ends.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";

export type ExportRow = Selectable<Tables.DataExports>;

/** Tables in `public` with a `user_id` column (base tables only: views are not data of their own). */
export async function tablesWithUserId(tx: Tx): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    SELECT c.table_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND c.column_name = 'user_id' AND t.table_type = 'BASE TABLE'
     ORDER BY c.table_name`.execute(tx);
  return rows.map((r) => r.table_name);
}

/** The columns of a table the current role may read, in table order. */
export async function readableColumns(tx: Tx, table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = ${table}
     ORDER BY ordinal_position`.execute(tx);
  return rows.map((r) => r.column_name);
}

/** Every row of `table` whose `column` equals `value`, with only `columns` (identifiers quoted). */
export async function selectRows(
  tx: Tx,
  table: string,
  columns: readonly string[],
  column: string,
  value: string,
): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM ${sql.table(table)}
     WHERE ${sql.ref(column)} = ${value} ORDER BY 1`.execute(tx);
  return rows;
}

/** Rows of `table` whose `column` points at a `parent` row owned by `userId`. */
export async function selectRowsThroughParent(
  tx: Tx,
  table: string,
  columns: readonly string[],
  column: string,
  parent: string,
  userId: string,
): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT ${sql.join(columns.map((c) => sql.ref(`t.${c}`)))} FROM ${sql.table(table)} AS t
     WHERE ${sql.ref(`t.${column}`)} IN (SELECT p.id FROM ${sql.table(parent)} AS p WHERE p.user_id = ${userId})
     ORDER BY 1`.execute(tx);
  return rows;
}

export interface OwnedFile {
  id: string;
  purpose: string;
  filename: string;
  storage_key: string;
}

export function ownedFiles(tx: Tx, userId: string, excludePurpose: string): Promise<OwnedFile[]> {
  return tx
    .selectFrom("stored_files")
    .select(["id", "purpose", "filename", "storage_key"])
    .where("user_id", "=", userId)
    .where("purpose", "<>", excludePurpose)
    .orderBy("created_at")
    .execute();
}

// data_exports

export function insertExport(tx: Tx, userId: string): Promise<ExportRow> {
  return tx.insertInto("data_exports").values({ user_id: userId }).returningAll().executeTakeFirstOrThrow();
}

export function listExports(tx: Tx, limit: number): Promise<ExportRow[]> {
  return tx.selectFrom("data_exports").selectAll().orderBy("requested_at", "desc").limit(limit).execute();
}

export function lastRequest(tx: Tx): Promise<Pick<ExportRow, "requested_at" | "status"> | undefined> {
  return tx.selectFrom("data_exports").select(["requested_at", "status"]).orderBy("requested_at", "desc").executeTakeFirst();
}

/** As system: claims a request for building (pending, or a failed/building one on a retry). */
export function startBuilding(tx: Tx, exportId: string, userId: string): Promise<ExportRow | undefined> {
  return tx
    .updateTable("data_exports")
    .set({ status: "building", error: null })
    .where("id", "=", exportId)
    .where("user_id", "=", userId)
    .where("status", "in", ["pending", "building", "failed"])
    .returningAll()
    .executeTakeFirst();
}

/**
 * Marks a request ready with its zip, unless another copy of the job got there first (a job delivered
 * twice claims the same request: the first to finish wins, the other discards its zip). False then.
 */
export async function markReady(
  tx: Tx,
  exportId: string,
  values: { fileId: string; byteSize: number; tableCount: number; rowCount: number; fileCount: number; expiresAt: Date },
): Promise<boolean> {
  const row = await tx
    .updateTable("data_exports")
    .set({
      status: "ready",
      file_id: values.fileId,
      byte_size: values.byteSize,
      table_count: values.tableCount,
      row_count: values.rowCount,
      file_count: values.fileCount,
      finished_at: sql<Date>`now()`,
      expires_at: values.expiresAt,
    })
    .where("id", "=", exportId)
    .where("status", "in", ["building", "failed"])
    .where("file_id", "is", null)
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}

export async function markFailed(tx: Tx, exportId: string, error: string): Promise<void> {
  await tx
    .updateTable("data_exports")
    .set({ status: "failed", error: error.slice(0, 300), finished_at: sql<Date>`now()` })
    .where("id", "=", exportId)
    .where("status", "in", ["pending", "building"])
    .execute();
}

/** As system: ready exports past their expiry, with their zip's storage key. */
export function expiredExports(tx: Tx, limit: number) {
  return tx
    .selectFrom("data_exports as e")
    .leftJoin("stored_files as f", "f.id", "e.file_id")
    .select(["e.id", "e.file_id", "f.storage_key"])
    .where("e.status", "=", "ready")
    .where("e.expires_at", "<", sql<Date>`now()`)
    .limit(limit)
    .execute();
}

export async function expireExport(tx: Tx, exportId: string, fileId: string | null): Promise<void> {
  if (fileId) await tx.deleteFrom("stored_files").where("id", "=", fileId).execute();
  await tx.updateTable("data_exports").set({ status: "expired", file_id: null }).where("id", "=", exportId).execute();
}

// deletion

export function findPasswordHash(tx: Tx, userId: string): Promise<{ password_hash: string; email: string } | undefined> {
  return tx.selectFrom("users").select(["password_hash", "email"]).where("id", "=", userId).executeTakeFirst();
}

export function findEmail(tx: Tx, userId: string): Promise<{ email: string } | undefined> {
  return tx.selectFrom("users").select(["email"]).where("id", "=", userId).executeTakeFirst();
}

export async function insertDeletion(tx: Tx, userId: string): Promise<void> {
  await tx
    .insertInto("account_deletions")
    .values({ user_id: userId })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
}

export function findDeletion(tx: Tx): Promise<{ requested_at: Date } | undefined> {
  return tx.selectFrom("account_deletions").select(["requested_at"]).executeTakeFirst();
}

/**
 * Counts a guess at the password before deleting (identity's fixed-window counter table, the same
 * atomic upsert as its sign-in throttle, so concurrent guesses see distinct counts).
 */
export async function hitThrottle(
  tx: Tx,
  key: string,
  windowSeconds: number,
): Promise<{ attempts: number; retryAfterSeconds: number }> {
  const { rows } = await sql<{ attempts: number; retry_after: number }>`
    INSERT INTO auth_throttles AS t (key, window_started_at, attempts) VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      attempts = CASE WHEN t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE t.attempts + 1 END,
      window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE t.window_started_at END
    RETURNING attempts,
      greatest(1, ceil(extract(epoch FROM (window_started_at + make_interval(secs => ${windowSeconds}) - now()))))::int AS retry_after
  `.execute(tx);
  const row = rows[0];
  if (!row) throw new Error("throttle upsert returned nothing");
  return { attempts: row.attempts, retryAfterSeconds: row.retry_after };
}

export async function clearThrottle(tx: Tx, key: string): Promise<void> {
  await tx.deleteFrom("auth_throttles").where("key", "=", key).execute();
}

export async function deleteSessions(tx: Tx, userId: string): Promise<void> {
  await tx.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export async function countDeletedObjects(tx: Tx, userId: string, count: number): Promise<void> {
  await tx.updateTable("account_deletions").set({ objects_deleted: count }).where("user_id", "=", userId).execute();
}

/** Every storage key of the user's files (as system). */
export async function storageKeys(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx.selectFrom("stored_files").select("storage_key").where("user_id", "=", userId).execute();
  return rows.map((r) => r.storage_key);
}

/**
 * Campaigns whose primary owner is leaving but that have another active owner: passed to the one who
 * joined first, so the family keeps its stories (as system; the member trigger checks the new owner).
 */
export async function passOnCampaigns(tx: Tx, userId: string): Promise<number> {
  const result = await sql`
    UPDATE campaigns c SET user_id = heir.user_id
      FROM (SELECT DISTINCT ON (m.campaign_id) m.campaign_id, m.user_id
              FROM family_members m JOIN campaigns c2 ON c2.id = m.campaign_id
             WHERE c2.user_id = ${userId} AND m.user_id <> ${userId} AND m.role = 'owner' AND m.status = 'active'
             ORDER BY m.campaign_id, m.joined_at NULLS LAST, m.created_at) AS heir
     WHERE c.id = heir.campaign_id`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

/** Stories the leaving user wrote in campaigns that stay: the name goes, the story stays. */
export async function anonymiseStories(tx: Tx, userId: string, formerName: string): Promise<void> {
  await tx.updateTable("stories").set({ author_name: formerName }).where("user_id", "=", userId).execute();
}

/** The account row; everything with its id goes by cascade (SET NULL where a row outlives its author). */
export async function deleteUser(tx: Tx, userId: string): Promise<boolean> {
  // Lets the cascade take the user's ordered books (the books guard refuses that to anyone else; see
  // migration 0051). Transaction-local: it ends with this transaction.
  await sql`SELECT set_config('app.ending_account', 'on', true)`.execute(tx);
  const row = await tx.deleteFrom("users").where("id", "=", userId).returning("id").executeTakeFirst();
  return Boolean(row);
}
