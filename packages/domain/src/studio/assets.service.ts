/**
 * The studio's asset library. Bytes arrive through `POST /uploads?purpose=studio_asset` (files module:
 * streamed, capped, sniffed against the whitelist, images re-encoded without metadata with a thumbnail,
 * recordings' and videos' headers read, all in the untrusted-parse pool); `attach` then makes the upload
 * an asset. Generated images and synthesised speech come in through `storeGenerated`, which runs the same
 * checks on bytes the server holds.
 *
 * Everything runs as the user (RLS of migration 0052 keeps other people's assets invisible: NOT_FOUND,
 * never FORBIDDEN). Transactions stay short: reading an object (an HTTP call for S3) and parsing it
 * happen between transactions, and deleted files' bytes go after the deleting transaction commits.
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import { MAX_MEDIA_DURATION_MS } from "../files/files.schemas.ts";
import {
  files,
  imageDimensions,
  type MediaFacts,
  type PreparedFile,
  prepareBytes,
  type Storage,
  thumbnailKeyOf,
} from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { KeyRing } from "../platform/secret-box.ts";
import { audioDurationParser, videoDurationParser } from "../platform/untrusted/parsers.ts";
import { parseUntrusted } from "../platform/untrusted/untrusted.ts";
import * as repo from "./assets.repository.ts";
import {
  type Asset,
  type AssetKind,
  type AssetPage,
  type AssetSource,
  type AssetSummary,
  assetKindOf,
  attachAssetInput,
  bulkAssetsInput,
  listAssetsInput,
  updateAssetInput,
} from "./assets.schemas.ts";

export interface AssetsDeps {
  db: Database;
  storage: Storage;
  keyRing: KeyRing;
}

export const ASSET_PURPOSE = "studio_asset";
/** Signed URLs last this long; the library refetches well within it. */
const URL_TTL_SECONDS = 3600;

const sign = (deps: Pick<AssetsDeps, "keyRing">, fileId: string) => files.signedUrl(deps, { id: fileId }, URL_TTL_SECONDS);

export function toAsset(deps: Pick<AssetsDeps, "keyRing">, row: repo.AssetRow): Asset {
  return {
    id: row.id,
    kind: row.kind as AssetKind,
    filename: row.filename,
    contentType: row.content_type,
    byteSize: Number(row.byte_size),
    width: row.width,
    height: row.height,
    durationMs: row.duration_ms,
    tags: row.tags,
    isFavorite: row.is_favorite,
    personaId: row.persona_id,
    source: row.source as AssetSource,
    url: sign(deps, row.file_id),
    thumbnailUrl: row.thumbnail_file_id ? sign(deps, row.thumbnail_file_id) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// For the other studio features (personas, prompts, generations)

/** The caller's existing asset ids among `ids` (RLS-scoped), in the order given. */
export async function ownedIds(tx: Tx, ids: readonly string[]): Promise<string[]> {
  const found = await repo.ownedIds(tx, ids);
  return repo.uuidsOnly(ids).filter((id) => found.has(id));
}

/** What to show of these assets, in the order given; ids that are gone (or someone else's) are skipped. */
export async function summaries(tx: Tx, ids: readonly string[], deps: Pick<AssetsDeps, "keyRing">): Promise<AssetSummary[]> {
  const rows = new Map((await repo.findAssets(tx, ids)).map((r) => [r.id, r]));
  return repo.uuidsOnly(ids).flatMap((id) => {
    const row = rows.get(id);
    if (!row) return [];
    return [
      {
        id: row.id,
        kind: row.kind as AssetKind,
        filename: row.filename,
        contentType: row.content_type,
        width: row.width,
        height: row.height,
        thumbnailUrl: row.thumbnail_file_id ? sign(deps, row.thumbnail_file_id) : null,
        url: sign(deps, row.file_id),
      },
    ];
  });
}

/** The caller's asset's file (for reading its bytes through the files module), or null. */
export async function fileOf(
  tx: Tx,
  assetId: string,
): Promise<{ fileId: string; contentType: string; storageKey: string } | null> {
  return (await repo.fileOf(tx, assetId)) ?? null;
}

/**
 * Bytes the server produced (a generated image, synthesised speech) as an asset of `userId`: checked and
 * parsed as an upload would be, written to storage, then the file rows and the asset recorded in one
 * transaction of its own. Call it outside any transaction.
 */
export async function storeGenerated(
  deps: { db: Database; storage: Storage },
  input: {
    userId: string;
    bytes: Uint8Array;
    filename: string;
    source: "generation" | "voice";
    personaId?: string | null;
    metadata?: Record<string, unknown>;
  },
): Promise<{ assetId: string; fileId: string }> {
  const outcome = await prepareBytes(deps, {
    purpose: ASSET_PURPOSE,
    ownerId: input.userId,
    filename: input.filename,
    bytes: input.bytes,
  });
  if (!outcome.ok)
    throw new DomainError(outcome.status === 429 ? "RATE_LIMITED" : "INVALID_INPUT", outcome.message, {
      field: "file",
      ...(outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
    });
  const written: PreparedFile[] = [outcome.file, ...(outcome.thumbnail ? [outcome.thumbnail] : [])];
  try {
    return await asUser(deps.db, input.userId, async (tx) => {
      for (const file of written) await files.record(tx, input.userId, file);
      const personaId = input.personaId && (await repo.personaVisible(tx, input.personaId)) ? input.personaId : null;
      const row = await repo.insertAsset(tx, {
        user_id: input.userId,
        file_id: outcome.file.id,
        thumbnail_file_id: outcome.thumbnail?.id ?? null,
        kind: assetKindOf(outcome.file.contentType),
        filename: outcome.file.filename,
        content_type: outcome.file.contentType,
        byte_size: outcome.file.byteSize,
        width: outcome.width ?? null,
        height: outcome.height ?? null,
        duration_ms: outcome.durationMs ?? null,
        persona_id: personaId,
        source: input.source,
        metadata: JSON.stringify(input.metadata ?? {}),
      });
      if (!row) throw new Error("assets: a fresh file was already attached");
      return { assetId: row.id, fileId: outcome.file.id };
    });
  } catch (error) {
    for (const file of written) await files.discard(deps, file);
    throw error;
  }
}

// The library's own procedures

async function checkPersona(tx: Tx, personaId: string | null | undefined): Promise<void> {
  if (personaId && !(await repo.personaVisible(tx, personaId))) throw notFound("Persona");
}

/**
 * Media facts of a stored upload: what the upload read in the untrusted pool, kept on the file's row (the
 * upload's JSON answer is the client's word, the row is ours); for a file stored before the row kept
 * them, read from its bytes in the pool again.
 */
async function factsOf(
  deps: Pick<AssetsDeps, "storage">,
  file: { storageKey: string; contentType: string } & MediaFacts,
): Promise<{ width: number | null; height: number | null; durationMs: number | null }> {
  const kind = assetKindOf(file.contentType);
  const none = { width: null, height: null, durationMs: null };
  if (kind === "document") return none;
  const recorded = kind === "image" ? file.width !== null : file.durationMs !== null;
  if (recorded) return { width: file.width, height: file.height, durationMs: kind === "image" ? null : file.durationMs };
  const bytes = await files.readObject(deps, file.storageKey);
  if (!bytes) throw notFound("File");
  if (kind === "image") {
    const dims = await imageDimensions(bytes.subarray(0, 256 * 1024));
    return { ...none, width: dims?.width ?? null, height: dims?.height ?? null };
  }
  if (kind === "audio") {
    const audio = await parseUntrusted(audioDurationParser, { bytes, mimeType: file.contentType }, { field: "fileId" });
    return { ...none, durationMs: audio.durationMs };
  }
  const video = await parseUntrusted(
    videoDurationParser,
    { bytes, mimeType: file.contentType, maxDurationMs: MAX_MEDIA_DURATION_MS },
    { field: "fileId" },
  );
  return { width: video.width, height: video.height, durationMs: video.durationMs };
}

const alreadyAttached = () => new DomainError("CONFLICT", "That upload is already in your library.", { field: "fileId" });

async function attachableFile(tx: Tx, fileId: string) {
  const file = await files.getWithKey(tx, { id: fileId });
  if (!file || file.purpose !== ASSET_PURPOSE) throw notFound("Upload");
  if (await repo.isAttached(tx, file.id)) throw alreadyAttached();
  return file;
}

/** Makes the caller's upload (purpose `studio_asset`, not yet attached) an asset. */
export async function attach(deps: AssetsDeps, userId: string, rawInput: unknown): Promise<Asset> {
  const input = attachAssetInput.parse(rawInput);
  const file = await asUser(deps.db, userId, (tx) => attachableFile(tx, input.fileId));
  const facts = await factsOf(deps, file);
  return asUser(deps.db, userId, async (tx) => {
    await attachableFile(tx, input.fileId);
    await checkPersona(tx, input.personaId);
    const thumb =
      assetKindOf(file.contentType) === "image"
        ? await files.getWithKey(tx, { storageKey: thumbnailKeyOf(file.storageKey) })
        : undefined;
    const row = await repo.insertAsset(tx, {
      user_id: userId,
      file_id: file.id,
      thumbnail_file_id: thumb?.id ?? null,
      kind: assetKindOf(file.contentType),
      filename: input.filename ?? file.filename,
      content_type: file.contentType,
      byte_size: file.byteSize,
      width: facts.width,
      height: facts.height,
      duration_ms: facts.durationMs,
      tags: input.tags ?? [],
      persona_id: input.personaId ?? null,
      source: "upload",
    });
    if (!row) throw alreadyAttached();
    return toAsset(deps, row);
  });
}

export async function list(tx: Tx, deps: Pick<AssetsDeps, "keyRing">, rawInput: unknown): Promise<AssetPage> {
  const input = listAssetsInput.parse(rawInput);
  const [micros, id] = input.cursor ? input.cursor.split("_") : [];
  const rows = await repo.listAssets(tx, {
    kind: input.kind,
    tag: input.tag,
    favorite: input.favorite,
    personaId: input.personaId,
    search: input.search || undefined,
    cursor: micros && id ? { micros, id } : undefined,
    limit: input.limit,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    assets: page.map((r) => toAsset(deps, r)),
    nextCursor: rows.length > input.limit && last ? `${last.cursor_micros}_${last.id}` : null,
  };
}

export async function get(tx: Tx, deps: Pick<AssetsDeps, "keyRing">, assetId: string): Promise<Asset> {
  const row = await repo.findAsset(tx, assetId);
  if (!row) throw notFound("Asset");
  return toAsset(deps, row);
}

export async function update(tx: Tx, deps: Pick<AssetsDeps, "keyRing">, rawInput: unknown): Promise<Asset> {
  const input = updateAssetInput.parse(rawInput);
  if (!(await repo.findAsset(tx, input.assetId))) throw notFound("Asset");
  await checkPersona(tx, input.personaId);
  const patch = {
    ...(input.filename !== undefined ? { filename: input.filename } : {}),
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
    ...(input.isFavorite !== undefined ? { is_favorite: input.isFavorite } : {}),
    ...(input.personaId !== undefined ? { persona_id: input.personaId } : {}),
  };
  const row = Object.keys(patch).length
    ? await repo.updateAsset(tx, input.assetId, patch)
    : await repo.findAsset(tx, input.assetId);
  if (!row) throw notFound("Asset");
  return toAsset(deps, row);
}

/** Deletes assets with their files: rows in one transaction, then the bytes once it has committed. */
async function deleteWithFiles(
  deps: Pick<AssetsDeps, "db" | "storage">,
  userId: string,
  ids: readonly string[],
): Promise<number> {
  const { count, keys } = await asUser(deps.db, userId, async (tx) => {
    const deleted = await repo.deleteAssets(tx, ids);
    const keys: string[] = [];
    for (const fileId of deleted.fileIds) keys.push((await files.remove(tx, fileId)).storageKey);
    return { count: deleted.count, keys };
  });
  for (const key of keys) await files.deleteObject(deps, key).catch(() => undefined);
  return count;
}

export async function remove(deps: Pick<AssetsDeps, "db" | "storage">, userId: string, assetId: string): Promise<void> {
  if (!(await deleteWithFiles(deps, userId, [assetId]))) throw notFound("Asset");
}

/** A bulk action on the caller's assets among `assetIds` (others' ids are ignored); how many changed. */
export async function bulk(
  deps: Pick<AssetsDeps, "db" | "storage">,
  userId: string,
  rawInput: unknown,
): Promise<{ affected: number }> {
  const input = bulkAssetsInput.parse(rawInput);
  const { action, assetIds, tag } = input;
  if (action === "delete") return { affected: await deleteWithFiles(deps, userId, assetIds) };
  const affected = await asUser(deps.db, userId, (tx) => repo.bulkUpdate(tx, assetIds, action, tag));
  return { affected };
}
