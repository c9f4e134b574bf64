/**
 * Adapter for Higgsfield-style submit/poll image APIs (AI OFM's generations flow):
 *
 *   POST {baseUrl}/v1/generations              {prompt, width, height, model, seed}  → {id}
 *   GET  {baseUrl}/v1/generations/{id}         → {status, result_urls, error}
 *   POST {baseUrl}/v1/generations/{id}/cancel  → 200 (stopped), 404 (unknown), 409 (already finished)
 *
 * with `Authorization: Bearer {apiKey}`. The job id is the API's own id, so any process can poll it.
 * Each submit carries an Idempotency-Key that stays the same across its retries, so a POST retried
 * after a lost answer cannot start a second (billed) generation on servers that honour the header.
 * A caller that must survive its own crash passes its stored key (`idempotencyKey`), so a submit
 * repeated by another process after a restart gets the same job back.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { DomainError } from "../../platform/errors.ts";
import { readCapped } from "../../platform/read-capped.ts";
import type { ImageApiConfig } from "../ai.settings.ts";
import type { ImageGenerator, ImageJob } from "../ai.types.ts";
import { fetchWithRetry, type RetryDeps } from "./http-retry.ts";

const submitReply = z.object({ id: z.union([z.string().min(1), z.number()]).transform(String) });
const statusReply = z.object({
  status: z.enum(["queued", "in_progress", "completed", "failed", "nsfw"]),
  result_urls: z.array(z.string()).nullish(),
  error: z.string().nullish(),
});

/** The largest JSON answer read: a job's status with its result URLs is a few KB; more is not an answer. */
export const MAX_IMAGE_API_REPLY_BYTES = 256 * 1024;

export function createImageApiClient(config: ImageApiConfig, deps: RetryDeps = {}): ImageGenerator {
  const base = config.baseUrl.replace(/\/+$/, "");
  const policy = { service: "image API", timeoutMs: config.timeoutMs, maxRetries: config.maxRetries };

  async function send<T>(path: string, init: RequestInit, schema: z.ZodType<T>): Promise<T> {
    const headers = { authorization: `Bearer ${config.apiKey}`, accept: "application/json", ...init.headers };
    const response = await fetchWithRetry(`${base}${path}`, { ...init, headers }, policy, deps);
    let body: string;
    try {
      const tooLarge = () =>
        new DomainError("UPSTREAM_FAILED", `The image API sent an answer over ${MAX_IMAGE_API_REPLY_BYTES} bytes.`);
      body = new TextDecoder().decode(await readCapped(response, MAX_IMAGE_API_REPLY_BYTES, tooLarge));
    } catch (error) {
      if (error instanceof DomainError) throw error;
      init.signal?.throwIfAborted();
      throw new DomainError(
        "UPSTREAM_TIMEOUT",
        `The image API did not finish its answer within ${config.timeoutMs} ms: ${error}`,
      );
    }
    const detail = body.slice(0, 200);
    if (response.status === 401 || response.status === 403) {
      throw new DomainError("UPSTREAM_FAILED", `The image API refused our credentials (${response.status}); check the API key.`);
    }
    if (response.status === 404) throw new DomainError("NOT_FOUND", "image job not found");
    if (response.status === 409) throw new DomainError("CONFLICT", `The image API refused the request (409): ${detail}`);
    if (response.status === 400 || response.status === 422) {
      throw new DomainError("INVALID_INPUT", `The image API refused the request (${response.status}): ${detail}`);
    }
    if (!response.ok) throw new DomainError("UPSTREAM_FAILED", `The image API failed (${response.status}): ${detail}`);
    try {
      // An empty body (a 204 to a cancel) is null: the status and poll schemas refuse it.
      return schema.parse(JSON.parse(body || "null"));
    } catch {
      throw new DomainError("UPSTREAM_FAILED", `The image API sent an unexpected reply: ${detail}`);
    }
  }

  return {
    async submit(request, { signal, idempotencyKey } = {}) {
      const { id } = await send(
        "/v1/generations",
        {
          method: "POST",
          // The caller's key survives its own crashes (a generation row's submit_key); else one per call.
          headers: { "content-type": "application/json", "idempotency-key": idempotencyKey ?? randomUUID() },
          body: JSON.stringify({ ...request, model: request.model ?? config.model }),
          signal: signal ?? null,
        },
        submitReply,
      );
      return { jobId: id };
    },

    async status(jobId, { signal } = {}): Promise<ImageJob> {
      const reply = await send(`/v1/generations/${encodeURIComponent(jobId)}`, { signal: signal ?? null }, statusReply);
      return {
        status: reply.status,
        resultUrls: reply.result_urls ?? [],
        ...(reply.error ? { error: reply.error } : {}),
      };
    },

    async cancel(jobId, { signal } = {}) {
      try {
        await send(
          `/v1/generations/${encodeURIComponent(jobId)}/cancel`,
          { method: "POST", signal: signal ?? null },
          z.unknown(),
        );
        return { cancelled: true };
      } catch (error) {
        // Unknown there, or finished already: nothing left to stop.
        if (error instanceof DomainError && (error.code === "NOT_FOUND" || error.code === "CONFLICT"))
          return { cancelled: false };
        throw error;
      }
    },
  };
}

/**
 * Webhooks from the image API: `POST` of `{ id, status }` with header
 * `x-image-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The timestamp
 * is signed with the body, so a captured delivery cannot be replayed after the tolerance.
 */
export const IMAGE_WEBHOOK_HEADER = "x-image-signature";

export function signImageWebhook(secret: string, body: string | Uint8Array, at = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac("sha256", secret).update(`${at}.`).update(body).digest("hex");
  return `t=${at},v1=${mac}`;
}

/** True when `header` signs `body` with `secret` within `toleranceSeconds` of now (constant-time compare). */
export function verifyImageWebhook(
  secret: string,
  body: Uint8Array,
  header: string | undefined | null,
  { now = Date.now(), toleranceSeconds = 300 }: { now?: number; toleranceSeconds?: number } = {},
): boolean {
  const parts = Object.fromEntries((header ?? "").split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const at = Number(parts.t);
  const given = /^[0-9a-f]{64}$/.test(parts.v1 ?? "") ? Buffer.from(parts.v1 as string, "hex") : null;
  if (!given || !Number.isInteger(at) || Math.abs(now / 1000 - at) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${at}.`).update(body).digest();
  return timingSafeEqual(expected, given);
}
