/**
 * Image generations the worker tracks (issue 14.4). The life of one:
 *
 *   create (the caller's transaction): credits held (`image.generate`; none on the user's own image
 *     key), the row inserted `pending` with a fresh submit_key, `studio.submit-generation` enqueued —
 *     all three commit together or not at all.
 *   submit (worker): pending → submitting (committed), then the provider call with NO transaction open,
 *     the row's submit_key as Idempotency-Key; the provider's job id recorded → queued, and the first
 *     poll enqueued in that same transaction. A crash anywhere in between leaves the row `submitting`:
 *     the job's retry (or the sweep) submits again with the same key and the API answers the same job.
 *   poll (worker): asks the provider, backing off 2 s, 4 s, 8 s … capped at 60 s; past the deadline the
 *     generation fails and the hold is released. Each poll carries the attempt it expects
 *     (`poll_attempts`), so a duplicate chain (a webhook's immediate poll, a sweep) dies at its first
 *     stale step rather than polling forever beside the real one.
 *   completed: each result URL fetched (bounded bytes and time, sniffed: an image only), stored as the
 *     user's files, then ONE transaction records the files, moves the row to completed (conditional on
 *     it still being in flight) and captures the hold: a second delivery, or a cancel that got there
 *     first, finds the row moved and its files are discarded — the hold is captured exactly once.
 *   failed / nsfw / cancel: the hold released in the transaction that settles the row.
 *
 * The worker runs as the row's owner (RLS): its captures and stored files are theirs. Only the sweep
 * and the webhook, which start from no user, read across users as the system role, and only enqueue.
 */
import { randomUUID } from "node:crypto";
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import type { AiProvider, ImageGenerator, ImageJob } from "../ai/index.ts";
import { OWN_KEY_PROVIDER, userConnectionsOf, verifyImageWebhook } from "../ai/index.ts";
import { connections } from "../connections/index.ts";
import { credits, HOLD_TTL_SECONDS, priceOf } from "../credits/index.ts";
import { files, type PreparedFile, type Storage } from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, KeyRing, Logger } from "../platform/index.ts";
import { readCapped } from "../platform/read-capped.ts";
import { PrivateAddressError, publicOnlyFetch } from "../platforms/index.ts";
import { posts } from "../posts/index.ts";
import { usage } from "../usage/index.ts";
import * as assets from "./assets.service.ts";
import { pollGenerationJob, submitGenerationJob } from "./generations.jobs.ts";
import * as repo from "./generations.repository.ts";
import {
  type CreateGenerationInput,
  type Generation,
  type GenerationChange,
  type GenerationPage,
  type GenerationResultInput,
  type GenerationStatus,
  IN_FLIGHT_STATUSES,
  type ListGenerationsInput,
  listGenerationsInput,
  type ToPostInput,
} from "./generations.schemas.ts";
import * as prompts from "./prompts.service.ts";

export const GENERATION_OPERATION = "image.generate";
/** A result file's purpose (the user's own stored file). */
export const RESULT_PURPOSE = "studio_generation";
/** Polls back off from the first to the cap: 2, 4, 8, 16, 32, 60, 60 … seconds. */
export const FIRST_POLL_MS = 2_000;
export const MAX_POLL_MS = 60_000;
/** A generation still unsettled this long after it was created fails and costs nothing. */
export const GIVE_UP_MS = 20 * 60_000;
/** How long the sweep waits past a row's due instant before it re-drives it. */
export const SWEEP_GRACE_MS = 30_000;
/** A result image: at most this many bytes, fetched within this long. */
export const MAX_RESULT_BYTES = 20 * 1024 * 1024;
export const RESULT_FETCH_MS = 30_000;
const URL_TTL_SECONDS = 3600;

export interface GenerationsDeps {
  db: Database;
  /** The routing provider: the server's image API, or a user's own key (ai/user-connection.ts). */
  ai: AiProvider;
  enqueue: Enqueue;
  keyRing: KeyRing;
}

export interface GenerationWorkerDeps {
  db: Database;
  ai: AiProvider;
  enqueue: Enqueue;
  storage: Storage;
  log: Logger;
  /** Tests move time; the real clock otherwise. */
  now?: () => number;
  /** Polls back off from this (tests and the bench shorten it). */
  firstPollMs?: number;
}

export const backoffMs = (attempt: number, first = FIRST_POLL_MS) => Math.min(MAX_POLL_MS, first * 2 ** Math.max(0, attempt));

const nowOf = (deps: { now?: () => number }) => (deps.now ? deps.now() : Date.now());

// ---- reading ----

function toGeneration(deps: Pick<GenerationsDeps, "keyRing">, row: repo.GenerationRow): Generation {
  const settings = (row.settings ?? {}) as Generation["settings"];
  return {
    id: row.id,
    promptId: row.prompt_id,
    personaId: row.persona_id,
    promptText: row.prompt_text,
    status: row.status as GenerationStatus,
    provider: row.provider,
    offline: row.offline,
    model: row.model,
    settings,
    results: row.result_file_ids.map((fileId, index) => ({
      index,
      fileId,
      url: files.signedUrl(deps, { id: fileId }, URL_TTL_SECONDS),
      assetId: row.saved_asset_ids[index] ?? null,
    })),
    errorMessage: row.error_message,
    pollAttempts: row.poll_attempts,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function list(deps: Pick<GenerationsDeps, "keyRing">, tx: Tx, input: ListGenerationsInput): Promise<GenerationPage> {
  const parsed = listGenerationsInput.parse(input);
  const rows = await repo.listGenerations(tx, parsed, parsed.limit + 1);
  const items = rows.slice(0, parsed.limit).map((r) => toGeneration(deps, r));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > parsed.limit && last ? { at: last.createdAt, id: last.id } : null };
}

/** The caller's generation (RLS), or NOT_FOUND. */
export async function get(deps: Pick<GenerationsDeps, "keyRing">, tx: Tx, generationId: string): Promise<Generation> {
  const row = await repo.findGeneration(tx, generationId);
  if (!row) throw notFound("Generation");
  return toGeneration(deps, row);
}

/** The caller's generations changed after `since` (at most 500, oldest change first): the watch's one query. */
export async function changesSince(tx: Tx, since: Date): Promise<GenerationChange[]> {
  const rows = await repo.changedSince(tx, since, 500);
  return rows.map((r) => ({
    id: r.id,
    status: r.status as GenerationStatus,
    errorMessage: r.error_message,
    resultCount: r.result_file_ids.length,
    updatedAt: r.updated_at,
  }));
}

/** The watch's one query, in a short transaction of the user's own (nothing is held between ticks). */
export function changesOf(deps: { db: Database }, userId: string, since: Date): Promise<GenerationChange[]> {
  return asUser(deps.db, userId, (tx) => changesSince(tx, since));
}

// ---- starting ----

/** Who makes the pictures: the user's own key, the offline renderer (a placeholder), or the server's image API. */
async function providerLabel(deps: Pick<GenerationsDeps, "db" | "ai">, userId: string) {
  const own = await usage.priceFor({ db: deps.db, ai: deps.ai }, userId, GENERATION_OPERATION);
  if (own === 0) return { provider: OWN_KEY_PROVIDER, offline: false, price: 0 };
  return { provider: deps.ai.offline ? "offline" : "image-api", offline: deps.ai.offline, price: priceOf(GENERATION_OPERATION) };
}

export interface Pricing {
  provider: string;
  offline: boolean;
  /** 0 on the user's own key: nothing is held. */
  price: number;
}

/**
 * Starts a generation in the caller's transaction: hold, row and submit job commit together. `pricing`
 * comes from `start` (reading the user's saved keys is a short transaction of its own, never inside this one).
 */
export async function create(
  deps: Pick<GenerationsDeps, "enqueue" | "keyRing">,
  tx: Tx,
  userId: string,
  input: CreateGenerationInput,
  pricing: Pricing,
): Promise<Generation> {
  let promptText = input.promptText ?? "";
  let personaId = input.personaId ?? null;
  if (input.promptId) {
    const prompt = await prompts.forGeneration(tx, input.promptId);
    if (!prompt) throw notFound("Prompt");
    promptText = prompt.promptText;
    personaId ??= prompt.personaId;
  }
  if (personaId) {
    if (!(await repo.personaVisible(tx, personaId))) throw notFound("Persona");
  }
  const id = randomUUID();
  let holdId: string | null = null;
  if (pricing.price > 0) {
    const h = await credits.hold(tx, userId, {
      operation: GENERATION_OPERATION,
      amount: pricing.price,
      idempotencyKey: `image-generation:${id}`,
      request: { generationId: id },
      // Outlives the give-up deadline: the worker settles it; the hold sweep only backs it up.
      ttlSeconds: Math.max(HOLD_TTL_SECONDS, Math.ceil((GIVE_UP_MS + 10 * 60_000) / 1000)),
    });
    holdId = h.holdId;
  }
  const row = await repo.insertGeneration(tx, {
    id,
    user_id: userId,
    prompt_id: input.promptId ?? null,
    persona_id: personaId,
    prompt_text: promptText,
    provider: pricing.provider,
    offline: pricing.offline,
    model: input.settings.model ?? null,
    settings: input.settings,
    hold_id: holdId,
    next_poll_at: new Date(Date.now() + SWEEP_GRACE_MS),
  });
  await deps.enqueue(tx, submitGenerationJob, { userId, generationId: id });
  return toGeneration(deps, row);
}

/** The procedure's entry: rate limit and pricing (their own short transactions), then `create` in one as the user. */
export async function start(
  deps: GenerationsDeps,
  actor: { userId: string; ip: string },
  input: CreateGenerationInput,
): Promise<Generation> {
  await usage.takeRateLimit({ db: deps.db }, actor, GENERATION_OPERATION);
  const pricing = await providerLabel(deps, actor.userId);
  return asUser(deps.db, actor.userId, (tx) => create(deps, tx, actor.userId, input, pricing));
}

/** Stops a generation that has not settled: cancelled, its hold released. The worker never moves it again. */
export async function cancel(deps: Pick<GenerationsDeps, "keyRing">, tx: Tx, userId: string, generationId: string) {
  const moved = await repo.transition(tx, generationId, IN_FLIGHT_STATUSES, {
    status: "cancelled",
    completed_at: new Date(),
    next_poll_at: null,
    error_message: null,
  });
  if (!moved) {
    const row = await repo.findGeneration(tx, generationId);
    if (!row) throw notFound("Generation");
    if (row.status === "cancelled") return toGeneration(deps, row);
    throw new DomainError("PRECONDITION_FAILED", "This generation has already finished.");
  }
  if (moved.hold_id) await credits.release(tx, userId, moved.hold_id, "The generation was cancelled");
  return toGeneration(deps, moved);
}

// ---- using a result ----

async function resultFile(tx: Tx, input: GenerationResultInput) {
  const row = await repo.findGeneration(tx, input.generationId);
  if (!row) throw notFound("Generation");
  const fileId = row.result_file_ids[input.index];
  if (row.status !== "completed" || !fileId) throw notFound("Result image");
  return { row, fileId };
}

/** Saves a result into the asset library (once: saving it again answers the same asset). */
export async function saveAsAsset(
  deps: { db: Database; storage: Storage },
  userId: string,
  input: GenerationResultInput,
): Promise<{ assetId: string; fileId: string }> {
  const found = await asUser(deps.db, userId, async (tx) => {
    const { row, fileId } = await resultFile(tx, input);
    const saved = row.saved_asset_ids[input.index];
    // Saved before: the same asset (unless it was deleted since, when it is saved afresh).
    const asset = saved ? await assets.fileOf(tx, saved) : null;
    if (saved && asset) return { saved: { assetId: saved, fileId: asset.fileId } };
    const file = await files.getWithKey(tx, { id: fileId });
    return { row, file };
  });
  if ("saved" in found && found.saved) return found.saved;
  const { row, file } = found as { row: repo.GenerationRow; file: NonNullable<Awaited<ReturnType<typeof files.getWithKey>>> };
  if (!file) throw notFound("Result image");
  // Reading and storing happen outside any transaction (storeGenerated opens its own).
  const bytes = await files.readObject(deps, file.storageKey);
  if (!bytes) throw notFound("Result image");
  const stored = await assets.storeGenerated(deps, {
    userId,
    bytes,
    filename: `generation-${row.id.slice(0, 8)}-${input.index + 1}.png`,
    source: "generation",
    personaId: row.persona_id,
    metadata: { generationId: row.id, index: input.index, prompt: row.prompt_text.slice(0, 500), offline: row.offline },
  });
  // A second save of the same result that ran alongside this one may have recorded its asset first:
  // that one stands, and this copy is deleted (one asset per result, whatever the clicks).
  const earlier = await asUser(deps.db, userId, async (tx) => {
    const saved = (await repo.lockSavedAssets(tx, row.id))?.[input.index];
    const asset = saved ? await assets.fileOf(tx, saved) : null;
    if (saved && asset) return { assetId: saved, fileId: asset.fileId };
    await repo.setSavedAsset(tx, row.id, input.index, stored.assetId);
    return null;
  });
  if (!earlier) return stored;
  await assets.remove(deps, userId, stored.assetId);
  return earlier;
}

/**
 * A draft post with the result attached, for the account given (or the first active one), through the
 * posts module: the composer's own checks apply (the image's type and size, the platform's limits).
 */
export async function toPost(deps: { enqueue: Enqueue }, tx: Tx, userId: string, input: ToPostInput) {
  const { row, fileId } = await resultFile(tx, input);
  const accounts = await connections.list(tx);
  const account = input.connectionId
    ? accounts.find((c) => c.id === input.connectionId)
    : accounts.find((c) => c.status === "active");
  if (!account) {
    if (input.connectionId) throw notFound("Connection");
    throw new DomainError("PRECONDITION_FAILED", "Connect an account in Publishing first, then use the image in a post.");
  }
  const caption = row.prompt_text.length > 200 ? `${row.prompt_text.slice(0, 199)}…` : row.prompt_text;
  const { posts: made } = await posts.compose(deps, tx, userId, {
    channels: [{ connectionId: account.id, parts: [caption], mediaFileIds: [fileId] }],
    when: { kind: "draft" },
    idempotencyKey: `generation:${row.id}:${input.index}:${account.id}`,
  });
  const post = made[0];
  if (!post) throw new Error("compose made no post");
  return { postId: post.id, connectionId: account.id, fileId };
}

// ---- the worker ----

/** The image side a row is submitted and polled with: the user's own key for own-key rows, else the server's. */
async function generatorFor(deps: Pick<GenerationWorkerDeps, "ai">, row: repo.GenerationRow): Promise<ImageGenerator> {
  if (row.provider !== OWN_KEY_PROVIDER) return deps.ai.image;
  const own = await userConnectionsOf(deps.ai)?.providerFor(row.user_id, "image");
  if (!own) throw new DomainError("PRECONDITION_FAILED", "Your image API key was removed before this image finished.");
  return own.image;
}

/** Settles a row as failed/nsfw (from any in-flight status) and releases its hold; false if it had already settled. */
async function settleFailed(
  deps: Pick<GenerationWorkerDeps, "db">,
  row: Pick<repo.GenerationRow, "id" | "user_id">,
  status: "failed" | "nsfw",
  message: string,
): Promise<boolean> {
  return asUser(deps.db, row.user_id, async (tx) => {
    const moved = await repo.transition(tx, row.id, IN_FLIGHT_STATUSES, {
      status,
      error_message: message.slice(0, 1000),
      completed_at: new Date(),
      next_poll_at: null,
    });
    if (moved?.hold_id) await credits.release(tx, row.user_id, moved.hold_id, `Image generation ${status}`);
    return Boolean(moved);
  });
}

const expired = (deps: { now?: () => number }, row: repo.GenerationRow) => nowOf(deps) - row.created_at.getTime() > GIVE_UP_MS;

/** `studio.submit-generation`: submit once per submit_key, record the provider's id, start polling. */
export async function runSubmit(deps: GenerationWorkerDeps, data: { userId: string; generationId: string }): Promise<string> {
  const row = await asUser(deps.db, data.userId, (tx) =>
    repo.transition(tx, data.generationId, ["pending", "submitting"], {
      status: "submitting",
      next_poll_at: new Date(nowOf(deps) + SWEEP_GRACE_MS),
    }),
  );
  if (!row) return "not-in-flight";
  if (expired(deps, row)) {
    await settleFailed(deps, row, "failed", "The image API did not take the job in time.");
    return "gave-up";
  }
  let jobId: string;
  try {
    const generator = await generatorFor(deps, row);
    const settings = row.settings as { width: number; height: number; model?: string };
    ({ jobId } = await generator.submit(
      {
        prompt: row.prompt_text,
        width: settings.width,
        height: settings.height,
        ...(settings.model ? { model: settings.model } : {}),
      },
      { idempotencyKey: row.submit_key, signal: AbortSignal.timeout(60_000) },
    ));
  } catch (error) {
    // A refusal (bad request, a removed key) will not change on retry; anything else is retried with the same key.
    if (error instanceof DomainError && (error.code === "INVALID_INPUT" || error.code === "PRECONDITION_FAILED")) {
      await settleFailed(deps, row, "failed", error.message);
      return "refused";
    }
    throw error;
  }
  const first = deps.firstPollMs ?? FIRST_POLL_MS;
  const recorded = await asUser(deps.db, data.userId, async (tx) => {
    const moved = await repo.transition(tx, row.id, ["submitting"], {
      status: "queued",
      provider_job_id: jobId,
      started_at: new Date(nowOf(deps)),
      poll_attempts: 0,
      next_poll_at: new Date(nowOf(deps) + first),
    });
    if (moved) await deps.enqueue(tx, pollGenerationJob, { ...data, attempt: 0 }, { startAfter: new Date(nowOf(deps) + first) });
    return Boolean(moved);
  });
  return recorded ? "submitted" : "settled-meanwhile";
}

/**
 * How a result URL is fetched. The URLs are the provider's words, so outside development only public
 * addresses are reached (checked as the socket connects: platforms/public-address.ts), except on the
 * image API's own origin, the address the operator configured (the sandbox serves its results there).
 */
function resultFetcher(deps: Pick<GenerationWorkerDeps, "ai">, url: URL): typeof fetch {
  const policy = userConnectionsOf(deps.ai)?.policy;
  if (policy?.allowPrivateAddresses) return fetch;
  const own = policy?.imageApiBaseUrl ? new URL(policy.imageApiBaseUrl).origin : null;
  return own === url.origin ? fetch : publicOnlyFetch();
}

/** A result address that will never be fetched: the generation fails now rather than at the give-up deadline. */
const unfetchable = (message: string) => new DomainError("PRECONDITION_FAILED", message);

/** Reads a result: a data: URL (the offline renderer) or an http(s) one, bounded in bytes and time. */
async function fetchResult(deps: Pick<GenerationWorkerDeps, "ai">, url: string): Promise<Uint8Array> {
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    if (comma < 0 || !url.slice(0, comma).endsWith(";base64")) throw unfetchable("The image API sent an unreadable result.");
    const bytes = Buffer.from(url.slice(comma + 1), "base64");
    if (bytes.byteLength > MAX_RESULT_BYTES)
      throw unfetchable(`The result image is larger than ${MAX_RESULT_BYTES / (1024 * 1024)} MB.`);
    return new Uint8Array(bytes);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unfetchable("The image API sent a result address we do not fetch.");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw unfetchable("The image API sent a result address we do not fetch.");
  let response: Response;
  try {
    response = await resultFetcher(deps, parsed)(parsed, { signal: AbortSignal.timeout(RESULT_FETCH_MS), redirect: "error" });
  } catch (error) {
    let cause: unknown = error;
    while (cause && !(cause instanceof PrivateAddressError)) cause = (cause as { cause?: unknown }).cause;
    if (cause) throw unfetchable("The image API sent a result address on a private network; it was not fetched.");
    throw error;
  }
  if (!response.ok || !response.body)
    throw new DomainError("UPSTREAM_FAILED", `The result image could not be fetched (${response.status}).`);
  // Too large now is too large at every later poll: the generation fails at once, it is not fetched again.
  const tooLarge = () => unfetchable(`The result image is larger than ${MAX_RESULT_BYTES / (1024 * 1024)} MB.`);
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_RESULT_BYTES) {
    await response.body.cancel().catch(() => undefined);
    throw tooLarge();
  }
  return readCapped(response, MAX_RESULT_BYTES, tooLarge);
}

/**
 * `studio.poll-generation`: one look at the provider. `attempt` is the poll_attempts this run expects
 * (undefined: whatever the row has — the webhook's immediate poll); a run that finds another number is
 * a stale chain and stops.
 */
export async function runPoll(
  deps: GenerationWorkerDeps,
  data: { userId: string; generationId: string; attempt?: number | undefined },
): Promise<string> {
  const row = await asUser(deps.db, data.userId, (tx) => repo.findGeneration(tx, data.generationId));
  if (!row || (row.status !== "queued" && row.status !== "in_progress") || !row.provider_job_id) return "not-polling";
  if (data.attempt !== undefined && data.attempt !== row.poll_attempts) return "stale";
  if (expired(deps, row)) {
    await settleFailed(deps, row, "failed", "The image took too long; nothing was charged.");
    return "gave-up";
  }
  let job: ImageJob | null = null;
  let problem: unknown = null;
  try {
    job = await (await generatorFor(deps, row)).status(row.provider_job_id, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    if (error instanceof DomainError && (error.code === "NOT_FOUND" || error.code === "PRECONDITION_FAILED")) {
      await settleFailed(deps, row, "failed", error.code === "NOT_FOUND" ? "The image API lost this job." : error.message);
      return "lost";
    }
    problem = error; // transient: counted as an attempt, asked again later
  }
  if (job?.status === "failed" || job?.status === "nsfw") {
    const message =
      job.error ??
      (job.status === "nsfw" ? "The image was flagged as not safe for work." : "The image API could not make this image.");
    await settleFailed(deps, row, job.status, message);
    return job.status;
  }
  if (job?.status === "completed") {
    const outcome = await complete(deps, row, job);
    if (outcome !== "retry") return outcome;
  } else if (problem) deps.log.warn({ generationId: row.id, err: problem }, "image status failed; polling again later");
  // Still running (or a passing failure): the next poll, further out, in the transaction that counts this one.
  const attempt = row.poll_attempts + 1;
  const delay = backoffMs(attempt, deps.firstPollMs);
  const at = new Date(nowOf(deps) + delay);
  const next = job?.status === "in_progress" || job?.status === "queued" ? job.status : (row.status as "queued" | "in_progress");
  const scheduled = await asUser(deps.db, data.userId, async (tx) => {
    const moved = await tx
      .updateTable("image_generations")
      .set({ status: next, poll_attempts: attempt, next_poll_at: at })
      .where("id", "=", row.id)
      .where("status", "in", ["queued", "in_progress"])
      .where("poll_attempts", "=", row.poll_attempts)
      .returning("id")
      .executeTakeFirst();
    if (moved)
      await deps.enqueue(tx, pollGenerationJob, { userId: data.userId, generationId: row.id, attempt }, { startAfter: at });
    return Boolean(moved);
  });
  return scheduled ? "waiting" : "stale";
}

async function complete(deps: GenerationWorkerDeps, row: repo.GenerationRow, job: ImageJob): Promise<string> {
  if (!job.resultUrls.length) {
    await settleFailed(deps, row, "failed", "The image API finished without an image.");
    return "failed";
  }
  const prepared: PreparedFile[] = [];
  try {
    for (const [i, url] of job.resultUrls.slice(0, 8).entries()) {
      const bytes = await fetchResult(deps, url);
      prepared.push(
        await files.prepare(deps, row.user_id, {
          purpose: RESULT_PURPOSE,
          filename: `generation-${row.id.slice(0, 8)}-${i + 1}`,
          bytes,
          allowed: ["image"],
          maxBytes: MAX_RESULT_BYTES,
        }),
      );
    }
  } catch (error) {
    for (const p of prepared) await files.discard(deps, p);
    if (error instanceof DomainError && error.code === "INVALID_INPUT") {
      await settleFailed(deps, row, "failed", `The image API sent something that is not an image: ${error.message}`);
      return "failed";
    }
    if (error instanceof DomainError && error.code === "PRECONDITION_FAILED") {
      await settleFailed(deps, row, "failed", error.message);
      return "failed";
    }
    deps.log.warn({ generationId: row.id, err: error }, "result fetch failed; trying again at the next poll");
    return "retry";
  }
  let won = false;
  try {
    won = await asUser(deps.db, row.user_id, async (tx) => {
      for (const p of prepared) await files.record(tx, row.user_id, p);
      const moved = await repo.transition(tx, row.id, ["queued", "in_progress"], {
        status: "completed",
        result_file_ids: prepared.map((p) => p.id),
        completed_at: new Date(nowOf(deps)),
        next_poll_at: null,
        error_message: null,
      });
      if (!moved) throw new Settled();
      if (moved.hold_id) await credits.capture(tx, row.user_id, moved.hold_id, priceOf(GENERATION_OPERATION));
      return true;
    });
  } catch (error) {
    if (!(error instanceof Settled)) {
      for (const p of prepared) await files.discard(deps, p);
      throw error;
    }
  }
  if (!won) for (const p of prepared) await files.discard(deps, p);
  return won ? "completed" : "settled-meanwhile";
}

/** Rolls the completing transaction back: someone else (a cancel, a duplicate delivery) settled the row first. */
class Settled extends Error {}

/**
 * `studio.sweep-generations`: re-drives rows no job has moved past their due instant (a worker killed
 * mid-submit or mid-poll, a lost job): submit again (the same submit_key) or poll again. Only enqueues.
 */
export async function sweep(deps: Pick<GenerationWorkerDeps, "db" | "enqueue" | "now">, options: { limit?: number } = {}) {
  const before = new Date(nowOf(deps) - SWEEP_GRACE_MS);
  return asSystem(deps.db, async (tx) => {
    const rows = await repo.stuckGenerations(tx, before, options.limit ?? 500);
    for (const r of rows) {
      const data = { userId: r.user_id, generationId: r.id };
      if (r.status === "pending" || r.status === "submitting") await deps.enqueue(tx, submitGenerationJob, data);
      else await deps.enqueue(tx, pollGenerationJob, data);
    }
    return { redriven: rows.length };
  });
}

/**
 * A webhook from the image API (verified by its signature over the raw body): an immediate poll of the
 * generations with that provider job id. Nothing else is trusted from the body; the poll asks the API.
 */
export async function receiveWebhook(
  deps: { db: Database; enqueue: Enqueue },
  secret: string,
  body: Uint8Array,
  signature: string | undefined,
): Promise<{ polled: number }> {
  if (!verifyImageWebhook(secret, body, signature)) throw new DomainError("UNAUTHENTICATED", "Bad webhook signature.");
  let id: unknown;
  try {
    id = (JSON.parse(Buffer.from(body).toString("utf8")) as { id?: unknown }).id;
  } catch {
    throw new DomainError("INVALID_INPUT", "The webhook body is not JSON.");
  }
  if (typeof id !== "string" || !id || id.length > 4000) throw new DomainError("INVALID_INPUT", "The webhook names no job.");
  return asSystem(deps.db, async (tx) => {
    const rows = await repo.findByProviderJob(tx, id as string);
    for (const r of rows) await deps.enqueue(tx, pollGenerationJob, { userId: r.user_id, generationId: r.id });
    return { polled: rows.length };
  });
}
