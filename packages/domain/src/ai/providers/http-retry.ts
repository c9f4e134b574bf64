/**
 * fetch for outside HTTP APIs without an SDK: a timeout per attempt (which also bounds reading the
 * body, since the signal stays attached to the response), and retries with exponential backoff on
 * connection errors, timeouts, 408, 429 and 5xx, honouring retry-after-ms / Retry-After. What is still
 * failing after the retries becomes a DomainError; other statuses are returned for the caller to judge.
 *
 * Retrying a POST is only safe when the server can tell a repeat: send an Idempotency-Key.
 */
import { DomainError } from "../../platform/errors.ts";

export interface RetryPolicy {
  /** Names the service in messages, e.g. "image API". */
  service: string;
  timeoutMs: number;
  maxRetries: number;
  /** First backoff; doubles per retry up to maxDelayMs, jittered down by up to 25%. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A server asking for a longer wait is not waited for: RATE_LIMITED goes back to the caller. */
  maxRetryAfterMs?: number;
}

export interface RetryDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** Milliseconds to wait from retry-after-ms, or Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export const toRetryAfterSeconds = (ms: number | undefined): number =>
  ms === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(ms / 1000));

const isRetryable = (status: number) => status === 408 || status === 429 || status >= 500;

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (error as Error).message ?? error);
}

export async function fetchWithRetry(
  url: string,
  init: RequestInit,
  policy: RetryPolicy,
  deps: RetryDeps = {},
): Promise<Response> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  const caller = init.signal ?? undefined;
  const attempts = `${policy.maxRetries + 1} attempt${policy.maxRetries ? "s" : ""}`;
  for (let attempt = 0; ; attempt++) {
    caller?.throwIfAborted();
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    let failure: DomainError;
    let wait: number | undefined;
    try {
      const response = await doFetch(url, { ...init, signal: caller ? AbortSignal.any([caller, timeout]) : timeout });
      if (!isRetryable(response.status)) return response;
      await response.body?.cancel();
      wait = retryAfterMs(response.headers);
      failure =
        response.status === 429
          ? new DomainError(
              "RATE_LIMITED",
              `The ${policy.service} is rate limiting us (429); try again in ${toRetryAfterSeconds(wait)} s.`,
              {
                retryAfterSeconds: toRetryAfterSeconds(wait),
              },
            )
          : new DomainError("UPSTREAM_FAILED", `The ${policy.service} failed (${response.status}) after ${attempts}.`);
      if (wait !== undefined && wait > (policy.maxRetryAfterMs ?? 60_000)) throw failure;
    } catch (error) {
      caller?.throwIfAborted();
      if (error instanceof DomainError) throw error;
      failure = timeout.aborted
        ? new DomainError("UPSTREAM_TIMEOUT", `The ${policy.service} did not answer within ${policy.timeoutMs} ms (${attempts}).`)
        : new DomainError(
            "UPSTREAM_FAILED",
            `Could not reach the ${policy.service} (${attempts}): ${describeNetworkError(error)}.`,
          );
    }
    if (attempt >= policy.maxRetries) throw failure;
    const backoff = Math.min((policy.baseDelayMs ?? 500) * 2 ** attempt, policy.maxDelayMs ?? 8000) * (1 - random() * 0.25);
    await sleep(wait ?? backoff, caller);
  }
}
