/**
 * The worker's side of the queue: publishing a post exactly once. See docs/ARCHITECTURE.md, "The life
 * of a post". In short:
 *
 *   1. The job arrives up to DEFAULT_LEAD_MS early. Credentials are fetched (and renewed if near
 *      expiry) while waiting, then the handler sleeps until the exact due instant.
 *   2. Claim: UPDATE pending → publishing WHERE schedule_version = the job's, with a fresh claim token.
 *      Exactly one job wins; a stale, duplicate or cancelled one changes nothing.
 *   3. The platform is called outside any transaction, one part of a thread at a time, each with the
 *      idempotency key `inkwell-post-<id>#<part>`. Each confirmed part id is saved at once (guarded by
 *      the claim token, which also refreshes the lease).
 *   4. Outcomes: transient → back to pending with backoff (a new job, a new version); auth/permanent →
 *      failed with the platform's message in words; no answer after the request went out → `unknown`.
 *   5. `unknown`, or `publishing` under a claim older than its lease (the worker died), is taken over
 *      only to reconcile first: findPublished() on the platform, keep what is there, publish the rest.
 * Every platform call is logged in post_attempts.
 */
import { randomUUID } from "node:crypto";
import { asSystem } from "@inkwell/db";
import { type ConnectionCredentials, connections } from "../connections/index.ts";
import { files } from "../files/index.ts";
import { DomainError } from "../platform/errors.ts";
import type {
  PlatformAdapter,
  PlatformKind,
  PostMedia,
  PreparedPost,
  PublishingRuntime,
  PublishRequest,
} from "../platforms/index.ts";
import { isPlatformError, PLATFORM_NAMES, PlatformError } from "../platforms/index.ts";
import { clockOf } from "./posts.clock.ts";
import { publishPostJob } from "./posts.jobs.ts";
import {
  configOf,
  holdLease,
  type Lease,
  LeaseLost,
  type PublisherConfig,
  type PublisherDeps,
  type PublishOutcome,
} from "./posts.publisher.config.ts";
import { batchersOf, limited } from "./posts.publisher.throttle.ts";
import * as repo from "./posts.repository.ts";
import { DEFAULT_LEAD_MS } from "./posts.service.ts";

export {
  claimLeaseMsOf,
  DEFAULT_PUBLISHER_CONFIG,
  type PublisherConfig,
  type PublisherDeps,
  type PublishOutcome,
} from "./posts.publisher.config.ts";

export const idempotencyKeyOf = (postId: string) => `inkwell-post-${postId}`;

function requestOf(row: repo.PostRow): PublishRequest {
  return { parts: row.parts, ...(row.title ? { title: row.title } : {}), idempotencyKey: idempotencyKeyOf(row.id) };
}

/** Runs one publish job: claim (just before the due instant), wait for it, publish — or reconcile, then publish. */
export async function runPublishJob(deps: PublisherDeps, job: { postId: string; version: number }): Promise<PublishOutcome> {
  const config = configOf(deps);
  const token = randomUUID();
  // The common case is one statement: the job's version is still pending and due soon.
  const sent = performance.now();
  const claimed = await batchersOf(deps, config).claim({ postId: job.postId, version: job.version, token });
  if (claimed) {
    // The lease counts from claimed_at (the due instant when claimed early), by the database's clock.
    const lease = {
      until: sent + Math.max(0, (claimed.claimed_at as Date).getTime() - claimed.db_now.getTime()) + config.claimLeaseMs,
    };
    const credentials = await fetchCredentials(deps, claimed);
    const ahead = await prepareAhead(deps, config, claimed, token, lease, credentials);
    await clockOf(deps).sleepUntil(claimed.scheduled_at as Date);
    return publishClaimed(deps, config, claimed, token, lease, credentials, false, ahead);
  }
  const row = await asSystem(deps.db, (tx) => repo.findPost(tx, job.postId));
  if (!row) return "gone";
  if (row.status === "pending" && row.schedule_version === job.version && row.scheduled_at) {
    // Fetched too soon (e.g. a clock ahead): come back just before the due time.
    const startAfter = new Date(row.scheduled_at.getTime() - Math.min(config.maxEarlyMs, DEFAULT_LEAD_MS));
    await asSystem(deps.db, (tx) =>
      deps.enqueue(tx, publishPostJob, job, { startAfter, singletonKey: `${row.id}:${row.schedule_version}` }),
    );
    return "early";
  }
  if (row.status === "publishing" || row.status === "unknown") {
    const takenAt = performance.now();
    const taken = await asSystem(deps.db, (tx) => repo.claimUncertain(tx, row.id, token, config.claimLeaseMs));
    if (!taken) {
      // Another worker holds a live claim. If it dies, its lease runs out: look again then.
      const leaseEnds = (row.claimed_at ?? clockOf(deps).now()).getTime() + config.claimLeaseMs + 1_000;
      await asSystem(deps.db, (tx) =>
        deps.enqueue(tx, publishPostJob, job, { startAfter: new Date(leaseEnds), singletonKey: `${row.id}:lease` }),
      );
      return "busy";
    }
    const lease = { until: takenAt + config.claimLeaseMs };
    return publishClaimed(deps, config, taken, token, lease, await fetchCredentials(deps, taken), true);
  }
  return "stale";
}

/**
 * Credentials are kept for a few seconds per connection, so a burst of posts on one account (a
 * minute boundary) opens the sealed token once. credentialsFor hands out tokens valid for at least
 * NEAR_EXPIRY_SECONDS (5 min), far longer than this; an auth failure drops the entry.
 */
const CREDENTIALS_TTL_MS = 30_000;
type CachedCredentials = { credentials: Promise<ConnectionCredentials>; until: number };
const credentialCaches = new WeakMap<PublishingRuntime, Map<string, CachedCredentials>>();
function credentialCache(deps: PublisherDeps) {
  let cache = credentialCaches.get(deps.publishing);
  if (!cache) {
    cache = new Map();
    credentialCaches.set(deps.publishing, cache);
  }
  return cache;
}

/** The connection's credentials, or the error to settle the post with once it is claimed. */
async function fetchCredentials(deps: PublisherDeps, row: repo.PostRow): Promise<ConnectionCredentials | PlatformError> {
  const platform = row.platform as PlatformKind;
  const gone = () =>
    new PlatformError("permanent", platform, `The ${PLATFORM_NAMES[platform]} account this post was for has been disconnected.`);
  const connectionId = row.connection_id;
  if (!connectionId) return gone();
  const cache = credentialCache(deps);
  let hit = cache.get(connectionId);
  if (!hit || hit.until <= Date.now()) {
    // Concurrent posts on one connection share one lookup (the promise is cached, not just its value).
    const credentials = connections.credentialsFor(deps, connectionId);
    hit = { credentials, until: Date.now() + CREDENTIALS_TTL_MS };
    cache.set(connectionId, hit);
    credentials.catch(() => {
      if (cache.get(connectionId) === hit) cache.delete(connectionId);
    });
  }
  try {
    return await hit.credentials;
  } catch (error) {
    if (isPlatformError(error)) return error;
    if (error instanceof DomainError && error.code === "NOT_FOUND") return gone();
    throw error;
  }
}

/** The host a post's requests go to, whose slots they share: the platform's API, or the WordPress site. */
function hostOf(deps: PublisherDeps, credentials: ConnectionCredentials): string {
  const base =
    credentials.platform === "wordpress" ? credentials.siteUrl : deps.publishing.platforms[credentials.platform].apiBaseUrl;
  try {
    return new URL(base).host;
  } catch {
    return base;
  }
}

/** What was made ready while waiting for the due instant (see prepareAhead). */
interface Ahead {
  media?: PostMedia[] | PlatformError;
  prepared?: PreparedPost;
}

/**
 * While a claimed post waits for its instant: its images are read and the platform's preparation runs
 * (Threads creates the first part's container), so the instant costs only the publish request — at a
 * minute boundary that is a third fewer requests in the rush. Nothing here publishes: a failure only
 * leaves the work to the publish step (which reports it), and a container left unused expires.
 */
async function prepareAhead(
  deps: PublisherDeps,
  config: ReturnType<typeof configOf>,
  row: repo.PostRow,
  token: string,
  lease: Lease,
  credentials: ConnectionCredentials | PlatformError,
): Promise<Ahead> {
  if (credentials instanceof PlatformError || row.part_ids.length) return {};
  const ahead: Ahead = {};
  if (row.media_file_ids.length) ahead.media = await mediaFor(deps, row);
  const media = ahead.media;
  if (media instanceof PlatformError) return ahead;
  const adapter = deps.publishing.adapters[row.platform as PlatformKind] as PlatformAdapter<unknown>;
  const prepare = adapter.prepare?.bind(adapter);
  if (!prepare) return ahead;
  try {
    ahead.prepared = await limited(deps, config, hostOf(deps, credentials), async () => {
      await holdLease(deps, config, row, token, lease);
      return prepare({ ...requestOf(row), ...(media ? { media } : {}) }, credentials.credentials);
    });
  } catch (error) {
    if (!isPlatformError(error) && !(error instanceof LeaseLost)) throw error;
    deps.log.warn({ postId: row.id, err: error }, "could not prepare the post ahead; the publish step does it");
  }
  return ahead;
}

interface Attempt {
  kind: "publish" | "reconcile";
  startedAt: Date;
  started: number;
  request: string;
}

const begin = (kind: Attempt["kind"], request: string): Attempt => ({
  kind,
  startedAt: new Date(),
  started: performance.now(),
  request,
});

function attemptRow(
  row: repo.PostRow,
  attempt: Attempt,
  result: { outcome: repo.AttemptRow["outcome"]; response?: string | null; error?: PlatformError | null },
): repo.AttemptRow {
  return {
    post_id: row.id,
    user_id: row.user_id,
    kind: attempt.kind,
    started_at: attempt.startedAt,
    duration_ms: Math.max(0, Math.round(performance.now() - attempt.started)),
    request: attempt.request,
    status_code: result.error?.status ?? null,
    response: result.response ?? result.error?.message ?? null,
    outcome: result.outcome,
    error_kind: result.error?.kind ?? null,
    error: result.error?.message ?? null,
  };
}

async function publishClaimed(
  deps: PublisherDeps,
  config: ReturnType<typeof configOf>,
  row: repo.PostRow,
  token: string,
  lease: Lease,
  credentials: ConnectionCredentials | PlatformError,
  reconcileFirst: boolean,
  ahead: Ahead = {},
): Promise<PublishOutcome> {
  try {
    return await publishUnderLease(deps, config, row, token, lease, credentials, reconcileFirst, ahead);
  } catch (error) {
    if (!(error instanceof LeaseLost)) throw error;
    deps.log.warn({ postId: row.id }, "claim taken over before a platform call; nothing sent, the new owner reconciles");
    return "lost";
  }
}

async function publishUnderLease(
  deps: PublisherDeps,
  config: ReturnType<typeof configOf>,
  row: repo.PostRow,
  token: string,
  lease: Lease,
  credentials: ConnectionCredentials | PlatformError,
  reconcileFirst: boolean,
  ahead: Ahead,
): Promise<PublishOutcome> {
  const platform = row.platform as PlatformKind;
  const name = PLATFORM_NAMES[platform];
  const request = requestOf(row);
  if (credentials instanceof PlatformError && reconcileFirst && credentials.kind !== "permanent") {
    // The post may already be out and we cannot look (reconnect needed, sign-in being renewed): it
    // stays unknown. Failing it (or putting it back to pending) would let a retry send it again blindly.
    const attempt = begin("reconcile", `credentials to look for the post on ${name}`);
    const reason = new PlatformError(
      "unknown",
      platform,
      `We could not yet check ${name} for this post: ${withoutPromise(credentials.message)} We will check again before sending anything.`,
      { ...(credentials.status === undefined ? {} : { status: credentials.status }) },
    );
    return settleFailure(deps, config, row, token, attempt, reason);
  }
  if (credentials instanceof PlatformError) {
    const attempt = begin("publish", `credentials for the ${name} connection`);
    return settleFailure(deps, config, row, token, attempt, credentials);
  }
  const adapter = deps.publishing.adapters[platform] as PlatformAdapter<unknown>;
  const known = [...row.part_ids];
  let rootUrl = row.platform_url;

  if (reconcileFirst) {
    const attempt = begin(
      "reconcile",
      `look for the post on ${name} (${row.parts.length} part(s), key ${request.idempotencyKey})`,
    );
    try {
      const found = await limited(deps, config, hostOf(deps, credentials), async () => {
        await holdLease(deps, config, row, token, lease);
        return adapter.findPublished(request, credentials.credentials, {
          ...(row.scheduled_at ? { since: row.scheduled_at } : {}),
        });
      });
      const more = found.length > known.length;
      if (more) {
        known.splice(0, known.length, ...found.map((p) => p.platformPostId));
        rootUrl = found[0]?.url ?? rootUrl;
      }
      const saving = performance.now();
      const saved = await asSystem(deps.db, async (tx) => {
        await repo.insertAttempt(
          tx,
          attemptRow(row, attempt, {
            outcome: found.length ? "found" : "not_found",
            response: found.length
              ? `${found.length} of ${row.parts.length} part(s) already on ${name}: ${found.map((p) => p.platformPostId).join(", ")}`
              : `nothing on ${name} yet`,
          }),
        );
        if (!more) return true;
        return repo.saveParts(tx, row.id, token, known, { id: known[0] as string, url: rootUrl ?? "" });
      });
      if (!saved) return "lost";
      if (more) lease.until = saving + config.claimLeaseMs; // saveParts renewed it
    } catch (error) {
      if (!isPlatformError(error)) throw error;
      // Could not look: the outcome stays unknown (never publish blindly); look again later.
      const reason = new PlatformError(
        "unknown",
        platform,
        `We could not yet check ${name} for this post (${error.message}); we will check again before doing anything else.`,
        { ...(error.status === undefined ? {} : { status: error.status }) },
      );
      return settleFailure(deps, config, row, token, attempt, reason);
    }
  }

  if (known.length >= row.parts.length) {
    // Everything was already there (reconciled): finish without a request.
    const done = await asSystem(deps.db, (tx) => repo.markPublished(tx, row.id, token));
    return done ? "published" : "lost";
  }
  if (row.media_file_ids.length && known.length === 0) {
    // Images go with the first part. They are read now, with no transaction open, and the adapter
    // uploads them inside the first part's publish call, just before the create request: a retry may
    // upload them again (an unused copy on the platform), never create the post twice.
    const attempt = begin("publish", `read ${row.media_file_ids.length} image(s) for the ${name} post`);
    const media = ahead.media ?? (await mediaFor(deps, row));
    if (media instanceof PlatformError) return settleFailure(deps, config, row, token, attempt, media);
    request.media = media;
  }
  if (known.length === 0 && ahead.prepared) request.prepared = ahead.prepared;
  for (let index = known.length; index < row.parts.length; index++) {
    const text = row.parts[index] as string;
    const summary = `publish ${row.parts.length > 1 ? `part ${index + 1}/${row.parts.length}` : "the post"} (${[...text].length} chars) to ${name}, key ${request.idempotencyKey}#${index}`;
    let attempt = begin("publish", summary);
    let published: { platformPostId: string; url: string };
    try {
      const result = await limited(deps, config, hostOf(deps, credentials), async () => {
        await holdLease(deps, config, row, token, lease);
        attempt = begin("publish", summary); // timed from when a request slot is free
        return adapter.publish(
          { ...request, parts: row.parts.slice(0, index + 1), alreadyPublished: [...known] },
          credentials.credentials,
        );
      });
      published = result.parts[index] as { platformPostId: string; url: string };
    } catch (error) {
      if (!isPlatformError(error)) throw error;
      return settleFailure(deps, config, row, token, attempt, error);
    }
    known.push(published.platformPostId);
    if (index === 0) rootUrl = published.url;
    const last = index === row.parts.length - 1;
    // Saved the moment the platform confirms it: a crash after this never publishes the part again.
    const root = { id: known[0] as string, url: rootUrl ?? published.url };
    const logged = attemptRow(row, attempt, {
      outcome: last ? "published" : "partial",
      response: `published as ${published.platformPostId}`,
    });
    const saving = performance.now();
    const saved = last
      ? await batchersOf(deps, config).finish({
          id: row.id,
          token,
          part_ids: [...known],
          root_id: root.id,
          root_url: root.url,
          attempt: logged,
        })
      : await asSystem(deps.db, async (tx) => {
          if (!(await repo.saveParts(tx, row.id, token, known, root))) return false;
          await repo.insertAttempt(tx, logged);
          return true;
        });
    if (!saved) {
      deps.log.warn({ postId: row.id, part: index }, "claim lost while publishing; the new owner reconciles");
      return "lost";
    }
    lease.until = saving + config.claimLeaseMs; // saveParts renewed it
  }
  return "published";
}

/**
 * How long the image URL handed to Threads stays valid. Threads fetches the image while creating the
 * container (seconds later), but a retry reuses nothing, so a day is ample and still expires.
 */
const MEDIA_URL_TTL_SECONDS = 24 * 60 * 60;

/**
 * The post's images with their bytes, read as system but checked against the post's owner. Threads
 * takes an image by URL, not by upload: it gets a signed `/files/:id` URL under the app's public
 * address (APP_URL), which in production must be reachable from Meta's servers.
 */
async function mediaFor(deps: PublisherDeps, row: repo.PostRow): Promise<PostMedia[] | PlatformError> {
  const platform = row.platform as PlatformKind;
  const name = PLATFORM_NAMES[platform];
  if (!deps.storage) {
    return new PlatformError(
      "permanent",
      platform,
      `Images can't be published from this server: its file storage is not set up.`,
    );
  }
  const publicBase = deps.publishing.callbackBaseUrl;
  if (platform === "threads" && !publicBase) {
    return new PlatformError(
      "permanent",
      platform,
      "Threads fetches images from this app's public address, which is not configured here (APP_URL).",
    );
  }
  let found: Awaited<ReturnType<typeof files.readOwnedAsSystem>>;
  try {
    found = await files.readOwnedAsSystem({ db: deps.db, storage: deps.storage }, row.user_id, row.media_file_ids);
  } catch (error) {
    deps.log.warn({ err: error, postId: row.id }, "could not read a post's images");
    return new PlatformError("transient", platform, `We could not read the image for this ${name} post; we will try again.`);
  }
  if (found.length !== row.media_file_ids.length) {
    return new PlatformError(
      "permanent",
      platform,
      "An image attached to this post has been deleted; edit the post to attach it again.",
    );
  }
  return found.map(({ file, bytes }) => ({
    kind: "image" as const,
    contentType: file.contentType,
    filename: file.filename,
    bytes,
    ...(platform === "threads" ? { url: `${publicBase}${files.signedUrl(deps, file, MEDIA_URL_TTL_SECONDS)}` } : {}),
  }));
}

const withoutPromise = (message: string) =>
  message.replace(/;?\s*we will (try|check) again[^.]*\.?$/i, ".").replace(/\.\.$/, ".");

function retryDelayMs(config: PublisherConfig, attemptCount: number, error: PlatformError): number {
  const backoff = config.retryBaseMs * 2 ** Math.max(0, attemptCount - 1) * (0.8 + Math.random() * 0.4);
  return Math.min(config.retryMaxMs, Math.max(backoff, (error.retryAfterSeconds ?? 0) * 1000));
}

/** Ends the claim after a failed platform call (or credentials that failed), and logs the attempt. */
async function settleFailure(
  deps: PublisherDeps,
  config: ReturnType<typeof configOf>,
  row: repo.PostRow,
  token: string,
  attempt: Attempt,
  error: PlatformError,
): Promise<PublishOutcome> {
  const name = PLATFORM_NAMES[row.platform as PlatformKind];
  let outcome: PublishOutcome;
  let to: { status: "pending" | "unknown" | "failed"; error: string };
  let delayMs = 0;
  if (error.kind === "transient" && row.attempt_count < config.maxAttempts) {
    outcome = "retry";
    delayMs = retryDelayMs(config, row.attempt_count, error);
    to = { status: "pending", error: error.message };
  } else if (error.kind === "transient") {
    outcome = "failed";
    to = {
      status: "failed",
      error: `${name} kept failing after ${row.attempt_count} attempts; the last answer: ${withoutPromise(error.message)} Retry when ${name} is back.`,
    };
  } else if (error.kind === "unknown") {
    outcome = "unknown";
    delayMs = config.reconcileDelayMs * (attempt.kind === "reconcile" ? 5 : 1);
    to = { status: "unknown", error: error.message };
  } else {
    outcome = "failed";
    to = { status: "failed", error: error.message };
  }
  const released = await asSystem(deps.db, async (tx) => {
    const updated = await repo.releaseClaim(tx, row.id, token, to);
    if (!updated) return undefined;
    await repo.insertAttempt(
      tx,
      attemptRow(row, attempt, {
        outcome: outcome === "retry" ? "retry" : outcome === "unknown" ? "unknown" : "failed",
        error,
      }),
    );
    if (outcome === "unknown" && attempt.kind === "reconcile") {
      // The platform could not be checked: look again later, backing off while it stays unreachable.
      const failedLooks = await repo.countAttempts(tx, row.id, { kind: "reconcile", outcome: "unknown" });
      delayMs = Math.min(config.retryMaxMs, delayMs * 2 ** Math.min(10, Math.max(0, failedLooks - 1)));
    }
    if (outcome === "retry" || outcome === "unknown") {
      await deps.enqueue(
        tx,
        publishPostJob,
        { postId: row.id, version: updated.schedule_version },
        {
          startAfter: new Date(clockOf(deps).now().getTime() + delayMs),
          singletonKey: `${row.id}:${updated.schedule_version}${outcome === "unknown" ? `:u${updated.attempt_count}` : ""}`,
        },
      );
    }
    return updated;
  });
  if (!released) return "lost";
  deps.log.info({ postId: row.id, outcome, kind: error.kind, status: error.status }, "publish attempt settled");
  if (error.kind === "auth" && row.connection_id) {
    credentialCache(deps).delete(row.connection_id);
    await connections
      .reportAuthFailure(deps, row.connection_id, error.message)
      .catch((err: unknown) =>
        deps.log.warn({ err, connectionId: row.connection_id }, "could not mark the connection for reauthorisation"),
      );
  }
  return outcome;
}

/** The sweeper: re-enqueues stranded posts (see sweepPostsJob). Returns how many it looked at. */
export async function sweepStranded(deps: PublisherDeps): Promise<number> {
  const config = configOf(deps);
  return asSystem(deps.db, async (tx) => {
    const stranded = await repo.strandedPosts(tx, { leaseMs: config.claimLeaseMs, overdueMs: config.overdueMs, limit: 500 });
    for (const post of stranded) {
      await deps.enqueue(
        tx,
        publishPostJob,
        { postId: post.id, version: post.schedule_version },
        { singletonKey: post.status === "pending" ? `${post.id}:${post.schedule_version}` : `${post.id}:sweep` },
      );
    }
    return stranded.length;
  });
}
