/** The only SQL of the files module. User reads and writes go through RLS; the signed-URL lookup runs as system. */
import type { Tables, Tx } from "@inkwell/db";
import type { Selectable } from "kysely";
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

export function insertFile(tx: Tx, row: Omit<FileRow, "created_at"> & { user_id: string }): Promise<FileRow> {
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
  const query = tx.selectFrom("stored_files").select([...COLUMNS, "user_id"]);
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
