/**
 * The request context: who is calling (a session token hash from the cookie or a bearer header),
 * from where, and how to set the session cookie. Built from a Hono request by the server and
 * without one by tests (`createTestContext`).
 */
import type { Database } from "@inkwell/db";
import type { QueueAdmin } from "@inkwell/domain/admin";
import type { AiProvider } from "@inkwell/domain/ai";
import type { Storage } from "@inkwell/domain/files";
import type { IdentityConfig, OAuthSignInRuntime, RequestMeta } from "@inkwell/domain/identity";
import type { PaymentsRuntime } from "@inkwell/domain/payments";
import type { Enqueue, KeyRing, Logger } from "@inkwell/domain/platform";
import { hashToken } from "@inkwell/domain/platform";
import type { PublishingRuntime } from "@inkwell/domain/platforms";
import type { TtsRuntime } from "@inkwell/domain/studio";

export const SESSION_COOKIE = "inkwell_session";

export interface ApiDeps {
  db: Database;
  ai: AiProvider;
  enqueue: Enqueue;
  identity: IdentityConfig;
  keyRing: KeyRing;
  log: Logger;
  cookieSecure: boolean;
  /** Publishing platforms (adapters, which are configured, the sandbox) and the OAuth callback base. */
  publishing: PublishingRuntime;
  /** Where uploaded files' bytes live (local disk by default, S3-compatible when configured). */
  storage: Storage;
  /** Stripe (or the local sandbox); absent or null when no key is configured (buying says so). */
  payments?: PaymentsRuntime | null;
  /** Whether reels' view counts come from the local stand-in (placeholder numbers the board labels). */
  reelStatsSandbox?: boolean;
  /** Whether book orders go to the local sandbox printer (orders are labelled so). */
  printSandbox?: boolean;
  /** The text-to-speech service personas speak through (the local sandbox by default). */
  tts?: TtsRuntime;
  /** Sign-in with Clever and Google (the local identity sandbox by default); absent: the buttons say unavailable. */
  oauth?: OAuthSignInRuntime;
  /** pg-boss's queue API for the admin queue-health page (the api's boss; absent: the page says so). */
  queueAdmin?: QueueAdmin;
}

export interface Context {
  deps: ApiDeps;
  tokenHash: Buffer | null;
  /** How the caller authenticated: only cookie callers get Set-Cookie answers. */
  via: "cookie" | "bearer" | "none";
  /** False when a cookie-carrying request came from another site (Origin / Fetch Metadata). */
  sameOrigin: boolean;
  meta: RequestMeta;
  requestId: string;
  setCookie(value: string): void;
}

export function tokenHashFrom(token: string | null | undefined): Buffer | null {
  if (!token || token.length < 20 || token.length > 200) return null;
  return hashToken(token);
}

export function sessionCookie(deps: ApiDeps, token: string, expiresAt: Date): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
    ...(deps.cookieSecure ? ["Secure"] : []),
  ].join("; ");
}

export function clearedSessionCookie(deps: ApiDeps): string {
  return [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0", ...(deps.cookieSecure ? ["Secure"] : [])].join(
    "; ",
  );
}

/** A context for in-process callers (tests, benchmarks): a bearer token or none. */
export function createTestContext(
  deps: ApiDeps,
  options: { token?: string; ip?: string; userAgent?: string; cookies?: string[] } = {},
): Context {
  return {
    deps,
    tokenHash: tokenHashFrom(options.token),
    via: options.token ? "bearer" : "none",
    sameOrigin: true,
    meta: { ip: options.ip ?? "127.0.0.1", userAgent: options.userAgent ?? "vitest" },
    requestId: "test",
    setCookie: (value) => options.cookies?.push(value),
  };
}
