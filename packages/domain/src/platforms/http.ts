/**
 * One HTTP attempt to a platform (no retries here: the publishing queue decides, by error kind).
 * The timeout covers the answer and its body. A mutating request that times out or loses its
 * connection after it may have been sent is `unknown`; one that never reached the server is transient.
 *
 * Redirects are not followed: the platforms' APIs do not redirect, and a WordPress site (an address a
 * user typed, checked to be public when connected) could otherwise send the server on to its own network
 * (169.254.169.254, localhost…) and have the answer echoed back in an error message.
 */
import { classifyHttpFailure, PLATFORM_NAMES, PlatformError } from "./errors.ts";
import type { PlatformKind } from "./platform.types.ts";
import { PRIVATE_ADDRESS_CODE } from "./public-address.ts";

export interface HttpDeps {
  fetch?: typeof fetch;
}

export interface WireResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface SendOptions {
  platform: PlatformKind;
  method?: "GET" | "POST" | "PUT";
  headers?: Record<string, string>;
  /** An object is sent as JSON, URLSearchParams as a form; bytes and FormData as they are (set content-type for bytes). */
  body?: unknown;
  timeoutMs: number;
  /** Creates something (a post, a container, a token): a lost answer is `unknown`, not transient. */
  mutating: boolean;
  /** For messages: "publishing the post". */
  action: string;
  signal?: AbortSignal | undefined;
}

/** Errors raised before a byte reached the server: safe to retry. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (error as Error).message ?? error);
}

export async function send(url: string, options: SendOptions, deps: HttpDeps = {}): Promise<WireResponse> {
  const doFetch = deps.fetch ?? fetch;
  const name = PLATFORM_NAMES[options.platform];
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  let body: string | Uint8Array<ArrayBuffer> | FormData | undefined;
  if (options.body instanceof Uint8Array || options.body instanceof FormData) {
    // Bytes read from storage are backed by an ArrayBuffer (never shared memory).
    body = options.body as Uint8Array<ArrayBuffer> | FormData;
  } else if (options.body instanceof URLSearchParams) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = options.body.toString();
  } else if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: options.method ?? (body ? "POST" : "GET"),
      headers,
      body: body ?? null,
      signal,
      redirect: "manual",
    });
    text = await response.text();
  } catch (error) {
    options.signal?.throwIfAborted();
    const code = timeout.aborted ? "timeout" : networkCode(error);
    if (code === PRIVATE_ADDRESS_CODE) {
      // Refused at connect time (nothing was sent): the site's name now points at a private network.
      const cause = (error as { cause?: Error }).cause;
      throw new PlatformError(
        "permanent",
        options.platform,
        `Refused to connect while ${options.action}: ${cause?.message ?? "the site is on a private network"}. Inkwell only publishes to sites reachable on the internet; check the site's address.`,
      );
    }
    if (!timeout.aborted && NOT_SENT.has(code)) {
      throw new PlatformError(
        "transient",
        options.platform,
        `Could not reach ${name} (${code}) while ${options.action}; we will try again.`,
      );
    }
    if (!options.mutating) {
      throw new PlatformError(
        "transient",
        options.platform,
        `${name} did not answer (${code}) while ${options.action}; we will try again.`,
      );
    }
    throw new PlatformError(
      "unknown",
      options.platform,
      timeout.aborted
        ? `${name} did not answer within ${options.timeoutMs / 1000} s while ${options.action}, so we don't know yet whether it went through; we will check ${name} before trying again.`
        : `The connection to ${name} broke (${code}) while ${options.action}, so we don't know yet whether it went through; we will check ${name} before trying again.`,
    );
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("location");
    throw new PlatformError(
      "permanent",
      options.platform,
      `${name} answered ${options.action} with a redirect${location ? ` to ${location.slice(0, 300)}` : ""}, which we do not follow.${options.platform === "wordpress" ? " If your site moved, connect it again with its new address." : ""}`,
      { status: response.status },
    );
  }
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const reply = { status: response.status, headers: response.headers, body: parsed, text };
  if (response.status < 200 || response.status >= 300) {
    const failure = classifyHttpFailure(options.platform, response.status, parsed, text, response.headers, options.action);
    // A publish (it carries an Idempotency-Key) answered 500, 502 or 504 may have gone through: the
    // error came from (or instead of) a server that had already created the post. Sending it again
    // blindly is how duplicates happen on platforms without idempotency keys, so it is `unknown` and
    // the queue looks on the platform first. (503 and 429 mean "not now": nothing was done.)
    if (
      options.mutating &&
      options.headers?.["idempotency-key"] &&
      failure.kind === "transient" &&
      [500, 502, 504].includes(response.status)
    ) {
      throw new PlatformError(
        "unknown",
        options.platform,
        `${name} answered with an error (${response.status}) while ${options.action}, which can happen after it went through; we will check ${name} before trying again.`,
        { status: response.status },
      );
    }
    throw failure;
  }
  return reply;
}

/** Keys whose values are credentials (token answers, echoed secrets): never copied into a message. */
const SECRET_KEY = /token|secret|password|code|key|auth|session|cookie/i;

/**
 * The answer as it may be shown: JSON with credential-like values replaced. A token endpoint that
 * answers 200 without a field we need still sends the access and refresh tokens, and this message ends
 * up in logs, in the connection's last error and in front of the person.
 */
function redacted(reply: WireResponse): string {
  if (reply.body === undefined || typeof reply.body !== "object" || reply.body === null) {
    // Not JSON: a form-encoded or plain answer may carry the same secrets.
    return reply.text.replace(/((?:access|refresh|id)_token|token|secret|password|code)=[^&\s"]*/gi, "$1=[redacted]");
  }
  return JSON.stringify(reply.body, (key, value) =>
    key && SECRET_KEY.test(key) && (typeof value === "string" || typeof value === "number") ? "[redacted]" : value,
  );
}

/** A 2xx whose body is not what the platform documents. */
export function unexpected(platform: PlatformKind, action: string, reply: WireResponse): PlatformError {
  return new PlatformError(
    "permanent",
    platform,
    `${PLATFORM_NAMES[platform]} sent an unexpected answer while ${action}: ${redacted(reply).slice(0, 200)}`,
    { status: reply.status },
  );
}

export const trimSlash = (url: string) => url.replace(/\/+$/, "");
