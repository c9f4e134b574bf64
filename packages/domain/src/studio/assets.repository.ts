/** The only SQL of the asset library. Everything runs as the user: RLS (migration 0052) scopes every row. */
import type { Tables, Tx } from "@inkwell/db";
import { type Insertable, type Selectable, sql } from "kysely";
import { type AssetKind, type BulkAssetAction, MAX_ASSET_TAGS } from "./assets.schemas.ts";

export type AssetRow = Selectable<Tables.StudioAssets>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that are not uuids can name no row (and would make Postgres raise). */
export const uuidsOnly = (ids: readonly string[]) => [...new Set(ids.filter((id) => UUID.test(id)))];

export function insertAsset(tx: Tx, row: Insertable<Tables.StudioAssets>): Promise<AssetRow | undefined> {
  return tx
    .insertInto("studio_assets")
    .values(row)
    .onConflict((oc) => oc.column("file_id").doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findAsset(tx: Tx, id: string): Promise<AssetRow | undefined> {
  if (!UUID.test(id)) return Promise.resolve(undefined);
  return tx.selectFrom("studio_assets").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findAssets(tx: Tx, ids: readonly string[]): Promise<AssetRow[]> {
  const valid = uuidsOnly(ids);
  if (!valid.length) return Promise.resolve([]);
  return tx.selectFrom("studio_assets").selectAll().where("id", "in", valid).execute();
}

export async function ownedIds(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  const valid = uuidsOnly(ids);
  if (!valid.length) return new Set();
  const rows = await tx.selectFrom("studio_assets").select("id").where("id", "in", valid).execute();
  return new Set(rows.map((r) => r.id));
}

export async function isAttached(tx: Tx, fileId: string): Promise<boolean> {
  return !!(await tx.selectFrom("studio_assets").select("id").where("file_id", "=", fileId).executeTakeFirst());
}

export function fileOf(tx: Tx, assetId: string) {
  if (!UUID.test(assetId)) return Promise.resolve(undefined);
  return tx
    .selectFrom("studio_assets as a")
    .innerJoin("stored_files as f", "f.id", "a.file_id")
    .select(["f.id as fileId", "f.content_type as contentType", "f.storage_key as storageKey"])
    .where("a.id", "=", assetId)
    .executeTakeFirst();
}

/** The micro-second keyset of the newest-first order: `<epoch µs>_<id>`. */
export type Cursor = { micros: string; id: string };

export interface ListFilter {
  kind?: AssetKind | undefined;
  tag?: string | undefined;
  favorite?: boolean | undefined;
  personaId?: string | undefined;
  search?: string | undefined;
  cursor?: Cursor | undefined;
  limit: number;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** Newest first; one row more than `limit` tells whether another page follows. */
export function listAssets(tx: Tx, filter: ListFilter): Promise<(AssetRow & { cursor_micros: string })[]> {
  let q = tx
    .selectFrom("studio_assets")
    .selectAll()
    .select(sql<string>`(extract(epoch from created_at) * 1000000)::bigint::text`.as("cursor_micros"));
  if (filter.kind) q = q.where("kind", "=", filter.kind);
  if (filter.tag) q = q.where(sql<boolean>`tags @> ARRAY[${filter.tag}]::text[]`);
  if (filter.favorite !== undefined) q = q.where("is_favorite", "=", filter.favorite);
  if (filter.personaId) q = q.where("persona_id", "=", filter.personaId);
  if (filter.search) q = q.where("filename", "ilike", `%${likeEscape(filter.search)}%`);
  if (filter.cursor) {
    const { micros, id } = filter.cursor;
    q = q.where(
      sql<boolean>`(created_at, id) < (timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond', ${id}::uuid)`,
    );
  }
  return q
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit + 1)
    .execute();
}

export function updateAsset(
  tx: Tx,
  id: string,
  patch: { filename?: string; tags?: string[]; is_favorite?: boolean; persona_id?: string | null },
): Promise<AssetRow | undefined> {
  return tx.updateTable("studio_assets").set(patch).where("id", "=", id).returningAll().executeTakeFirst();
}

/** Tags, untags or (un)favourites the caller's assets among `ids`; how many rows changed. */
export async function bulkUpdate(
  tx: Tx,
  ids: readonly string[],
  action: Exclude<BulkAssetAction, "delete">,
  tag?: string,
): Promise<number> {
  const valid = uuidsOnly(ids);
  if (!valid.length) return 0;
  let q = tx.updateTable("studio_assets").where("id", "in", valid);
  // An asset already at the tag cap is passed over (the table's check would fail the whole selection).
  if (action === "tag")
    q = q
      .set({ tags: sql<string[]>`array_append(tags, ${tag}::text)` })
      .where(sql<boolean>`NOT (tags @> ARRAY[${tag}]::text[])`)
      .where(sql<boolean>`cardinality(tags) < ${MAX_ASSET_TAGS}`);
  else if (action === "untag")
    q = q.set({ tags: sql<string[]>`array_remove(tags, ${tag}::text)` }).where(sql<boolean>`tags @> ARRAY[${tag}]::text[]`);
  else q = q.set({ is_favorite: action === "favorite" }).where("is_favorite", "=", action !== "favorite");
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes the caller's assets among `ids`, answering their file ids (the files go next, same transaction). */
export async function deleteAssets(tx: Tx, ids: readonly string[]): Promise<{ count: number; fileIds: string[] }> {
  const valid = uuidsOnly(ids);
  if (!valid.length) return { count: 0, fileIds: [] };
  const rows = await tx
    .deleteFrom("studio_assets")
    .where("id", "in", valid)
    .returning(["file_id", "thumbnail_file_id"])
    .execute();
  return { count: rows.length, fileIds: rows.flatMap((r) => [r.file_id, ...(r.thumbnail_file_id ? [r.thumbnail_file_id] : [])]) };
}

/** Does the caller have this persona? (Personas arrive with migration 0053; before it, none exists.) */
export async function personaVisible(tx: Tx, personaId: string): Promise<boolean> {
  const table = await sql<{ present: boolean }>`SELECT to_regclass('model_personas') IS NOT NULL AS present`.execute(tx);
  if (!table.rows[0]?.present) return false;
  const found = await sql`SELECT 1 FROM model_personas WHERE id = ${personaId}::uuid`.execute(tx);
  return found.rows.length > 0;
}
