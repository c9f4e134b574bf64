/**
 * Uploads, reads and signed URLs. Storing is two steps so a caller can keep slow I/O out of its
 * transaction: `prepare` checks and writes the bytes (no transaction: for S3 it is an HTTP call), then
 * `record` inserts the row in the caller's transaction; `store` does both for callers that already
 * hold one. If the row never commits, the object is deleted (`discard`); a process dying in between
 * leaves an unreferenced object, never a row without bytes.
 */
import { createHash, randomUUID } from "node:crypto";
import { asSystem, type Database, type Tx } from "@inkwell/db";
import { DomainError, notFound } from "../platform/errors.ts";
import type { KeyRing } from "../platform/secret-box.ts";
import * as repo from "./files.repository.ts";
import {
  describeKinds,
  FILE_PURPOSES,
  type FilePurpose,
  formatBytes,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_SIDE,
  type MediaKind,
  type PurposeRule,
  type StoredFile,
  safeFileName,
} from "./files.schemas.ts";
import { signFile, verifyFileSignature } from "./files.signing.ts";
import { type ImageDimensions, sniff } from "./files.sniff.ts";
import type { Storage } from "./files.storage.ts";

export interface FilesDeps {
  storage: Storage;
  keyRing: KeyRing;
}

export interface StoreInput {
  purpose: FilePurpose;
  filename: string;
  bytes: Uint8Array;
  /** Defaults to the purpose's rule (FILE_PURPOSES). */
  allowed?: readonly MediaKind[];
  maxBytes?: number;
}

/** Checked and written to storage, not yet recorded. */
export interface PreparedFile {
  id: string;
  purpose: string;
  filename: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  storageKey: string;
  /** Images: width and height from the header. */
  dimensions?: ImageDimensions;
  /** Recordings and videos: the duration the upload's parse read (null: the container does not say). */
  durationMs?: number | null;
}

const PURPOSE = /^[a-z][a-z0-9_]{0,39}$/;

function ruleFor(input: StoreInput): PurposeRule {
  const preset = (FILE_PURPOSES as Record<string, PurposeRule | undefined>)[input.purpose];
  const allowed = input.allowed ?? preset?.allowed;
  const maxBytes = input.maxBytes ?? preset?.maxBytes;
  if (!allowed?.length || !maxBytes) throw new Error(`files: no rule for purpose ${input.purpose}; pass allowed and maxBytes`);
  return { allowed, maxBytes };
}

const invalidFile = (message: string) => new DomainError("INVALID_INPUT", message, { field: "file" });

const count = (n: number) => n.toLocaleString("en-US");

/** An image's claimed size against MAX_IMAGE_SIDE and MAX_IMAGE_PIXELS, from its header only. */
function checkDimensions(dimensions: ImageDimensions | null | undefined): ImageDimensions {
  if (!dimensions) throw invalidFile("That image could not be read (it may be damaged or cut short).");
  const { width, height } = dimensions;
  const size = `${count(width)} × ${count(height)} pixels`;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw invalidFile(`That image is ${size}; the limit is ${count(MAX_IMAGE_SIDE)} pixels per side.`);
  if (width * height > MAX_IMAGE_PIXELS)
    throw invalidFile(
      `That image is ${size} (${Math.round((width * height) / 1e6)} megapixels); the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels.`,
    );
  return { width, height };
}

/**
 * Size, then sniffed type, against the rule, then an image's dimensions; throws INVALID_INPUT (field
 * `file`) with a message a person can act on.
 */
export async function check(input: StoreInput): Promise<{ contentType: string; dimensions?: ImageDimensions }> {
  const { allowed, maxBytes } = ruleFor(input);
  if (input.bytes.byteLength === 0) throw invalidFile("That file is empty.");
  if (input.bytes.byteLength > maxBytes) {
    const size = formatBytes(input.bytes.byteLength);
    const limit = formatBytes(maxBytes);
    throw invalidFile(
      size === limit ? `That file is just over the ${limit} limit.` : `That file is ${size}; the limit is ${limit}.`,
    );
  }
  const sniffed = await sniff(input.bytes);
  if (!sniffed.kind || !allowed.includes(sniffed.kind)) {
    throw invalidFile(`That file is ${sniffed.description}, not a ${describeKinds(allowed)}.`);
  }
  if (sniffed.kind === "image") return { contentType: sniffed.contentType, dimensions: checkDimensions(sniffed.dimensions) };
  return { contentType: sniffed.contentType };
}

export async function prepare(deps: Pick<FilesDeps, "storage">, userId: string, input: StoreInput): Promise<PreparedFile> {
  if (!PURPOSE.test(input.purpose)) throw new Error(`files: invalid purpose ${input.purpose}`);
  const { contentType, dimensions } = await check(input);
  const id = randomUUID();
  const prepared: PreparedFile = {
    id,
    purpose: input.purpose,
    filename: safeFileName(input.filename),
    contentType,
    byteSize: input.bytes.byteLength,
    sha256: createHash("sha256").update(input.bytes).digest("hex"),
    storageKey: `${input.purpose.replace(/_/g, "-")}/${userId}/${id}`,
    ...(dimensions ? { dimensions } : {}),
  };
  await deps.storage.put(prepared.storageKey, input.bytes, contentType);
  return prepared;
}

export async function record(tx: Tx, userId: string, file: PreparedFile): Promise<StoredFile> {
  const row = await repo.insertFile(tx, {
    id: file.id,
    user_id: userId,
    purpose: file.purpose,
    filename: file.filename,
    content_type: file.contentType,
    byte_size: file.byteSize,
    sha256: file.sha256,
    storage_key: file.storageKey,
    // The facts the upload read (server-side, in the untrusted pool): attaching reuses them.
    width: file.dimensions?.width ?? null,
    height: file.dimensions?.height ?? null,
    duration_ms: file.durationMs ?? null,
  });
  return repo.toStoredFile(row);
}

/** Best effort: a prepared file whose row did not commit. */
export async function discard(deps: Pick<FilesDeps, "storage">, file: { storageKey: string }): Promise<void> {
  await deps.storage.delete(file.storageKey).catch(() => undefined);
}

/** Check, write and record in one call (the bytes are written while `tx` is open: fine for the local disk). */
export async function store(deps: Pick<FilesDeps, "storage">, tx: Tx, userId: string, input: StoreInput): Promise<StoredFile> {
  const prepared = await prepare(deps, userId, input);
  try {
    return await record(tx, userId, prepared);
  } catch (error) {
    await discard(deps, prepared);
    throw error;
  }
}

/** The caller's own file (RLS), or NOT_FOUND. */
export async function get(tx: Tx, fileId: string): Promise<StoredFile> {
  const row = await repo.findFile(tx, fileId);
  if (!row) throw notFound("File");
  return repo.toStoredFile(row);
}

/**
 * Holds the caller's uploads until `tx` ends, for an attach without a foreign key (a post names its
 * images in an array): call it before checking the files, so the unattached sweep either waits for this
 * transaction (and sees what it wrote) or has finished and the check finds its files gone.
 */
export function holdCallerUploads(tx: Tx): Promise<void> {
  return repo.holdCallerUploads(tx);
}

/** What the upload read from a file's bytes: null where it had nothing (and for files stored before 0070). */
export interface MediaFacts {
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

/**
 * A file with its storage key, owner and media facts, as the transaction's role sees it (RLS), or
 * undefined. Attaching an upload uses the facts instead of reading the object back.
 */
export async function getWithKey(
  tx: Tx,
  where: { id: string } | { storageKey: string },
): Promise<(StoredFile & MediaFacts & { storageKey: string; userId: string }) | undefined> {
  const row = await repo.findFileWithKey(tx, where);
  return row
    ? {
        ...repo.toStoredFile(row),
        storageKey: row.storage_key,
        userId: row.user_id,
        width: row.width,
        height: row.height,
        durationMs: row.duration_ms,
      }
    : undefined;
}

/** An object's bytes by its key (no transaction: for S3 it is an HTTP call). */
export function readObject(deps: Pick<FilesDeps, "storage">, storageKey: string): Promise<Uint8Array | null> {
  return deps.storage.get(storageKey);
}

/**
 * As system, in the caller's system transaction: deletes these rows and returns their keys; delete the
 * objects (`deleteObject`) after it commits. For files whose attachment was removed by someone other
 * than their uploader (an owner removing a contributor's photo).
 */
export async function removeAsSystem(tx: Tx, fileIds: readonly string[]): Promise<string[]> {
  return (await repo.deleteFiles(tx, fileIds)).map((r) => r.storage_key);
}

/** The bytes of the caller's own file. */
export async function read(deps: Pick<FilesDeps, "storage">, tx: Tx, fileId: string): Promise<Uint8Array> {
  const row = await repo.findFile(tx, fileId);
  if (!row) throw notFound("File");
  const bytes = await deps.storage.get(row.storage_key);
  if (!bytes) throw notFound("File");
  return bytes;
}

/**
 * One user's files with their bytes, for background work that runs as system (the publisher): the
 * rows are read in a short system transaction and must belong to `userId`; the bytes are read after
 * it has closed (S3 is an HTTP call). Files that are gone (row or bytes) are left out.
 */
export async function readOwnedAsSystem(
  deps: Pick<FilesDeps, "storage"> & { db: Database },
  userId: string,
  fileIds: readonly string[],
): Promise<{ file: StoredFile; bytes: Uint8Array }[]> {
  if (!fileIds.length) return [];
  const rows = await asSystem(deps.db, (tx) => repo.findOwnedFiles(tx, userId, fileIds));
  const out: { file: StoredFile; bytes: Uint8Array }[] = [];
  for (const id of fileIds) {
    const row = rows.find((r) => r.id === id);
    const bytes = row ? await deps.storage.get(row.storage_key) : null;
    if (row && bytes) out.push({ file: repo.toStoredFile(row), bytes });
  }
  return out;
}

/**
 * Deletes the caller's file row and returns its storage key; delete the object with `deleteObject`
 * after the transaction commits (a rollback must not lose the bytes of a row that still exists).
 */
export async function remove(tx: Tx, fileId: string): Promise<{ storageKey: string }> {
  const row = await repo.deleteFile(tx, fileId);
  if (!row) throw notFound("File");
  return { storageKey: row.storage_key };
}

export function deleteObject(deps: Pick<FilesDeps, "storage">, storageKey: string): Promise<void> {
  return deps.storage.delete(storageKey);
}

/** Expiries are rounded up to this, so repeated reads hand out the same URL for a while (browser cache hits). */
const EXPIRY_STEP_SECONDS = 300;

/** A path served by the API (`GET /files/:id?exp&sig`), valid for at least `ttlSeconds`. */
export function signedUrl(
  deps: Pick<FilesDeps, "keyRing">,
  file: { id: string },
  ttlSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const exp = Math.ceil((nowSeconds + ttlSeconds) / EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS;
  return `/files/${file.id}?exp=${exp}&sig=${signFile(deps.keyRing, file.id, exp)}`;
}

export type SignedRead =
  | {
      status: "ok";
      file: StoredFile;
      bytes: Uint8Array;
      expiresAt: number;
      /** Set when a Range was asked and served: the bytes are file bytes `start`..`end` (inclusive). */
      range: { start: number; end: number } | null;
    }
  | { status: "unsatisfiable"; file: StoredFile }
  | { status: "invalid" | "expired" | "missing" };

/** The most one Range answer carries: a player asking `bytes=0-` of a 50 MB video gets it in parts. */
export const MAX_RANGE_BYTES = 4 * 1024 * 1024;

export type ByteRange = { kind: "whole" } | { kind: "partial"; start: number; end: number } | { kind: "unsatisfiable" };

/**
 * An HTTP `Range` header (RFC 9110 §14) against a file of `size` bytes. One range of bytes is served; a
 * header we do not serve (other units, several ranges, a malformed or backwards range) is ignored, which
 * the RFC allows, and the whole file is sent. A range that starts past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined | null, size: number): ByteRange {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === "" && match[2] === "")) return { kind: "whole" };
  const [, from = "", to = ""] = match;
  let start: number;
  let end: number;
  if (from === "") {
    // A suffix: the last N bytes.
    const n = Number(to);
    if (n === 0) return { kind: "unsatisfiable" };
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(from);
    if (!Number.isSafeInteger(start) || start >= size) return { kind: "unsatisfiable" };
    end = to === "" ? size - 1 : Number(to);
    if (end < start) return { kind: "whole" };
    end = Math.min(end, size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end: Math.min(end, start + MAX_RANGE_BYTES - 1) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What the signed-URL route serves. The signature is checked before the database is touched; the row
 * is read as system (no session here: the signature is the authority), then the bytes with no
 * transaction open.
 */
export async function openSigned(
  deps: FilesDeps & { db: Database },
  params: {
    id: string;
    exp?: string | undefined;
    sig?: string | undefined;
    /** The request's Range header, if any. */
    range?: string | null | undefined;
    /** The request's If-Range header: the range is served only if it names this file's ETag. */
    ifRange?: string | null | undefined;
  },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<SignedRead> {
  if (!UUID.test(params.id)) return { status: "invalid" };
  const check = verifyFileSignature(deps.keyRing, params.id, params.exp, params.sig, nowSeconds);
  if (check !== "ok") return { status: check };
  const row = await asSystem(deps.db, (tx) => repo.findFile(tx, params.id));
  if (!row) return { status: "missing" };
  const file = repo.toStoredFile(row);
  const sameFile = !params.ifRange || params.ifRange === `"${file.sha256}"`;
  const range = sameFile ? parseRange(params.range, file.byteSize) : ({ kind: "whole" } as const);
  if (range.kind === "unsatisfiable") return { status: "unsatisfiable", file };
  if (range.kind === "partial") {
    const bytes = await deps.storage.getRange(row.storage_key, range.start, range.end);
    if (!bytes) return { status: "missing" };
    const end = range.start + bytes.byteLength - 1;
    return { status: "ok", file, bytes, expiresAt: Number(params.exp), range: { start: range.start, end } };
  }
  const bytes = await deps.storage.get(row.storage_key);
  if (!bytes) return { status: "missing" };
  return { status: "ok", file, bytes, expiresAt: Number(params.exp), range: null };
}

/**
 * Deletes objects that no row points at and that are older than `olderThan`: uploads whose row never
 * committed (a crash between `prepare` and `record`) and the files of deleted accounts (their rows go
 * with the user, by cascade). The age margin keeps an upload that is still between its two steps.
 */
export async function purgeOrphans(
  deps: { db: Database; storage: Storage },
  options: { olderThan: Date; batchSize?: number },
): Promise<{ checked: number; deleted: number }> {
  const batchSize = options.batchSize ?? 500;
  let checked = 0;
  let deleted = 0;
  let batch: string[] = [];
  const flush = async () => {
    const keep = await asSystem(deps.db, (tx) => repo.existingKeys(tx, batch));
    for (const key of batch) {
      if (keep.has(key)) continue;
      await deps.storage.delete(key);
      deleted++;
    }
    checked += batch.length;
    batch = [];
  };
  for await (const object of deps.storage.list()) {
    if (object.lastModified >= options.olderThan) continue;
    batch.push(object.key);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
  return { checked, deleted };
}

/**
 * Deletes uploads nothing attached (`repo.SWEPT_PURPOSES`: a story's photo or recording, a library asset,
 * a post's image that never joined what it was uploaded for) once they are older than `olderThan`, with
 * their stored bytes. Batches of `batchSize`, each its own short system transaction, the objects deleted
 * after it commits; at most `maxPerRun` files a run (the rest wait for the next). Safe to run twice or at
 * once: a deleted row is not found again, and an object whose delete failed has no row left, so the
 * hourly orphan purge removes it.
 */
export async function sweepUnattached(
  deps: { db: Database; storage: Storage },
  options: { olderThan: Date; batchSize?: number; maxPerRun?: number },
): Promise<{ deleted: number; objectsLeft: number; more: boolean }> {
  const batchSize = options.batchSize ?? 200;
  const maxPerRun = options.maxPerRun ?? 5_000;
  let deleted = 0;
  let objectsLeft = 0;
  for (;;) {
    const limit = Math.min(batchSize, maxPerRun - deleted);
    if (limit <= 0) return { deleted, objectsLeft, more: true };
    const batch = await asSystem(deps.db, (tx) => repo.deleteUnattached(tx, options.olderThan, limit));
    for (const key of batch.keys) {
      try {
        await deps.storage.delete(key);
      } catch {
        objectsLeft++;
      }
    }
    deleted += batch.keys.length;
    if (batch.locked < limit) return { deleted, objectsLeft, more: false };
  }
}
