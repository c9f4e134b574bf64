/**
 * The closed set of errors a domain module may raise. Each code has one meaning for the caller and
 * one transport status (mapped to tRPC in apps/api/src/trpc/errors.ts, the only place that knows
 * about tRPC). Anything else thrown is a bug and becomes INTERNAL_SERVER_ERROR without details.
 *
 * Browser-safe: the web imports `ErrorCode` to show the right state.
 */
export const ERROR_CODES = {
  /** The thing does not exist, or belongs to someone else (no existence leak). */
  NOT_FOUND: "NOT_FOUND",
  /** Input is well-formed but breaks a rule (e.g. a common password). */
  INVALID_INPUT: "BAD_REQUEST",
  /** Unique thing already exists (e.g. e-mail taken). */
  CONFLICT: "CONFLICT",
  /** Wrong e-mail or password; deliberately vague. */
  INVALID_CREDENTIALS: "UNAUTHORIZED",
  /** No valid session. */
  UNAUTHENTICATED: "UNAUTHORIZED",
  /** Signed in, but not allowed (e.g. not an admin). */
  FORBIDDEN: "FORBIDDEN",
  /** A single-use link that is unknown, used or expired. */
  TOKEN_INVALID: "BAD_REQUEST",
  /** Too many attempts; retry after `retryAfterSeconds`. */
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  /** Not enough credits for the operation. */
  INSUFFICIENT_CREDITS: "PAYMENT_REQUIRED",
  /** A state precondition failed (e.g. editing a post that is already publishing). */
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  /** An outside service (AI provider, image API, platform) failed after our retries. */
  UPSTREAM_FAILED: "BAD_GATEWAY",
  /** An outside service did not answer in time. */
  UPSTREAM_TIMEOUT: "GATEWAY_TIMEOUT",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type TransportStatus = (typeof ERROR_CODES)[ErrorCode];

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { retryAfterSeconds?: number; field?: string; credits?: { needed: number; available: number } } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
