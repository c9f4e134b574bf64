/**
 * The only SQL of the publishing queue. User queries run under RLS as the caller; the worker's
 * (claim, progress, outcome, sweep) run as system and are all conditional on the claim they hold.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import type { PlatformKind } from "../platforms/index.ts";
import type { ListPostsInput, Post, PostAttempt, PostStatus } from "./posts.schemas.ts";

export type PostRow = Selectable<Tables.ScheduledPosts>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toPost = (r: PostRow): Post => ({
  id: r.id,
  groupId: r.group_id,
  connectionId: r.connection_id,
  platform: r.platform as PlatformKind,
  status: r.status as PostStatus,
  parts: r.parts,
  title: r.title,
  mediaFileIds: r.media_file_ids,
  scheduledAt: iso(r.scheduled_at),
  timeZone: r.time_zone,
  scheduledLocal: r.scheduled_local,
  publishedAt: iso(r.published_at),
  platformPostId: r.platform_post_id,
  platformUrl: r.platform_url,
  error: r.error,
  attemptCount: r.attempt_count,
  writerOutputId: r.writer_output_id,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

// ---------- the owner's side (RLS) ----------

export interface ConnectionRef {
  id: string;
  platform: string;
  status: string;
  display_name: string;
}

/** The caller's connections among `ids` (RLS hides everyone else's). */
export async function connectionsByIds(tx: Tx, ids: string[]): Promise<ConnectionRef[]> {
  if (!ids.length) return [];
  return (await tx
    .selectFrom("social_connections")
    .select(["id", "platform", "status", "display_name"])
    .where("id", "in", ids)
    .execute()) as ConnectionRef[];
}

export async function postsByComposeKey(tx: Tx, userId: string, composeKey: string): Promise<PostRow[]> {
  return (await tx
    .selectFrom("scheduled_posts")
    .selectAll()
    .where("user_id", "=", userId)
    .where("compose_key", "=", composeKey)
    .orderBy("created_at")
    .orderBy("id")
    .execute()) as PostRow[];
}

export interface NewPost {
  user_id: string;
  group_id: string;
  connection_id: string;
  platform: string;
  parts: string[];
  title: string | null;
  media_file_ids: string[];
  status: "draft" | "pending";
  scheduled_at: Date | null;
  time_zone: string | null;
  scheduled_local: string | null;
  writer_output_id: string | null;
  compose_key: string;
}

export async function insertPosts(tx: Tx, rows: NewPost[]): Promise<PostRow[]> {
  return (await tx
    .insertInto("scheduled_posts")
    .values(rows.map((r) => ({ ...r, schedule_version: r.status === "pending" ? 1 : 0 })))
    .returningAll()
    .execute()) as PostRow[];
}

const sortAt = sql<Date>`date_trunc('milliseconds', COALESCE(scheduled_at, created_at))`;

export async function listPosts(tx: Tx, input: ListPostsInput & { order: "asc" | "desc"; limit: number }): Promise<PostRow[]> {
  let q = tx.selectFrom("scheduled_posts").selectAll();
  if (input.status?.length) q = q.where("status", "in", input.status);
  if (input.from) q = q.where(sql<boolean>`COALESCE(scheduled_at, created_at) >= ${input.from}`);
  if (input.to) q = q.where(sql<boolean>`COALESCE(scheduled_at, created_at) < ${input.to}`);
  if (input.cursor) {
    const { at, id } = input.cursor;
    q =
      input.order === "asc"
        ? q.where(sql<boolean>`(${sortAt}, id) > (${at}::timestamptz, ${id}::uuid)`)
        : q.where(sql<boolean>`(${sortAt}, id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return (await q
    .orderBy(sortAt, input.order)
    .orderBy("id", input.order)
    .limit(input.limit + 1)
    .execute()) as PostRow[];
}

export async function findPost(tx: Tx, postId: string, options: { forUpdate?: boolean } = {}): Promise<PostRow | undefined> {
  let q = tx.selectFrom("scheduled_posts").selectAll().where("id", "=", postId);
  if (options.forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) as PostRow | undefined;
}

export async function attemptsOf(tx: Tx, postId: string): Promise<PostAttempt[]> {
  const rows = await tx
    .selectFrom("post_attempts")
    .select(["id", "kind", "started_at", "duration_ms", "request", "status_code", "response", "outcome", "error_kind", "error"])
    .where("post_id", "=", postId)
    .orderBy("started_at")
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as PostAttempt["kind"],
    startedAt: r.started_at.toISOString(),
    durationMs: r.duration_ms,
    request: r.request,
    statusCode: r.status_code,
    response: r.response,
    outcome: r.outcome as PostAttempt["outcome"],
    errorKind: r.error_kind as PostAttempt["errorKind"],
    error: r.error,
  }));
}

export interface OwnerPatch {
  parts?: string[];
  title?: string | null;
  media_file_ids?: string[];
  status?: "draft" | "pending" | "cancelled";
  scheduled_at?: Date | null;
  time_zone?: string | null;
  scheduled_local?: string | null;
  error?: string | null;
  attempt_count?: number;
  /** Bump the schedule version (a new job is enqueued for the new version). */
  bumpVersion?: boolean;
}

/** Changes a post only while it is in one of `from` (the row lock is held by the caller's findPost). */
export async function updateOwned(tx: Tx, postId: string, from: PostStatus[], patch: OwnerPatch): Promise<PostRow | undefined> {
  const { bumpVersion, ...columns } = patch;
  return (await tx
    .updateTable("scheduled_posts")
    .set({
      ...columns,
      ...(bumpVersion ? { schedule_version: sql<number>`schedule_version + 1` } : {}),
    })
    .where("id", "=", postId)
    .where("status", "in", from)
    .returningAll()
    .executeTakeFirst()) as PostRow | undefined;
}

// ---------- the worker's side (system) ----------

/**
 * pending → publishing for the schedule version the job was made for, once the post is due within
 * `earlyMs`; the one caller that wins owns the post. The lease counts from the due instant (the owner
 * waits for it before calling the platform).
 */
export async function claimPending(
  tx: Tx,
  postId: string,
  version: number,
  token: string,
  earlyMs: number,
): Promise<PostRow | undefined> {
  return (await tx
    .updateTable("scheduled_posts")
    .set({
      status: "publishing",
      claim_token: token,
      claimed_at: sql<Date>`GREATEST(clock_timestamp(), scheduled_at)`,
      attempt_count: sql<number>`attempt_count + 1`,
    })
    .where("id", "=", postId)
    .where("status", "=", "pending")
    .where("schedule_version", "=", version)
    .where("scheduled_at", "<=", sql<Date>`clock_timestamp() + make_interval(secs => ${earlyMs / 1000})`)
    .returningAll()
    .executeTakeFirst()) as PostRow | undefined;
}

/** claimPending for many jobs in one statement (a minute boundary brings hundreds at once). */
export async function claimPendingMany(
  tx: Tx,
  items: { postId: string; version: number; token: string }[],
  earlyMs: number,
): Promise<(PostRow & { db_now: Date })[]> {
  if (!items.length) return [];
  const result = await sql<PostRow & { db_now: Date }>`
    UPDATE scheduled_posts p
       SET status = 'publishing', claim_token = j.token, claimed_at = GREATEST(clock_timestamp(), p.scheduled_at),
           attempt_count = p.attempt_count + 1
      FROM unnest(${items.map((i) => i.postId)}::uuid[], ${items.map((i) => i.version)}::int[], ${items.map((i) => i.token)}::uuid[])
           AS j(id, version, token)
     WHERE p.id = j.id AND p.status = 'pending' AND p.schedule_version = j.version
       AND p.scheduled_at <= clock_timestamp() + make_interval(secs => ${earlyMs / 1000})
    RETURNING p.*, clock_timestamp() AS db_now`.execute(tx);
  return result.rows;
}

/**
 * Takes over a post whose outcome is uncertain: `unknown`, or `publishing` under a claim older than
 * the lease (its worker died). The new owner must reconcile with the platform before publishing.
 */
export async function claimUncertain(tx: Tx, postId: string, token: string, leaseMs: number): Promise<PostRow | undefined> {
  return (await tx
    .updateTable("scheduled_posts")
    .set({ status: "publishing", claim_token: token, claimed_at: sql<Date>`clock_timestamp()` })
    .where("id", "=", postId)
    .where((eb) =>
      eb.or([
        eb("status", "=", "unknown"),
        eb.and([
          eb("status", "=", "publishing"),
          eb("claimed_at", "<", sql<Date>`clock_timestamp() - make_interval(secs => ${leaseMs / 1000})`),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst()) as PostRow | undefined;
}

/**
 * Renews our claim's lease before a platform call (its lease must outlast the call, or a second
 * worker could take the post over and publish it while our request is still in flight). False when
 * the claim is no longer ours: the caller must not call the platform.
 */
export async function renewClaim(tx: Tx, postId: string, token: string): Promise<boolean> {
  const r = await tx
    .updateTable("scheduled_posts")
    .set({ claimed_at: sql<Date>`clock_timestamp()` })
    .where("id", "=", postId)
    .where("claim_token", "=", token)
    .where("status", "=", "publishing")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records parts confirmed by the platform (the first one is the root), while the claim is ours. */
export async function saveParts(
  tx: Tx,
  postId: string,
  token: string,
  partIds: string[],
  root: { id: string; url: string },
): Promise<boolean> {
  const r = await tx
    .updateTable("scheduled_posts")
    // Each confirmed part renews the claim's lease.
    .set({ part_ids: partIds, platform_post_id: root.id, platform_url: root.url, claimed_at: sql<Date>`clock_timestamp()` })
    .where("id", "=", postId)
    .where("claim_token", "=", token)
    .where("status", "=", "publishing")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function markPublished(tx: Tx, postId: string, token: string): Promise<boolean> {
  const r = await tx
    .updateTable("scheduled_posts")
    .set({ status: "published", published_at: sql<Date>`clock_timestamp()`, claim_token: null, error: null })
    .where("id", "=", postId)
    .where("claim_token", "=", token)
    .where("status", "=", "publishing")
    .where("platform_post_id", "is not", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface FinishItem {
  id: string;
  token: string;
  part_ids: string[];
  root_id: string;
  root_url: string;
  attempt: AttemptRow;
}

/**
 * The last part of many posts confirmed: each post is marked published with its part ids (while the
 * claim is still ours) and its attempt logged, in one statement. Returns the `<id>:<token>` claims
 * that were ours (two finishes of one post can share a batch; only the claim holder's counts).
 */
export async function finishMany(tx: Tx, items: FinishItem[]): Promise<Set<string>> {
  if (!items.length) return new Set();
  const posts = items.map((i) => ({ id: i.id, token: i.token, part_ids: i.part_ids, root_id: i.root_id, root_url: i.root_url }));
  const attempts = items.map((i) => ({
    ...i.attempt,
    token: i.token,
    started_at: i.attempt.started_at.toISOString(),
    request: i.attempt.request.slice(0, 2000),
    response: i.attempt.response?.slice(0, 2000) ?? null,
    error: i.attempt.error?.slice(0, 2000) ?? null,
  }));
  const result = await sql<{ post_id: string; token: string }>`
    WITH done AS (
      UPDATE scheduled_posts p
         SET part_ids = j.part_ids, platform_post_id = j.root_id, platform_url = j.root_url, status = 'published',
             published_at = clock_timestamp(), claimed_at = clock_timestamp(), claim_token = NULL, error = NULL
        FROM jsonb_to_recordset(${JSON.stringify(posts)}::jsonb) AS j(id uuid, token uuid, part_ids text[], root_id text, root_url text)
       WHERE p.id = j.id AND p.claim_token = j.token AND p.status = 'publishing'
      RETURNING p.id, j.token
    ), logged AS (
      INSERT INTO post_attempts (post_id, user_id, kind, started_at, duration_ms, request, status_code, response, outcome, error_kind, error)
      SELECT a.post_id, a.user_id, a.kind, a.started_at, a.duration_ms, a.request, a.status_code, a.response, a.outcome, a.error_kind, a.error
        FROM jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) AS a(post_id uuid, token uuid, user_id uuid, kind text,
             started_at timestamptz, duration_ms integer, request text, status_code integer, response text, outcome text,
             error_kind text, error text)
       -- Only the claim holder's attempt: two workers' finishes for one post can share a batch, and the one
       -- whose claim was lost must not be logged as a second publication.
       WHERE (a.post_id, a.token) IN (SELECT id, token FROM done)
    )
    SELECT id AS post_id, token FROM done`.execute(tx);
  return new Set(result.rows.map((r) => `${r.post_id}:${r.token}`));
}

/** Ends our claim: back to pending for a retry (new schedule version), to unknown, or failed. */
export async function releaseClaim(
  tx: Tx,
  postId: string,
  token: string,
  to: { status: "pending" | "unknown" | "failed"; error: string },
): Promise<PostRow | undefined> {
  return (await tx
    .updateTable("scheduled_posts")
    .set({
      status: to.status,
      error: to.error.slice(0, 2000),
      claim_token: null,
      // Unknown rows keep the time they went uncertain (the sweeper's clock); others drop it.
      claimed_at: to.status === "unknown" ? sql<Date>`clock_timestamp()` : null,
      ...(to.status === "pending" ? { schedule_version: sql<number>`schedule_version + 1` } : {}),
    })
    .where("id", "=", postId)
    .where("claim_token", "=", token)
    .where("status", "=", "publishing")
    .returningAll()
    .executeTakeFirst()) as PostRow | undefined;
}

export type AttemptRow = Omit<Selectable<Tables.PostAttempts>, "id" | "created_at" | "kind" | "outcome" | "error_kind"> & {
  kind: "publish" | "reconcile";
  outcome: PostAttempt["outcome"];
  error_kind: PostAttempt["errorKind"];
};

export async function insertAttempt(tx: Tx, attempt: AttemptRow): Promise<void> {
  await tx
    .insertInto("post_attempts")
    .values({
      ...attempt,
      request: attempt.request.slice(0, 2000),
      response: attempt.response?.slice(0, 2000) ?? null,
      error: attempt.error?.slice(0, 2000) ?? null,
    })
    .execute();
}

export async function countAttempts(
  tx: Tx,
  postId: string,
  where: { kind: AttemptRow["kind"]; outcome: AttemptRow["outcome"] },
): Promise<number> {
  const r = await tx
    .selectFrom("post_attempts")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("post_id", "=", postId)
    .where("kind", "=", where.kind)
    .where("outcome", "=", where.outcome)
    .executeTakeFirstOrThrow();
  return r.n;
}

/** Posts the sweeper must look at: claims past their lease, unknowns, and pending posts well past due. */
export async function strandedPosts(
  tx: Tx,
  options: { leaseMs: number; overdueMs: number; limit: number },
): Promise<{ id: string; status: string; schedule_version: number }[]> {
  return await tx
    .selectFrom("scheduled_posts")
    .select(["id", "status", "schedule_version"])
    .where((eb) =>
      eb.or([
        eb.and([
          eb("status", "=", "publishing"),
          eb("claimed_at", "<", sql<Date>`clock_timestamp() - make_interval(secs => ${options.leaseMs / 1000})`),
        ]),
        eb.and([
          eb("status", "=", "unknown"),
          eb("claimed_at", "<", sql<Date>`clock_timestamp() - make_interval(secs => ${options.overdueMs / 1000})`),
        ]),
        eb.and([
          eb("status", "=", "pending"),
          eb("scheduled_at", "<", sql<Date>`clock_timestamp() - make_interval(secs => ${options.overdueMs / 1000})`),
        ]),
      ]),
    )
    .orderBy("scheduled_at")
    .limit(options.limit)
    .execute();
}

/** The caller's files among `ids` (RLS hides everyone else's). */
export async function filesByIds(tx: Tx, ids: string[]): Promise<{ id: string; content_type: string; byte_size: number }[]> {
  if (!ids.length) return [];
  return await tx.selectFrom("stored_files").select(["id", "content_type", "byte_size"]).where("id", "in", ids).execute();
}
