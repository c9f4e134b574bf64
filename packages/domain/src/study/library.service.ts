/**
 * The study library (issue 15.1): folders, and items made by hand or generated (library.generate.ts).
 * Plain functions taking the caller's RLS transaction first. Every content write passes the item type's
 * schema (library.schemas.ts), so an item that loads is one every study mode can play.
 */
import type { Tx } from "@inkwell/db";
import { ZodError } from "zod";
import { DomainError, notFound } from "../platform/errors.ts";
import {
  type CreateFolderInput,
  type CreateItemInput,
  createFolderInput,
  createItemInput,
  type ListItemsInput,
  listItemsInput,
  type RenameFolderInput,
  renameFolderInput,
  type StudyFolder,
  type UpdateItemInput,
  updateItemInput,
} from "./library.inputs.ts";
import * as repo from "./library.repository.ts";
import { type Citation, citationSchema, parseContent, type StudyItem, type StudyItemType } from "./library.schemas.ts";

export type StudyItemsPage = { items: StudyItem[]; nextCursor: { at: string; id: string } | null };

/** A content problem as the caller sees it: the first issue, with the path that names the part. */
function invalidContent(err: unknown): never {
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? ` (content.${issue.path.join(".")})` : "";
    throw new DomainError("INVALID_INPUT", `${issue?.message ?? "Invalid content"}${where}`, { field: "content" });
  }
  throw err;
}

export function checkContent<K extends StudyItemType>(itemType: K, content: unknown) {
  try {
    return parseContent(itemType, content);
  } catch (err) {
    invalidContent(err);
  }
}

export function toItem(row: repo.ItemRow): StudyItem {
  const itemType = row.item_type as StudyItemType;
  return {
    id: row.id,
    userId: row.user_id,
    folderId: row.folder_id,
    itemType,
    title: row.title,
    topic: row.topic,
    content: parseContent(itemType, row.content),
    source: row.source as StudyItem["source"],
    citations: citationSchema.array().parse(row.citations ?? []),
    isPlaceholder: row.is_placeholder,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  } as StudyItem;
}

function toFolder(row: repo.FolderRow & { item_count?: number }): StudyFolder {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    itemCount: row.item_count ?? 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An item the caller can read: their own, or one shared with or assigned to them (those policies decide). */
export async function get(tx: Tx, itemId: string): Promise<StudyItem | null> {
  const row = await repo.findItem(tx, itemId);
  return row ? toItem(row) : null;
}

/** Only the caller's own item (for edits, sharing, assigning): null for one merely shared with them. */
export async function getOwned(tx: Tx, itemId: string): Promise<StudyItem | null> {
  const row = await repo.findOwnedItem(tx, itemId);
  return row ? toItem(row) : null;
}

async function ownFolder(tx: Tx, folderId: string | null | undefined): Promise<string | null> {
  if (!folderId) return null;
  // RLS shows the caller's folders only; the insert policy would refuse another's, but as an error.
  if (!(await repo.findFolder(tx, folderId))) throw notFound("Folder");
  return folderId;
}

/** Saves an item: by hand (source manual) or, from generate, with its citations and placeholder flag. */
export async function create(tx: Tx, userId: string, input: CreateItemInput): Promise<StudyItem> {
  const v = createItemInput.parse(input);
  const content = checkContent(v.itemType, v.content);
  const citations: Citation[] = v.citations ?? [];
  const row = await repo.insertItem(tx, {
    user_id: userId,
    folder_id: await ownFolder(tx, v.folderId),
    item_type: v.itemType,
    title: v.title,
    topic: v.topic || null,
    content,
    source: v.source ?? "manual",
    citations,
    is_placeholder: v.isPlaceholder ?? false,
    generation_id: v.generationId ?? null,
  });
  return toItem(row);
}

/** The caller's own items, newest first, by type and folder (null: unfiled), keyset-paged. */
export async function list(tx: Tx, input?: ListItemsInput): Promise<StudyItemsPage> {
  const v = listItemsInput.parse(input);
  const rows = await repo.listItems(tx, v, v.limit + 1);
  const page = rows.slice(0, v.limit);
  const last = page.at(-1);
  return {
    items: page.map(toItem),
    nextCursor: rows.length > v.limit && last ? { at: last.created_at.toISOString(), id: last.id } : null,
  };
}

/** Title, topic, folder (move) and content edits of the caller's own item; content re-checked. */
export async function update(tx: Tx, input: UpdateItemInput): Promise<StudyItem> {
  const v = updateItemInput.parse(input);
  const current = await repo.findOwnedItem(tx, v.itemId);
  if (!current) throw notFound("Item");
  const patch: Parameters<typeof repo.updateItem>[2] = {};
  if (v.title !== undefined) patch.title = v.title;
  if (v.topic !== undefined) patch.topic = v.topic || null;
  if (v.folderId !== undefined) patch.folder_id = await ownFolder(tx, v.folderId);
  if (v.content !== undefined) patch.content = checkContent(current.item_type as StudyItemType, v.content);
  if (Object.keys(patch).length === 0) return toItem(current);
  const row = await repo.updateItem(tx, v.itemId, patch);
  if (!row) throw notFound("Item");
  return toItem(row);
}

export async function remove(tx: Tx, itemId: string): Promise<void> {
  if (!(await repo.deleteItem(tx, itemId))) throw notFound("Item");
}

export async function listFolders(tx: Tx): Promise<StudyFolder[]> {
  return (await repo.listFolders(tx)).map(toFolder);
}

const nameTaken = (name: string) => new DomainError("CONFLICT", `You already have a folder named "${name}".`, { field: "name" });

export async function createFolder(tx: Tx, userId: string, input: CreateFolderInput): Promise<StudyFolder> {
  const v = createFolderInput.parse(input);
  const row = await repo.insertFolder(tx, userId, v.name, v.description || null);
  if (!row) throw nameTaken(v.name);
  return toFolder(row);
}

export async function renameFolder(tx: Tx, input: RenameFolderInput): Promise<StudyFolder> {
  const v = renameFolderInput.parse(input);
  if (!(await repo.findFolder(tx, v.folderId))) throw notFound("Folder");
  const same = await repo.findFolderByName(tx, v.name);
  if (same && same.id !== v.folderId) throw nameTaken(v.name);
  const row = await repo.updateFolder(tx, v.folderId, {
    name: v.name,
    ...(v.description !== undefined ? { description: v.description || null } : {}),
  });
  if (!row) throw notFound("Folder");
  return toFolder(row);
}

/** Deleting a folder keeps its items (they become unfiled: the foreign key sets null). */
export async function removeFolder(tx: Tx, folderId: string): Promise<void> {
  if (!(await repo.deleteFolder(tx, folderId))) throw notFound("Folder");
}
