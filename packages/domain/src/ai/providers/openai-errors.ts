/**
 * Turns what the openai SDK throws (after its own retries) into DomainErrors a person can act on.
 * Messages name the service and the HTTP status but never echo credentials: upstream text is trimmed
 * and anything shaped like a key is masked (OpenAI's 401 text quotes part of the key, for one).
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { DomainError } from "../../platform/errors.ts";
import { retryAfterMs, toRetryAfterSeconds } from "./http-retry.ts";

interface ErrorContext {
  /** e.g. "chat model \"gpt-4o-mini\"", to say what was not found or refused. */
  what: string;
  host: string;
  timeoutMs: number;
  maxRetries: number;
  signal?: AbortSignal;
}

function redact(text: string): string {
  return text
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_*-]{6,}/g, "$1-***")
    .replace(/Bearer\s+\S+/gi, "Bearer ***")
    .slice(0, 300);
}

/** Rethrows the caller's own abort as is; everything else becomes a DomainError. */
export function toDomainError(error: unknown, ctx: ErrorContext): unknown {
  if (ctx.signal?.aborted) return ctx.signal.reason;
  if (error instanceof DomainError) return error;
  const attempts = `${ctx.maxRetries + 1} attempt${ctx.maxRetries ? "s" : ""}`;
  if (error instanceof APIConnectionTimeoutError) {
    return new DomainError(
      "UPSTREAM_TIMEOUT",
      `The AI service at ${ctx.host} did not answer within ${ctx.timeoutMs} ms (${attempts}).`,
    );
  }
  if (error instanceof APIConnectionError) {
    return new DomainError(
      "UPSTREAM_FAILED",
      `Could not reach the AI service at ${ctx.host} (${attempts}): ${redact(error.message)}`,
    );
  }
  if (error instanceof APIError && error.status !== undefined) {
    const status = error.status;
    if (status === 429) {
      const retryAfter = toRetryAfterSeconds(retryAfterMs(error.headers));
      return new DomainError("RATE_LIMITED", `The AI service is rate limiting us (429); try again in ${retryAfter} s.`, {
        retryAfterSeconds: retryAfter,
      });
    }
    if (status === 401 || status === 403) {
      return new DomainError(
        "UPSTREAM_FAILED",
        `The AI service at ${ctx.host} refused our credentials (${status}); check the API key.`,
      );
    }
    if (status === 404) {
      // A 404 is an unknown model as often as a base URL missing its "/v1": say both.
      return new DomainError(
        "UPSTREAM_FAILED",
        `The AI service at ${ctx.host} does not know the ${ctx.what} (404); check the model name and that the base URL ends where the API starts (often /v1).`,
      );
    }
    const detail = redact(error.message.replace(/^\d{3}\s*/, ""));
    const after = status >= 500 ? ` after ${attempts}` : "";
    return new DomainError(
      "UPSTREAM_FAILED",
      `The AI service failed on a request to the ${ctx.what} (${status}${after}): ${detail}`,
    );
  }
  // Mid-stream transport errors, malformed events, unexpected shapes.
  return new DomainError(
    "UPSTREAM_FAILED",
    `The AI service sent an unusable reply from the ${ctx.what}: ${redact(String(error))}`,
  );
}
