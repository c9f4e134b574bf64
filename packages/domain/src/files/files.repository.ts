/** The only SQL of the files module. User reads and writes go through RLS; the signed-URL lookup runs as system. */
import type { Tables, Tx } from "@inkwell/db";
import { type RawBuilder, type Selectable, type SqlBool, sql } from "kysely";
import type { StoredFile } from "./files.schemas.ts";

const COLUMNS = ["id", "purpose", "filename", "content_type", "byte_size", "sha256", "storage_key", "created_at"] as const;

export type FileRow = Pick<Selectable<Tables.StoredFiles>, (typeof COLUMNS)[number]>;

export const toStoredFile = (r: FileRow): StoredFile => ({
  id: r.id,
  purpose: r.purpose,
  filename: r.filename,
  contentType: r.content_type,
  byteSize: r.byte_size,
  sha256: r.sha256,
  createdAt: r.created_at,
});

type MediaFactColumns = Pick<Selectable<Tables.StoredFiles>, "width" | "height" | "duration_ms">;

export function insertFile(
  tx: Tx,
  row: Omit<FileRow, "created_at"> & { user_id: string } & Partial<MediaFactColumns>,
): Promise<FileRow> {
  return tx.insertInto("stored_files").values(row).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function findFile(tx: Tx, id: string): Promise<FileRow | undefined> {
  return tx.selectFrom("stored_files").select(COLUMNS).where("id", "=", id).executeTakeFirst();
}

/** As system: these files, only if they belong to `userId`. */
export function findOwnedFiles(tx: Tx, userId: string, ids: readonly string[]): Promise<FileRow[]> {
  return tx
    .selectFrom("stored_files")
    .select(COLUMNS)
    .where("user_id", "=", userId)
    .where("id", "in", [...ids])
    .execute();
}

export function deleteFile(tx: Tx, id: string): Promise<{ storage_key: string } | undefined> {
  return tx.deleteFrom("stored_files").where("id", "=", id).returning(["storage_key"]).executeTakeFirst();
}

/** Which of these storage keys still have a row (the orphan sweep, as system). */
export async function existingKeys(tx: Tx, keys: string[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const rows = await tx.selectFrom("stored_files").select("storage_key").where("storage_key", "in", keys).execute();
  return new Set(rows.map((r) => r.storage_key));
}

/** A file with its storage key and owner (the media attach checks; user reads through RLS, answer links as system). */
export function findFileWithKey(tx: Tx, where: { id: string } | { storageKey: string }) {
  const query = tx.selectFrom("stored_files").select([...COLUMNS, "user_id", "width", "height", "duration_ms"]);
  return (
    "id" in where ? query.where("id", "=", where.id) : query.where("storage_key", "=", where.storageKey)
  ).executeTakeFirst();
}

/** As system: rows of these ids, for deleting a removed photo's or recording's files. */
export function deleteFiles(tx: Tx, ids: readonly string[]): Promise<{ storage_key: string }[]> {
  if (!ids.length) return Promise.resolve([]);
  return tx
    .deleteFrom("stored_files")
    .where("id", "in", [...ids])
    .returning(["storage_key"])
    .execute();
}

/**
 * The upload purposes the unattached sweep covers, and where each is attached: a row in any of these
 * keeps the file. Uploads arrive before what they belong to (`POST /uploads` then an attach call; the
 * composer's images before the post), so these are the files that can be left behind. Every other
 * purpose is recorded in the transaction that points at it. Each NOT EXISTS is its own, so each uses
 * its table's unique index (the posts' by the owner). The system role reads all four tables (policy
 * `FOR ALL … USING (true)`): a missing grant would fail the statement, never hide an attachment.
 */
export const SWEPT_PURPOSES = [
  "story_photo",
  "story_photo_thumb",
  "story_audio",
  "studio_asset",
  "studio_asset_thumb",
  "post_media",
] as const;

/**
 * A user's upload lock, keyed by their id: a post holds it shared while it checks and writes the images
 * it names (posts.service `checkContent`), the sweep exclusive for its candidates' owners before deleting.
 */
const uploadsLockKey = (userId: RawBuilder<unknown>) =>
  sql<string>`hashtextextended('inkwell.files.uploads:' || ${userId}::text, 0)`;

/** As the user: holds the caller's upload lock shared until the transaction ends (see `uploadsLockKey`). */
export async function holdCallerUploads(tx: Tx): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock_shared(${uploadsLockKey(sql`app.current_user_id()`)})`.execute(tx);
}

const UNATTACHED = sql<SqlBool>`
  NOT EXISTS (SELECT 1 FROM story_photos a WHERE a.file_id = stored_files.id)
  AND NOT EXISTS (SELECT 1 FROM story_photos a WHERE a.thumbnail_file_id = stored_files.id)
  AND NOT EXISTS (SELECT 1 FROM story_audio a WHERE a.file_id = stored_files.id)
  AND NOT EXISTS (SELECT 1 FROM studio_assets a WHERE a.file_id = stored_files.id)
  AND NOT EXISTS (SELECT 1 FROM studio_assets a WHERE a.thumbnail_file_id = stored_files.id)
  AND NOT EXISTS (SELECT 1 FROM scheduled_posts p
                   WHERE p.user_id = stored_files.user_id AND stored_files.id = ANY (p.media_file_ids))`;

/**
 * As system: deletes up to `limit` swept-purpose files created before `olderThan` that nothing attaches,
 * oldest first, and returns their storage keys (delete the objects after commit). Three statements: the
 * candidates are locked first, skipping any row an attach is holding (its foreign key check locks the
 * file), then their owners' upload locks are taken (`holdCallerUploads`: a post, which names its images
 * in an array without a foreign key, holds its owner's while it checks and writes them), then the
 * candidates are deleted only if still unattached under the last statement's fresh snapshot, which sees
 * every attach and post that committed before the locks were taken. An attach or post that comes after
 * waits for this transaction and then finds the file gone (its foreign key fails; the post's check finds
 * no file), rather than the delete cascading onto its new row or leaving the post an image that is gone.
 */
export async function deleteUnattached(tx: Tx, olderThan: Date, limit: number): Promise<{ keys: string[]; locked: number }> {
  const locked = await tx
    .selectFrom("stored_files")
    .select(["id", "user_id"])
    .where("purpose", "in", [...SWEPT_PURPOSES])
    .where("created_at", "<", olderThan)
    .where(UNATTACHED)
    .orderBy("created_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  if (!locked.length) return { keys: [], locked: 0 };
  // Exclusive, in key order (two sweeps at once cannot deadlock); waits for posts taking these owners' images.
  const owners = [...new Set(locked.map((r) => r.user_id))];
  await sql`SELECT pg_advisory_xact_lock(k)
              FROM (SELECT DISTINCT ${uploadsLockKey(sql`u`)} AS k FROM unnest(${owners}::uuid[]) u ORDER BY k) o`.execute(tx);
  const deleted = await tx
    .deleteFrom("stored_files")
    .where(
      "id",
      "in",
      locked.map((r) => r.id),
    )
    .where(UNATTACHED)
    .returning("storage_key")
    .execute();
  return { keys: deleted.map((r) => r.storage_key), locked: locked.length };
}
