/** The only SQL of the study library: folders and items (always in the caller's RLS transaction). */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";

export type FolderRow = Selectable<Tables.StudyFolders>;
export type ItemRow = Selectable<Tables.StudyItems>;

const me = sql<string>`(SELECT app.current_user_id())`;

export interface NewItem {
  user_id: string;
  folder_id: string | null;
  item_type: string;
  title: string;
  topic: string | null;
  content: unknown;
  source: string;
  citations: unknown[];
  is_placeholder: boolean;
  generation_id: string | null;
}

export function insertItem(tx: Tx, item: NewItem): Promise<ItemRow> {
  return tx
    .insertInto("study_items")
    .values({ ...item, content: JSON.stringify(item.content), citations: JSON.stringify(item.citations) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Any item the caller may read (own, or granted by the sharing and classroom policies). */
export function findItem(tx: Tx, itemId: string): Promise<ItemRow | undefined> {
  return tx.selectFrom("study_items").selectAll().where("id", "=", itemId).executeTakeFirst();
}

/** Only the caller's own item, whatever other policies grant. */
export function findOwnedItem(tx: Tx, itemId: string): Promise<ItemRow | undefined> {
  return tx.selectFrom("study_items").selectAll().where("id", "=", itemId).where("user_id", "=", me).executeTakeFirst();
}

export interface ItemFilter {
  itemType?: string | undefined;
  /** A folder id, or null for the unfiled items. */
  folderId?: string | null | undefined;
  cursor?: { at: Date; id: string } | undefined;
}

/** Milliseconds, as a JS Date carries them, so a cursor compares equal to its own row. */
const sortAt = sql<Date>`date_trunc('milliseconds', created_at)`;

/** The caller's own items, newest first (shared ones are listed by the sharing module). */
export function listItems(tx: Tx, filter: ItemFilter, limit: number): Promise<ItemRow[]> {
  let q = tx.selectFrom("study_items").selectAll().where("user_id", "=", me);
  if (filter.itemType) q = q.where("item_type", "=", filter.itemType);
  if (filter.folderId === null) q = q.where("folder_id", "is", null);
  else if (filter.folderId) q = q.where("folder_id", "=", filter.folderId);
  if (filter.cursor) {
    const { at, id } = filter.cursor;
    q = q.where(sql<boolean>`(${sortAt}, id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return q.orderBy(sortAt, "desc").orderBy("id", "desc").limit(limit).execute();
}

export function updateItem(
  tx: Tx,
  itemId: string,
  patch: Partial<{ title: string; topic: string | null; folder_id: string | null; content: unknown; citations: unknown[] }>,
): Promise<ItemRow | undefined> {
  const { content, citations, ...rest } = patch;
  return tx
    .updateTable("study_items")
    .set({
      ...rest,
      ...(content !== undefined ? { content: JSON.stringify(content) } : {}),
      ...(citations !== undefined ? { citations: JSON.stringify(citations) } : {}),
    })
    .where("id", "=", itemId)
    .where("user_id", "=", me)
    .returningAll()
    .executeTakeFirst();
}

export function deleteItem(tx: Tx, itemId: string): Promise<{ id: string } | undefined> {
  return tx.deleteFrom("study_items").where("id", "=", itemId).where("user_id", "=", me).returning("id").executeTakeFirst();
}

/** Undefined when the caller already has a folder of that name (any case): the unique index decides. */
export function insertFolder(tx: Tx, userId: string, name: string, description: string | null): Promise<FolderRow | undefined> {
  return tx
    .insertInto("study_folders")
    .values({ user_id: userId, name, description })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findFolderByName(tx: Tx, name: string): Promise<FolderRow | undefined> {
  return tx.selectFrom("study_folders").selectAll().where(sql<boolean>`lower(name) = lower(${name})`).executeTakeFirst();
}

export function findFolder(tx: Tx, folderId: string): Promise<FolderRow | undefined> {
  return tx.selectFrom("study_folders").selectAll().where("id", "=", folderId).executeTakeFirst();
}

/** The caller's folders by name, with how many items each holds. */
export function listFolders(tx: Tx): Promise<(FolderRow & { item_count: number })[]> {
  return tx
    .selectFrom("study_folders as f")
    .selectAll("f")
    .select((eb) =>
      eb
        .selectFrom("study_items as i")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("i.folder_id", "=", "f.id")
        .as("item_count"),
    )
    .orderBy(sql`lower(f.name)`)
    .execute() as Promise<(FolderRow & { item_count: number })[]>;
}

export function updateFolder(
  tx: Tx,
  folderId: string,
  patch: Partial<{ name: string; description: string | null }>,
): Promise<FolderRow | undefined> {
  return tx.updateTable("study_folders").set(patch).where("id", "=", folderId).returningAll().executeTakeFirst();
}

export function deleteFolder(tx: Tx, folderId: string): Promise<{ id: string } | undefined> {
  return tx.deleteFrom("study_folders").where("id", "=", folderId).returning("id").executeTakeFirst();
}
