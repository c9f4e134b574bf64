/**
 * Streamed uploads (`POST /uploads?purpose=`): the body is spooled to a private temporary file while it
 * arrives (counted against the purpose's cap, hashed), never held whole in memory or parsed on the
 * request thread. The type is sniffed from the first bytes against the purpose's whitelist; the media
 * work (a photo re-encoded upright without metadata, with a thumbnail; a recording's headers checked)
 * runs in the untrusted-parse pool; then the bytes go to storage under a key the server picks. The
 * caller records the rows (`files.record`) in its own transaction, after this has returned.
 *
 * Refusals come back as values with the HTTP status that fits (413 too large, 415 not an accepted type,
 * 422 unreadable, 429 busy), not as exceptions: the route answers them as they are.
 */
import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DomainError } from "../platform/errors.ts";
import {
  audioDurationParser,
  type ImageMediaOutput,
  imageMediaParser,
  videoDurationParser,
} from "../platform/untrusted/parsers.ts";
import { parseUntrusted } from "../platform/untrusted/untrusted.ts";
import {
  describeKinds,
  formatBytes,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_SIDE,
  MAX_MEDIA_DURATION_MS,
  type MediaKind,
  safeFileName,
  UPLOAD_PURPOSES,
  type UploadPurpose,
} from "./files.schemas.ts";
import type { PreparedFile } from "./files.service.ts";
import { sniff } from "./files.sniff.ts";
import type { Storage } from "./files.storage.ts";

/** Bytes sniffed (and, for images, whose header is read) before anything else looks at the file. */
const HEAD_BYTES = 256 * 1024;
/** A client that sends nothing for this long is cut off (one slow upload must not hold a slot forever). */
export const UPLOAD_IDLE_MS = 30_000;
/**
 * And however steadily it trickles, an upload ends within this (a byte every 29 s would otherwise hold
 * its slot and a spool file for days): 50 MB at a slow 100 KB/s takes under nine minutes.
 */
export const UPLOAD_DEADLINE_MS = 15 * 60_000;
/** The thumbnail fits in a square of this side. */
export const THUMBNAIL_SIDE = 480;

/**
 * Browsers record into WebM or MP4 containers, which `file-type` names video/*: for a recording they
 * are audio (the duration parse checks there is sound), and are stored and served as audio.
 */
const AUDIO_CONTAINERS: Record<string, string> = { "video/webm": "audio/webm", "video/mp4": "audio/mp4" };

export interface UploadInput {
  purpose: UploadPurpose;
  /** Whose file it is: the storage key's second segment and the row's owner. */
  ownerId: string;
  /** An extra key segment (answer-link uploads: `prompt-<id>`), so their origin is in the key. */
  keySegment?: string;
  filename: string;
  body: ReadableStream<Uint8Array> | null;
  declaredLength: number | null;
  /** Tests shorten the stall and total limits. */
  timing?: { idleMs: number; deadlineMs: number };
  /** Where the body is spooled (the OS temp directory unless a test gives its own). */
  spoolDir?: string;
}

export type UploadOutcome =
  | {
      ok: true;
      /** What the bytes were sniffed to be. */
      kind: MediaKind;
      file: PreparedFile;
      /** Photos: the server-made thumbnail, to record with the file. */
      thumbnail?: PreparedFile;
      width?: number;
      height?: number;
      durationMs?: number | null;
    }
  | { ok: false; status: 413 | 415 | 422 | 429 | 408; message: string; retryAfterSeconds?: number };

const tooLarge = (limit: number) =>
  ({ ok: false, status: 413, message: `That file is larger than the ${formatBytes(limit)} limit.` }) as const;

type Spooled = { ok: true; path: string; size: number; sha256: string; head: Uint8Array } | Extract<UploadOutcome, { ok: false }>;

/** Writes the body to a temporary file, refusing it once it passes `limit`. */
async function spool(
  body: ReadableStream<Uint8Array>,
  limit: number,
  timing = { idleMs: UPLOAD_IDLE_MS, deadlineMs: UPLOAD_DEADLINE_MS },
  dir = tmpdir(),
): Promise<Spooled> {
  const deadline = Date.now() + timing.deadlineMs;
  const path = join(dir, `inkwell-upload-${randomUUID()}`);
  const out = createWriteStream(path, { mode: 0o600 });
  // A disk error reaches the write's or end's callback (a 422 below); without a listener the stream's
  // 'error' event would also be thrown, ending the process.
  out.on("error", () => undefined);
  const hash = createHash("sha256");
  const headChunks: Uint8Array[] = [];
  let headSize = 0;
  let size = 0;
  const reader = body.getReader();
  const fail = async (outcome: Extract<UploadOutcome, { ok: false }>) => {
    await reader.cancel().catch(() => undefined);
    // The file is opened in the background: removing it before that open (and the close destroy()
    // schedules after it) has run would leave it behind for good.
    if (!out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()).destroy());
    await rm(path, { force: true });
    return outcome;
  };
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const left = deadline - Date.now();
      const idle = new Promise<"idle" | "late">((resolve) => {
        timer = setTimeout(() => resolve(left < timing.idleMs ? "late" : "idle"), Math.max(0, Math.min(timing.idleMs, left)));
      });
      const next = await Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
      if (next === "idle") return fail({ ok: false, status: 408, message: "The upload stalled; please try again." });
      if (next === "late") return fail({ ok: false, status: 408, message: "The upload took too long; please try again." });
      if (next.done) break;
      size += next.value.byteLength;
      if (size > limit) return fail(tooLarge(limit));
      hash.update(next.value);
      if (headSize < HEAD_BYTES) {
        headChunks.push(next.value.subarray(0, HEAD_BYTES - headSize));
        headSize += Math.min(next.value.byteLength, HEAD_BYTES - headSize);
      }
      // Back-pressure: wait for the disk when its buffer is full rather than buffering the body.
      // (`once` rejects on the stream's 'error', which a bare 'drain' listener would wait through forever.)
      if (!out.write(next.value)) await once(out, "drain");
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  } catch {
    return fail({ ok: false, status: 422, message: "The upload was interrupted; please try again." });
  }
  const head = new Uint8Array(headSize);
  let at = 0;
  for (const chunk of headChunks) {
    head.set(chunk, at);
    at += chunk.byteLength;
  }
  return { ok: true, path, size, sha256: hash.digest("hex"), head };
}

function prepared(
  input: Pick<UploadInput, "ownerId" | "keySegment">,
  purpose: string,
  contentType: string,
  byteSize: number,
  sha256: string,
  filename: string,
): PreparedFile {
  const id = randomUUID();
  const segment = input.keySegment ? `${input.keySegment}/` : "";
  return {
    id,
    purpose,
    filename: safeFileName(filename),
    contentType,
    byteSize,
    sha256,
    storageKey: `${purpose.replace(/_/g, "-")}/${input.ownerId}/${segment}${id}`,
  };
}

/** A pool refusal (unreadable, too big to decode, timed out) or a full pool, as an outcome. */
function poolRefusal(error: unknown): Extract<UploadOutcome, { ok: false }> {
  if (error instanceof DomainError && error.code === "RATE_LIMITED")
    return { ok: false, status: 429, message: error.message, retryAfterSeconds: error.details.retryAfterSeconds ?? 5 };
  if (error instanceof DomainError && error.code === "INVALID_INPUT") return { ok: false, status: 422, message: error.message };
  throw error;
}

/** Purposes whose images get a server-made thumbnail, stored under `<purpose>_thumb`. */
const THUMBNAIL_PURPOSES: Record<string, string> = { story_photo: "story_photo_thumb", studio_asset: "studio_asset_thumb" };

/**
 * `story-photo/<owner>/[prompt-<id>/]<file id>` → `story-photo-thumb/<owner>/[prompt-<id>/]<file id>`
 * (and `studio-asset/…` → `studio-asset-thumb/…`): a thumbnail's key ends in its image's id.
 */
export const thumbnailKeyOf = (imageKey: string) => imageKey.replace(/^(story-photo|studio-asset)\//, "$1-thumb/");

const withoutExtension = (name: string) => name.replace(/\.[^.]{1,8}$/, "") || "photo";

export async function receiveUpload(deps: { storage: Storage }, input: UploadInput): Promise<UploadOutcome> {
  const rule = UPLOAD_PURPOSES[input.purpose];
  if (input.declaredLength !== null && input.declaredLength > rule.maxBytes) return tooLarge(rule.maxBytes);
  if (!input.body) return { ok: false, status: 422, message: "That file is empty." };
  const spooled = await spool(input.body, rule.maxBytes, input.timing, input.spoolDir);
  if (!spooled.ok) return spooled;
  try {
    if (spooled.size === 0) return { ok: false, status: 422, message: "That file is empty." };
    return await prepareMedia(deps, input, {
      path: spooled.path,
      size: spooled.size,
      sha256: spooled.sha256,
      head: spooled.head,
    });
  } finally {
    await rm(spooled.path, { force: true });
  }
}

/**
 * Bytes the server itself holds (a generated image, synthesised speech), checked and prepared exactly as
 * an upload of `purpose` would be: sniffed against its whitelist, parsed in the untrusted pool, written to
 * storage. The caller records the rows.
 */
export async function prepareBytes(
  deps: { storage: Storage },
  input: { purpose: UploadPurpose; ownerId: string; filename: string; bytes: Uint8Array },
): Promise<UploadOutcome> {
  const rule = UPLOAD_PURPOSES[input.purpose];
  if (input.bytes.byteLength > rule.maxBytes) return tooLarge(rule.maxBytes);
  if (input.bytes.byteLength === 0) return { ok: false, status: 422, message: "That file is empty." };
  return prepareMedia(deps, input, {
    bytes: input.bytes,
    size: input.bytes.byteLength,
    sha256: createHash("sha256").update(input.bytes).digest("hex"),
    head: input.bytes.subarray(0, HEAD_BYTES),
  });
}

type Source = { size: number; sha256: string; head: Uint8Array } & ({ path: string } | { bytes: Uint8Array });

/** Whether a media fact fits its `stored_files` column (integer). */
const fitsRow = (n: number | null) => n === null || (Number.isSafeInteger(n) && n >= 0 && n <= 2_147_483_647);

/** Sniff, the media work of the file's kind in the untrusted pool, then storage (see the file comment). */
async function prepareMedia(
  deps: { storage: Storage },
  input: Pick<UploadInput, "purpose" | "ownerId" | "keySegment" | "filename">,
  source: Source,
): Promise<UploadOutcome> {
  const rule = UPLOAD_PURPOSES[input.purpose];
  const written: string[] = [];
  try {
    const sniffed = await sniff(source.head);
    let contentType =
      input.purpose === "story_audio" ? (AUDIO_CONTAINERS[sniffed.contentType] ?? sniffed.contentType) : sniffed.contentType;
    let kind = input.purpose === "story_audio" && AUDIO_CONTAINERS[sniffed.contentType] ? "audio" : sniffed.kind;
    if (!kind || !(rule.allowed as readonly string[]).includes(kind))
      return { ok: false, status: 415, message: `That file is ${sniffed.description}, not a ${describeKinds(rule.allowed)}.` };

    const bytes = "bytes" in source ? source.bytes : new Uint8Array(await readFile(source.path));
    const thumbPurpose = THUMBNAIL_PURPOSES[input.purpose];
    if (kind === "image" && thumbPurpose) {
      let media: ImageMediaOutput;
      try {
        media = await parseUntrusted(
          imageMediaParser,
          { bytes, maxPixels: MAX_IMAGE_PIXELS, maxSide: MAX_IMAGE_SIDE, thumbSide: THUMBNAIL_SIDE },
          { field: "file" },
        );
      } catch (error) {
        return poolRefusal(error);
      }
      const display = new Uint8Array(media.display);
      const thumb = new Uint8Array(media.thumbnail);
      const file = prepared(
        input,
        input.purpose,
        media.displayType,
        display.byteLength,
        createHash("sha256").update(display).digest("hex"),
        input.filename,
      );
      const thumbnail = prepared(
        input,
        thumbPurpose,
        media.thumbnailType,
        thumb.byteLength,
        createHash("sha256").update(thumb).digest("hex"),
        `${withoutExtension(file.filename)} (thumbnail).webp`,
      );
      // The thumbnail's key ends in its image's id: attaching the image finds its thumbnail by it.
      thumbnail.storageKey = thumbnailKeyOf(file.storageKey);
      thumbnail.dimensions = { width: media.thumbnailWidth, height: media.thumbnailHeight };
      await deps.storage.put(file.storageKey, display, file.contentType);
      written.push(file.storageKey);
      await deps.storage.put(thumbnail.storageKey, thumb, thumbnail.contentType);
      written.push(thumbnail.storageKey);
      return {
        ok: true,
        kind,
        file: { ...file, dimensions: { width: media.width, height: media.height } },
        thumbnail,
        width: media.width,
        height: media.height,
      };
    }

    let facts: { durationMs?: number | null; width?: number; height?: number } = {};
    try {
      if (kind === "audio")
        facts = {
          durationMs: (await parseUntrusted(audioDurationParser, { bytes, mimeType: contentType }, { field: "file" })).durationMs,
        };
      else if (kind === "video") {
        const video = await parseUntrusted(
          videoDurationParser,
          { bytes, mimeType: contentType, maxDurationMs: MAX_MEDIA_DURATION_MS },
          { field: "file" },
        );
        const audioType = AUDIO_CONTAINERS[contentType];
        if (video.audioOnly && audioType && (rule.allowed as readonly string[]).includes("audio")) {
          // Sound in a video container (a browser's voice note): a recording, timed as one.
          contentType = audioType;
          kind = "audio";
          facts = {
            durationMs: (await parseUntrusted(audioDurationParser, { bytes, mimeType: contentType }, { field: "file" }))
              .durationMs,
          };
        } else
          facts = {
            durationMs: video.durationMs,
            ...(video.width && video.height ? { width: video.width, height: video.height } : {}),
          };
      }
      // PDFs and text are stored as sent: sniffed (magic number, or clean UTF-8), served with their
      // sniffed type, nosniff and a sandbox CSP, and downloaded rather than opened (files.route.ts).
    } catch (error) {
      return poolRefusal(error);
    }
    const file: PreparedFile = {
      ...prepared(input, input.purpose, contentType, source.size, source.sha256, input.filename),
      // Recorded on the row (files.record), so attaching need not read and parse the file again.
      ...(facts.width && facts.height && fitsRow(facts.width) && fitsRow(facts.height)
        ? { dimensions: { width: facts.width, height: facts.height } }
        : {}),
      // A fact past the row's integer (a header claiming weeks: audio has no cap) is left off the row.
      ...(facts.durationMs !== undefined ? { durationMs: fitsRow(facts.durationMs) ? facts.durationMs : null } : {}),
    };
    if ("path" in source) await deps.storage.putFile(file.storageKey, source.path, contentType);
    else await deps.storage.put(file.storageKey, bytes, contentType);
    return { ok: true, kind, file, ...facts };
  } catch (error) {
    await Promise.all(written.map((key) => deps.storage.delete(key).catch(() => undefined)));
    throw error;
  }
}

/**
 * Upload work per caller (a user, or an answer link), in this process: at most `concurrent` uploads at
 * once and `perWindow` started in `windowMs`. Beyond it the route answers 429 with when to retry.
 */
export class UploadLimiter {
  private readonly active = new Map<string, number>();
  private readonly started = new Map<string, number[]>();

  constructor(
    private readonly options: { concurrent: number; perWindow: number; windowMs: number } = {
      concurrent: 2,
      perWindow: 60,
      windowMs: 10 * 60_000,
    },
  ) {}

  /** A release function, or the seconds to wait. */
  acquire(key: string, now = Date.now()): (() => void) | { retryAfterSeconds: number } {
    const recent = (this.started.get(key) ?? []).filter((t) => t > now - this.options.windowMs);
    if (recent.length >= this.options.perWindow) {
      const oldest = recent[0] ?? now;
      return { retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.options.windowMs - now) / 1000)) };
    }
    const active = this.active.get(key) ?? 0;
    if (active >= this.options.concurrent) return { retryAfterSeconds: 5 };
    recent.push(now);
    this.started.set(key, recent);
    this.active.set(key, active + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.active.get(key) ?? 1) - 1;
      if (left <= 0) this.active.delete(key);
      else this.active.set(key, left);
    };
  }
}
