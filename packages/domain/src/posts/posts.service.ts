/**
 * The publishing queue, the owner's side: compose (one post per connection, each its own variant),
 * list, get, edit/reschedule, cancel, publish now, retry. Everything runs in the caller's RLS
 * transaction, and a post that becomes due gets its pg-boss job in that same transaction (the row and
 * its job commit together). The worker's side — claiming and publishing — is posts.publisher.ts.
 */
import { randomUUID } from "node:crypto";
import { asUser, type Database, type Tx } from "@inkwell/db";
import { FILE_PURPOSES } from "../files/files.schemas.ts";
import type { FilesDeps } from "../files/index.ts";
import { files } from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue } from "../platform/queue.ts";
import type { PlatformKind } from "../platforms/index.ts";
import { PLATFORM_NAMES, validatePost } from "../platforms/index.ts";
import { writerSessions } from "../writer/index.ts";
import { type Clock, clockOf } from "./posts.clock.ts";
import { publishPostJob } from "./posts.jobs.ts";
import * as repo from "./posts.repository.ts";
import type {
  ComposePostInput,
  ComposeResult,
  ListPostsInput,
  Post,
  PostAttempt,
  PostPage,
  PostStatus,
  PostWhen,
  UpdatePostInput,
  UploadedMedia,
  UploadMediaInput,
} from "./posts.schemas.ts";
import { resolveLocalTime } from "./posts.time.ts";

export interface PostsDeps {
  enqueue: Enqueue;
  /** Enqueue this long before the due time; the job waits for the exact instant (see posts.publisher.ts). */
  leadMs?: number;
  /** What "now" is for a picked time's check and a publish-now instant (the real clock by default). */
  clock?: Clock;
}

/** pg-boss finds a deferred job only when it polls (every 0.5 s here): start early, then wait. */
export const DEFAULT_LEAD_MS = 2_000;

/** Image types and size the platforms that take images (Threads, WordPress) accept. */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

const EDITABLE: PostStatus[] = ["draft", "pending"];
const CANCELLABLE: PostStatus[] = ["draft", "pending", "failed"];

function invalid(message: string, field?: string): DomainError {
  return new DomainError("INVALID_INPUT", message, field ? { field } : {});
}

/** The instant, zone and local time a `when` stands for (null for a draft), or a clear refusal. */
function scheduleOf(when: PostWhen, now: Date): { at: Date | null; timeZone: string | null; local: string | null } {
  if (when.kind === "draft") return { at: null, timeZone: null, local: null };
  if (when.kind === "now") return { at: now, timeZone: null, local: null };
  const resolved = resolveLocalTime(when.local, when.timeZone, { now });
  if (!resolved.ok) throw invalid(resolved.message, "when");
  return { at: resolved.instant, timeZone: when.timeZone, local: when.local };
}

async function checkContent(
  tx: Tx,
  platform: PlatformKind,
  who: string,
  post: { parts: string[]; title?: string | null; mediaFileIds: string[] },
): Promise<void> {
  const media = post.mediaFileIds.map(() => ({ kind: "image" as const, url: "https://media.invalid/placeholder" }));
  const issues = validatePost(platform, { parts: post.parts, ...(post.title ? { title: post.title } : {}), media });
  if (issues.length) throw invalid(`${who}: ${issues.map((i) => i.message).join(" ")}`, "parts");
  if (post.mediaFileIds.length) {
    // Nothing but this array attaches the images: keep the unattached-upload sweep off them meanwhile.
    await files.holdCallerUploads(tx);
    const found = await repo.filesByIds(tx, post.mediaFileIds);
    if (found.length !== new Set(post.mediaFileIds).size) throw notFound("Image");
    for (const f of found) {
      if (!IMAGE_TYPES.has(f.content_type)) throw invalid(`${who}: only JPEG, PNG, GIF or WebP images can be attached.`, "media");
      if (f.byte_size > MAX_IMAGE_BYTES) throw invalid(`${who}: images must be at most 8 MB.`, "media");
    }
  }
}

const label = (c: { platform: string; display_name: string }) =>
  `${PLATFORM_NAMES[c.platform as PlatformKind] ?? c.platform} (${c.display_name})`;

async function enqueueDue(deps: PostsDeps, tx: Tx, row: repo.PostRow): Promise<void> {
  if (row.status !== "pending" || !row.scheduled_at) return;
  const startAfter = new Date(row.scheduled_at.getTime() - (deps.leadMs ?? DEFAULT_LEAD_MS));
  await deps.enqueue(
    tx,
    publishPostJob,
    { postId: row.id, version: row.schedule_version },
    { startAfter, singletonKey: `${row.id}:${row.schedule_version}` },
  );
}

/** How long the composer's preview URL of an uploaded image stays valid. */
const PREVIEW_TTL_SECONDS = 60 * 60;

/**
 * Stores an image for a post (sniffed: only images, within the `post_media` size limit). The bytes are
 * written before the row's transaction opens (S3 is an HTTP call); the file is attached to posts by id
 * in compose/update, which check that it is the caller's own.
 */
export async function uploadMedia(
  deps: FilesDeps & { db: Database },
  userId: string,
  input: UploadMediaInput,
): Promise<UploadedMedia> {
  const bytes = new Uint8Array(Buffer.from(input.dataBase64, "base64"));
  const prepared = await files.prepare(deps, userId, {
    purpose: "post_media",
    filename: input.filename,
    bytes,
    allowed: ["image"],
    maxBytes: FILE_PURPOSES.post_media.maxBytes,
  });
  try {
    const stored = await asUser(deps.db, userId, (tx) => files.record(tx, userId, prepared));
    return {
      fileId: stored.id,
      contentType: stored.contentType,
      byteSize: stored.byteSize,
      url: files.signedUrl(deps, stored, PREVIEW_TTL_SECONDS),
    };
  } catch (error) {
    await files.discard(deps, prepared);
    throw error;
  }
}

export async function compose(deps: PostsDeps, tx: Tx, userId: string, input: ComposePostInput): Promise<ComposeResult> {
  const existing = await repo.postsByComposeKey(tx, userId, input.idempotencyKey);
  if (existing.length) return { groupId: (existing[0] as repo.PostRow).group_id, posts: existing.map(repo.toPost) };

  const ids = input.channels.map((c) => c.connectionId);
  const connections = new Map((await repo.connectionsByIds(tx, ids)).map((c) => [c.id, c]));
  if (ids.some((id) => !connections.has(id))) throw notFound("Connection");
  // The post keeps a link to the writer output it came from: it must be one the caller can read (RLS).
  if (input.writerOutputId) await writerSessions.getOutput(tx, input.writerOutputId);
  for (const channel of input.channels) {
    const connection = connections.get(channel.connectionId) as repo.ConnectionRef;
    await checkContent(tx, connection.platform as PlatformKind, label(connection), {
      parts: channel.parts,
      title: channel.title ?? null,
      mediaFileIds: channel.mediaFileIds ?? [],
    });
  }
  const schedule = scheduleOf(input.when, clockOf(deps).now());
  const groupId = randomUUID();
  const rows = await repo.insertPosts(
    tx,
    input.channels.map((channel) => ({
      user_id: userId,
      group_id: groupId,
      connection_id: channel.connectionId,
      platform: (connections.get(channel.connectionId) as repo.ConnectionRef).platform,
      parts: channel.parts,
      title: channel.title?.trim() || null,
      media_file_ids: channel.mediaFileIds ?? [],
      status: input.when.kind === "draft" ? "draft" : "pending",
      scheduled_at: schedule.at,
      time_zone: schedule.timeZone,
      scheduled_local: schedule.local,
      writer_output_id: input.writerOutputId ?? null,
      compose_key: input.idempotencyKey,
    })),
  );
  for (const row of rows) await enqueueDue(deps, tx, row);
  const order = new Map(ids.map((id, i) => [id, i]));
  rows.sort((a, b) => (order.get(a.connection_id as string) ?? 0) - (order.get(b.connection_id as string) ?? 0));
  return { groupId, posts: rows.map(repo.toPost) };
}

export async function list(tx: Tx, input: ListPostsInput & { order: "asc" | "desc"; limit: number }): Promise<PostPage> {
  const rows = await repo.listPosts(tx, input);
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > input.limit && last ? { at: (last.scheduled_at ?? last.created_at).toISOString(), id: last.id } : null;
  return { items: items.map(repo.toPost), nextCursor };
}

export async function get(tx: Tx, postId: string): Promise<{ post: Post; attempts: PostAttempt[] }> {
  const row = await repo.findPost(tx, postId);
  if (!row) throw notFound("Post");
  return { post: repo.toPost(row), attempts: await repo.attemptsOf(tx, postId) };
}

const STATE_WORDS: Record<PostStatus, string> = {
  draft: "is a draft",
  pending: "is scheduled",
  publishing: "is being published right now",
  published: "has already been published",
  failed: "has failed",
  cancelled: "was cancelled",
  unknown: "is being checked with the platform",
};

function notNow(row: repo.PostRow, action: string): DomainError {
  return new DomainError("PRECONDITION_FAILED", `This post ${STATE_WORDS[row.status as PostStatus]}, so it can't be ${action}.`);
}

async function locked(tx: Tx, postId: string): Promise<repo.PostRow> {
  const row = await repo.findPost(tx, postId, { forUpdate: true });
  if (!row) throw notFound("Post");
  return row;
}

/** Edit the content and/or reschedule a draft or pending post. */
export async function update(deps: PostsDeps, tx: Tx, input: UpdatePostInput): Promise<Post> {
  const row = await locked(tx, input.postId);
  if (!EDITABLE.includes(row.status as PostStatus)) throw notNow(row, "edited");
  const parts = input.parts ?? row.parts;
  const title = input.title === undefined ? row.title : input.title?.trim() || null;
  const mediaFileIds = input.mediaFileIds ?? row.media_file_ids;
  if (input.parts || input.title !== undefined || input.mediaFileIds) {
    const connection = row.connection_id ? (await repo.connectionsByIds(tx, [row.connection_id]))[0] : undefined;
    const who = connection ? label(connection) : PLATFORM_NAMES[row.platform as PlatformKind];
    await checkContent(tx, row.platform as PlatformKind, who, { parts, title, mediaFileIds });
  }
  const patch: repo.OwnerPatch = { parts, title, media_file_ids: mediaFileIds };
  if (input.when) {
    const schedule = scheduleOf(input.when, clockOf(deps).now());
    Object.assign(patch, {
      status: input.when.kind === "draft" ? "draft" : "pending",
      scheduled_at: schedule.at,
      time_zone: schedule.timeZone,
      scheduled_local: schedule.local,
      error: null,
      bumpVersion: true,
    });
  }
  const updated = await repo.updateOwned(tx, row.id, EDITABLE, patch);
  if (!updated) throw notNow(row, "edited");
  if (input.when) await enqueueDue(deps, tx, updated);
  return repo.toPost(updated);
}

export async function cancel(tx: Tx, postId: string): Promise<Post> {
  const row = await locked(tx, postId);
  if (!CANCELLABLE.includes(row.status as PostStatus)) throw notNow(row, "cancelled");
  // The version bump makes any job already queued for it a no-op.
  const updated = await repo.updateOwned(tx, postId, CANCELLABLE, { status: "cancelled", bumpVersion: true });
  if (!updated) throw notNow(row, "cancelled");
  return repo.toPost(updated);
}

/** A draft, pending or failed post goes out now (a failed one starts its attempts afresh). */
export async function publishNow(deps: PostsDeps, tx: Tx, postId: string): Promise<Post> {
  return requeue(deps, tx, postId, ["draft", "pending", "failed"], "published now");
}

/** failed → pending, now. */
export async function retry(deps: PostsDeps, tx: Tx, postId: string): Promise<Post> {
  return requeue(deps, tx, postId, ["failed"], "retried");
}

async function requeue(deps: PostsDeps, tx: Tx, postId: string, from: PostStatus[], action: string): Promise<Post> {
  const row = await locked(tx, postId);
  if (!from.includes(row.status as PostStatus)) throw notNow(row, action);
  if (!row.connection_id) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      "The account this post was for has been disconnected; compose it again for another account.",
    );
  }
  const updated = await repo.updateOwned(tx, postId, from, {
    status: "pending",
    scheduled_at: clockOf(deps).now(),
    time_zone: null,
    scheduled_local: null,
    error: null,
    ...(row.status === "failed" ? { attempt_count: 0 } : {}),
    bumpVersion: true,
  });
  if (!updated) throw notNow(row, action);
  await enqueueDue(deps, tx, updated);
  return repo.toPost(updated);
}
