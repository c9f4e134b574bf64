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
 *   failed / nsfw / cancel: the hold released in the transaction that settles the row; a cancelled job
 *     is also stopped at the API, best effort (`studio.cancel-generation`), which changes nothing of ours.
 *
 * The worker runs as the row's owner (RLS): its captures and stored files are theirs. Only the sweep
 * and the webhook, which start from no user, read across users as the system role, and only enqueue.
 */
import { randomUUID } from "node:crypto";
import { asUser, type Database, type Tx } from "@inkwell/db";
import type { AiProvider } from "../ai/index.ts";
import { OWN_KEY_PROVIDER } from "../ai/index.ts";
import { connections } from "../connections/index.ts";
import { credits, HOLD_TTL_SECONDS, priceOf } from "../credits/index.ts";
import { files, type Storage } from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, KeyRing } from "../platform/index.ts";
import { posts } from "../posts/index.ts";
import { usage } from "../usage/index.ts";
import * as assets from "./assets.service.ts";
import { cancelAtProviderJob, submitGenerationJob } from "./generations.jobs.ts";
import * as repo from "./generations.repository.ts";
import {
  type CreateGenerationInput,
  GENERATION_OPERATION,
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
import { GIVE_UP_MS, SWEEP_GRACE_MS } from "./generations.worker.ts";
import * as prompts from "./prompts.service.ts";

const URL_TTL_SECONDS = 3600;

export interface GenerationsDeps {
  db: Database;
  /** The routing provider: the server's image API, or a user's own key (ai/user-connection.ts). */
  ai: AiProvider;
  enqueue: Enqueue;
  keyRing: KeyRing;
}

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

/**
 * Stops a generation that has not settled: cancelled, its hold released. The worker never moves it again.
 * A job the API already took is stopped there too, best effort, by `studio.cancel-generation` (enqueued
 * here, so it runs only if the cancel commits; the call itself waits for no transaction); one still being
 * submitted is stopped by the submit when it finds the row cancelled.
 */
export async function cancel(deps: Pick<GenerationsDeps, "keyRing" | "enqueue">, tx: Tx, userId: string, generationId: string) {
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
  if (moved.provider_job_id && !moved.offline) await deps.enqueue(tx, cancelAtProviderJob, { userId, generationId: moved.id });
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

// The worker's half (submit, poll, complete, sweep, webhook) lives in its own file; one namespace for both.
export * from "./generations.worker.ts";
