/**
 * The worker's half of image generations (the life of one: generations.service.ts): submit with the
 * row's submit_key and no transaction open, polls backing off to the give-up, the completion that
 * stores the results and captures the hold once, the sweep that re-drives stuck rows, and the signed
 * webhook that short-cuts a poll. Reached through the same `generations` namespace as the service.
 */
import { asSystem, asUser, type Database } from "@inkwell/db";
import type { AiProvider, ImageGenerator, ImageJob } from "../ai/index.ts";
import { OWN_KEY_PROVIDER, userConnectionsOf, verifyImageWebhook } from "../ai/index.ts";
import { credits, priceOf } from "../credits/index.ts";
import { files, type PreparedFile, type Storage } from "../files/index.ts";
import { DomainError } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/index.ts";
import { readCapped } from "../platform/read-capped.ts";
import { PrivateAddressError, publicOnlyFetch } from "../platforms/index.ts";
import { pollGenerationJob, submitGenerationJob } from "./generations.jobs.ts";
import * as repo from "./generations.repository.ts";
import { GENERATION_OPERATION, IN_FLIGHT_STATUSES } from "./generations.schemas.ts";

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
    if (moved) {
      await deps.enqueue(tx, pollGenerationJob, { ...data, attempt: 0 }, { startAfter: new Date(nowOf(deps) + first) });
      return "submitted";
    }
    // Another delivery of this submit (a retry, the sweep's re-drive of a slow one) was answered the same
    // job (same submit_key) and recorded it: that job is the row's, polled (or stopped by a cancel) from there.
    const now = await repo.findGeneration(tx, row.id);
    return now?.provider_job_id === jobId ? "recorded-elsewhere" : "unrecorded";
  });
  if (recorded === "submitted") return "submitted";
  if (recorded === "recorded-elsewhere") return "settled-meanwhile";
  // Cancelled (or given up) while the API was taking the job: nobody will poll it, so stop it there too
  // (once, best effort: the row holds no job id for a later retry to find, and nothing is charged anyway).
  await stopAtProvider(deps, row, jobId).catch(() => undefined);
  return "settled-meanwhile";
}

/**
 * Asks the API to stop a job we no longer want, best effort: what it answers changes nothing of ours (the
 * row is settled and its hold released already). Thrown errors are the caller's to retry or drop.
 */
async function stopAtProvider(
  deps: Pick<GenerationWorkerDeps, "ai" | "log">,
  row: repo.GenerationRow,
  jobId: string,
): Promise<"stopped" | "finished-there" | "not-supported"> {
  let generator: ImageGenerator;
  try {
    generator = await generatorFor(deps, row);
  } catch (error) {
    if (error instanceof DomainError && error.code === "PRECONDITION_FAILED") return "not-supported"; // the own key is gone
    throw error;
  }
  if (!generator.cancel) return "not-supported";
  try {
    const { cancelled } = await generator.cancel(jobId, { signal: AbortSignal.timeout(30_000) });
    return cancelled ? "stopped" : "finished-there";
  } catch (error) {
    deps.log.warn({ generationId: row.id, err: error }, "the image API did not stop a cancelled job");
    throw error;
  }
}

/**
 * `studio.cancel-generation`: a cancelled row's job stopped at the API (best effort; see the job). A row
 * that is not cancelled, or never reached the API, has nothing to stop.
 */
export async function runCancelAtProvider(
  deps: Pick<GenerationWorkerDeps, "db" | "ai" | "log">,
  data: { userId: string; generationId: string },
): Promise<string> {
  const row = await asUser(deps.db, data.userId, (tx) => repo.findGeneration(tx, data.generationId));
  if (row?.status !== "cancelled" || !row.provider_job_id) return "nothing-to-stop";
  try {
    return await stopAtProvider(deps, row, row.provider_job_id);
  } catch (error) {
    // A refusal will not change on retry; anything else is thrown for the queue's few retries.
    if (error instanceof DomainError && error.code === "INVALID_INPUT") return "refused";
    throw error;
  }
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
