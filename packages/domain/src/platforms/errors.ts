/**
 * Platform failures, classified for the publishing queue:
 *   transient — 429 (with retryAfterSeconds), 408, 5xx, a connection that never reached the platform: retry later;
 *   auth      — 401 / revoked or expired token: the connection must be re-authorised, retrying is pointless;
 *   permanent — 400-class validation and policy refusals: show the message, do not retry;
 *   unknown   — the request was sent and no answer came (timeout, reset): the post may exist. Reconcile
 *               with findPublished() before any retry; never retry blindly.
 * The message is written for the person whose post it is.
 */
import { DomainError, type ErrorCode } from "../platform/errors.ts";
import type { PlatformKind, PublishedPart } from "./platform.types.ts";

export type PlatformErrorKind = "transient" | "auth" | "permanent" | "unknown";

export const PLATFORM_NAMES: Record<PlatformKind, string> = {
  x: "X",
  linkedin: "LinkedIn",
  threads: "Threads",
  wordpress: "WordPress",
};

function codeFor(kind: PlatformErrorKind, status: number | undefined): ErrorCode {
  if (kind === "transient") return status === 429 ? "RATE_LIMITED" : "UPSTREAM_FAILED";
  if (kind === "auth") return "PRECONDITION_FAILED";
  if (kind === "permanent") return "INVALID_INPUT";
  return "UPSTREAM_TIMEOUT";
}

export class PlatformError extends DomainError {
  readonly kind: PlatformErrorKind;
  readonly platform: PlatformKind;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Parts of a thread that were published before this failure (continue with alreadyPublished). */
  published: PublishedPart[];

  constructor(
    kind: PlatformErrorKind,
    platform: PlatformKind,
    message: string,
    options: { status?: number; retryAfterSeconds?: number; published?: PublishedPart[] } = {},
  ) {
    super(
      codeFor(kind, options.status),
      message,
      options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds },
    );
    this.kind = kind;
    this.platform = platform;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.published = options.published ?? [];
  }
}

export const isPlatformError = (error: unknown): error is PlatformError => error instanceof PlatformError;

/** Seconds from Retry-After (seconds or HTTP date) or X's x-rate-limit-reset (epoch seconds). */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get("retry-after");
  if (value) {
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1, Math.ceil(seconds));
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.max(1, Math.ceil((date - now) / 1000));
  }
  const reset = Number(headers.get("x-rate-limit-reset") ?? "");
  if (Number.isFinite(reset) && reset > 0) return Math.max(1, Math.ceil(reset - now / 1000));
  return undefined;
}

/** The platform's own words, from whichever error shape it uses. */
export function errorDetail(body: unknown, text: string): string {
  const b = (body ?? {}) as Record<string, unknown>;
  const error = b.error as Record<string, unknown> | string | undefined;
  const errors = b.errors as { message?: string; detail?: string }[] | undefined;
  const found =
    (typeof error === "object" && error ? error.message : undefined) ??
    errors?.[0]?.message ??
    errors?.[0]?.detail ??
    b.detail ??
    b.message ??
    b.error_description ??
    (typeof error === "string" ? error : undefined);
  return String(found ?? text.slice(0, 200) ?? "").trim() || "no details given";
}

/** Threads (Graph API) error codes that mean the token is gone, or that we are throttled. */
const GRAPH_AUTH_CODES = new Set([102, 190, 10, 200]);
const GRAPH_THROTTLE_CODES = new Set([4, 17, 32, 613]);

export function classifyHttpFailure(
  platform: PlatformKind,
  status: number,
  body: unknown,
  text: string,
  headers: Headers,
  action: string,
): PlatformError {
  const name = PLATFORM_NAMES[platform];
  const detail = errorDetail(body, text);
  const graphCode = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  const reconnect = `Your ${name} connection is no longer authorised (${detail}). Reconnect ${name} to keep publishing.`;
  if (status === 429 || (typeof graphCode === "number" && GRAPH_THROTTLE_CODES.has(graphCode))) {
    const wait = retryAfterSeconds(headers) ?? 60;
    return new PlatformError("transient", platform, `${name} is rate limiting us; we will try again in ${wait} s.`, {
      status: 429,
      retryAfterSeconds: wait,
    });
  }
  if (status === 401 || (typeof graphCode === "number" && GRAPH_AUTH_CODES.has(graphCode))) {
    return new PlatformError("auth", platform, reconnect, { status });
  }
  if (status === 408 || status >= 500) {
    const wait = retryAfterSeconds(headers);
    return new PlatformError(
      "transient",
      platform,
      `${name} had a temporary problem (${status}) while ${action}; we will try again.`,
      {
        status,
        ...(wait === undefined ? {} : { retryAfterSeconds: wait }),
      },
    );
  }
  return new PlatformError("permanent", platform, `${name} refused ${action}: ${detail}`, {
    status,
  });
}
