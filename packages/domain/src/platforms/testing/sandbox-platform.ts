/**
 * The sandbox platform: one local HTTP server (127.0.0.1, a free port) that speaks the X API v2,
 * LinkedIn's posts API, Threads' container/publish Graph API and the WordPress REST API — the same
 * paths, bodies, headers and error shapes the adapters expect from the real services — plus their
 * OAuth flows. The embedded default connects to it, so a new user can connect a sandbox account and
 * watch posts arrive at `/sandbox/feed`; the tests use it with injected faults.
 *
 *   /x/…         i/oauth2/authorize, 2/oauth2/token, 2/tweets, 2/media/upload, 2/users/me, 2/users/{id}/tweets
 *   /linkedin/…  oauth/v2/authorization, oauth/v2/accessToken, v2/userinfo, rest/posts,
 *                rest/images?action=initializeUpload, upload/{image} (PUT, the uploadUrl it hands out)
 *   /threads/…   oauth/authorize, oauth/access_token, access_token, refresh_access_token,
 *                v1.0/me, v1.0/{uid}/threads|threads_publish|replies, v1.0/{media-id}
 *   /wordpress/… wp-json/wp/v2/posts, wp-json/wp/v2/media, wp-json/wp/v2/users/me (site URL: `${url}/wordpress`)
 *
 * Images: uploads (X, LinkedIn, WordPress) are sniffed and refused unless they are images; Threads
 * fetches `image_url` itself when the IMAGE container is created, as Meta does. A published post
 * records each image it carries (`SandboxPost.media`: sniffed type and size).
 *   /sandbox/feed (HTML, ?account=), /sandbox/feed.json
 *
 * OAuth: authorize auto-approves (as `sandbox_account=<username>` or the platform's default account)
 * and redirects with code + state; the token exchange checks client, redirect URI and the PKCE
 * verifier (S256); codes are single-use. Refresh tokens rotate: a used one is refused (invalid_grant)
 * and its reuse revokes the tokens issued from it, as OAuth 2.1 recommends. Every publish honours
 * Idempotency-Key: a repeat with the same key returns the first answer and creates nothing.
 *
 * Disconnecting: POST /x/2/oauth2/revoke and /linkedin/oauth/v2/revoke (RFC 7009) revoke the grant.
 *
 * Switches (they affect platform routes, never /sandbox/*; `path` narrows a fault to matching routes):
 * failNext(n, {status, retryAfterSeconds, path}),
 * timeoutNext(n) — the request is processed (the post committed), then never answered —, hangNext(n)
 * — never processed nor answered —, revoke(token), slow(ms).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { sniff } from "../../files/index.ts";
import { type PlatformsConfig, SANDBOX_CLIENT, sandboxPlatformsConfig } from "../config.ts";
import type { PlatformKind } from "../platform.types.ts";
import { charLength, xWeightedLength } from "../validate.ts";

export interface SandboxAccount {
  /** `${platform}:${platformUserId}` — the key of feed(). */
  accountId: string;
  platform: PlatformKind;
  platformUserId: string;
  username: string;
  displayName: string;
  avatarUrl: string;
  /** WordPress only. */
  applicationPassword?: string;
}

export interface SandboxPost {
  id: string;
  platform: PlatformKind;
  accountId: string;
  text: string;
  title?: string;
  slug?: string;
  replyToId?: string;
  imageUrl?: string;
  /** Images attached to the post, as the sandbox received them. */
  media?: SandboxMedia[];
  idempotencyKey?: string;
  createdAt: Date;
}

export interface SandboxMedia {
  /** The platform's media id (X media id, LinkedIn image URN, WordPress attachment id, Threads container id). */
  id: string;
  /** Sniffed from the bytes received. */
  contentType: string;
  byteSize: number;
  /** Threads: the URL the image was fetched from. */
  fetchedFrom?: string;
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  outcome: "pending" | "ok" | "failed" | "timed-out" | "hung";
}

export interface SandboxFaultFilter {
  /** Only requests whose path matches (e.g. /threads_publish$/); others pass by the fault. */
  path?: RegExp;
}

export interface SandboxFailOptions extends SandboxFaultFilter {
  status: number;
  retryAfterSeconds?: number;
  message?: string;
}

export interface SandboxPlatform {
  url: string;
  /** Adapter configuration pointing at this sandbox. */
  config: PlatformsConfig;
  /** The sandbox WordPress site and its default user's application password. */
  wordpress: { siteUrl: string; username: string; applicationPassword: string };
  requests: SandboxRequest[];
  accounts(platform?: PlatformKind): SandboxAccount[];
  /** The account authorize approves as by default (or the WordPress user). */
  defaultAccount(platform: PlatformKind): SandboxAccount;
  addAccount(platform: PlatformKind, username: string, displayName?: string): SandboxAccount;
  /** Published posts of an account, oldest first. */
  feed(accountId: string): SandboxPost[];
  failNext(n: number, options: SandboxFailOptions): void;
  /** The next n platform requests are processed (a publish commits) and then never answered. */
  timeoutNext(n: number, filter?: SandboxFaultFilter): void;
  /** The next n platform requests are neither processed nor answered. */
  hangNext(n: number, filter?: SandboxFaultFilter): void;
  /** Revokes an access token, refresh token or WordPress application password. */
  revoke(token: string): void;
  /** Revokes every token issued for an account (the person removed the app on the platform); returns how many. */
  revokeAccount(accountId: string): number;
  /** Tokens currently valid for an account (not revoked, used or expired), by kind. */
  liveTokens(accountId: string): { access: number; refresh: number };
  /**
   * While on, X and LinkedIn answer an authorization-code exchange without a refresh token (as
   * LinkedIn does for most apps, and providers do on a repeated consent).
   */
  withholdRefreshTokens(on: boolean): void;
  /** Delay every platform request by ms (0 restores). */
  slow(ms: number): void;
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  html?: string;
}

interface Token {
  accountId: string;
  platform: PlatformKind;
  kind: "access" | "refresh" | "short";
  expiresAt: number;
  revoked: boolean;
  used: boolean;
  scopes: string[];
  /** Tokens issued from the same authorization; reuse of a rotated refresh token revokes them all. */
  family: string;
}

interface Code {
  accountId: string;
  platform: PlatformKind;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

interface Container {
  accountId: string;
  text: string;
  imageUrl?: string;
  media?: SandboxMedia;
  replyToId?: string;
  publishedId?: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });
const token = (prefix: string) => `${prefix}_${randomBytes(18).toString("base64url")}`;
const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each platform's answer to a missing, unknown, expired or revoked credential. */
function authFailure(platform: PlatformKind, revoked: boolean): Reply {
  switch (platform) {
    case "x":
      return json(401, { title: "Unauthorized", type: "about:blank", status: 401, detail: "Unauthorized" });
    case "linkedin":
      return json(401, {
        status: 401,
        serviceErrorCode: revoked ? 65601 : 65600,
        code: revoked ? "REVOKED_ACCESS_TOKEN" : "INVALID_ACCESS_TOKEN",
        message: revoked ? "The token used in the request has been revoked by the user" : "Invalid access token",
      });
    case "threads":
      return json(400, {
        error: {
          message: "Error validating access token: the session has been invalidated.",
          type: "OAuthException",
          code: 190,
          fbtrace_id: "sandbox",
        },
      });
    case "wordpress":
      return json(401, {
        code: "incorrect_password",
        message: "The provided password is an invalid application password.",
        data: { status: 401 },
      });
  }
}

const AVATAR_COLOURS: Record<PlatformKind, string> = {
  x: "#1d1d1f",
  linkedin: "#0a66c2",
  threads: "#5b2a86",
  wordpress: "#21759b",
};

/**
 * A sandbox account's picture: a data: URL (an initial on the platform's colour), so it shows wherever
 * the app shows the account. A URL on the sandbox's own origin (http://127.0.0.1:…) would be another
 * origin to the app, outside its CSP's img-src ('self' data: blob: https:), and the old
 * https://avatars.invalid/… never resolved.
 */
export function sandboxAvatar(platform: PlatformKind, displayName: string): string {
  const initial = escapeHtml([...displayName.trim()][0]?.toUpperCase() ?? "?");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="${AVATAR_COLOURS[platform]}"/><text x="48" y="62" font-family="system-ui,sans-serif" font-size="44" font-weight="600" fill="#fff" text-anchor="middle">${initial}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

function graphError(message: string, code = 100): Reply {
  return json(400, { error: { message, type: "OAuthException", code, fbtrace_id: "sandbox" } });
}

export async function startSandboxPlatform(options: { host?: string; port?: number } = {}): Promise<SandboxPlatform> {
  const accounts = new Map<string, SandboxAccount>();
  const defaults = new Map<PlatformKind, string>();
  const posts: SandboxPost[] = [];
  const tokens = new Map<string, Token>();
  const codes = new Map<string, Code>();
  const containers = new Map<string, Container>();
  const idempotent = new Map<string, Reply>();
  /** Uploaded images by media id; `media` is null until the bytes arrive (LinkedIn's two steps). */
  const uploads = new Map<string, { accountId: string; media: SandboxMedia | null }>();
  const requests: SandboxRequest[] = [];
  const faults: (({ kind: "fail"; options: SandboxFailOptions } | { kind: "timeout" } | { kind: "hang" }) &
    SandboxFaultFilter)[] = [];
  let delayMs = 0;
  let withholdRefresh = false;
  let sequence = 0;
  let url = "";

  function addAccount(platform: PlatformKind, username: string, displayName = username): SandboxAccount {
    sequence++;
    const platformUserId =
      platform === "x"
        ? `17000000000000${String(sequence).padStart(5, "0")}`
        : platform === "linkedin"
          ? `sbx${randomBytes(4).toString("hex")}`
          : platform === "threads"
            ? `178414000${String(sequence).padStart(5, "0")}`
            : String(sequence);
    const account: SandboxAccount = {
      accountId: `${platform}:${platformUserId}`,
      platform,
      platformUserId,
      username,
      displayName,
      avatarUrl: sandboxAvatar(platform, displayName),
      ...(platform === "wordpress"
        ? {
            applicationPassword: "abcd EFGH ijkl MNOP qrst UVWX".replace(
              /[a-z]/gi,
              () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(Math.random() * 26)] as string,
            ),
          }
        : {}),
    };
    accounts.set(account.accountId, account);
    if (!defaults.has(platform)) defaults.set(platform, account.accountId);
    return account;
  }
  addAccount("x", "inkwell_sandbox", "Inkwell Sandbox");
  addAccount("linkedin", "sandbox@inkwell.invalid", "Sandy Box");
  addAccount("threads", "inkwell.sandbox", "Inkwell Sandbox");
  addAccount("wordpress", "sandbox-editor", "Sandbox Editor");

  const newId = (platform: PlatformKind) => {
    sequence++;
    if (platform === "x") return `18000000000000${String(sequence).padStart(5, "0")}`;
    if (platform === "linkedin") return `urn:li:share:7200000000${String(sequence).padStart(6, "0")}`;
    if (platform === "threads") return `180${String(sequence).padStart(14, "0")}`;
    return String(sequence);
  };

  function issue(
    platform: PlatformKind,
    accountId: string,
    kind: Token["kind"],
    seconds: number,
    scopes: string[],
    family: string,
  ): string {
    const value = token(`sbx_${platform}_${kind}`);
    tokens.set(value, {
      accountId,
      platform,
      kind,
      expiresAt: Date.now() + seconds * 1000,
      revoked: false,
      used: false,
      scopes,
      family,
    });
    return value;
  }

  /** The account behind the request's credentials, or the platform's refusal. */
  function authenticate(
    platform: PlatformKind,
    headers: IncomingHttpHeaders,
    query: Record<string, string>,
    body: Record<string, unknown>,
  ): SandboxAccount | Reply {
    const header = headers.authorization ?? "";
    if (platform === "wordpress") {
      const [user, password] = header.startsWith("Basic ")
        ? Buffer.from(header.slice(6), "base64").toString("utf8").split(/:(.*)/s)
        : [];
      const account = [...accounts.values()].find((a) => a.platform === "wordpress" && a.username === user);
      const strip = (s: string | undefined) => (s ?? "").replace(/\s+/g, "");
      if (!account || !password || strip(account.applicationPassword) !== strip(password)) return authFailure("wordpress", false);
      if (tokens.get(account.applicationPassword as string)?.revoked) return authFailure("wordpress", true);
      return account;
    }
    const value = header.startsWith("Bearer ")
      ? header.slice(7)
      : (query.access_token ?? (body.access_token as string | undefined));
    const found = value ? tokens.get(value) : undefined;
    if (!found || found.platform !== platform || found.kind === "refresh" || found.revoked || found.expiresAt < Date.now()) {
      return authFailure(platform, Boolean(found?.revoked));
    }
    return accounts.get(found.accountId) as SandboxAccount;
  }

  /** Replays the first answer to a repeated Idempotency-Key. */
  function once(account: SandboxAccount, route: string, headers: IncomingHttpHeaders, create: () => Reply): Reply {
    const key = headers["idempotency-key"];
    if (typeof key !== "string" || !key) return create();
    const slot = `${account.accountId}|${route}|${key}`;
    const seen = idempotent.get(slot);
    if (seen) return seen;
    const reply = create();
    if (reply.status < 300) idempotent.set(slot, reply);
    return reply;
  }

  function publish(
    account: SandboxAccount,
    post: Omit<SandboxPost, "id" | "platform" | "accountId" | "createdAt">,
    headers: IncomingHttpHeaders,
  ): SandboxPost {
    const key = headers["idempotency-key"];
    const created: SandboxPost = {
      id: newId(account.platform),
      platform: account.platform,
      accountId: account.accountId,
      createdAt: new Date(),
      ...post,
      ...(typeof key === "string" ? { idempotencyKey: key } : {}),
    };
    posts.push(created);
    return created;
  }

  const feedOf = (accountId: string) => posts.filter((p) => p.accountId === accountId);
  const postUrl = (p: SandboxPost) =>
    `${url}/sandbox/feed?account=${encodeURIComponent(p.accountId)}#${encodeURIComponent(p.id)}`;

  // ---------- OAuth ----------

  function authorize(platform: PlatformKind, query: Record<string, string>): Reply {
    if (query.client_id !== SANDBOX_CLIENT.clientId)
      return json(400, { error: "invalid_client", error_description: "Unknown client_id." });
    if (query.response_type !== "code")
      return json(400, { error: "unsupported_response_type", error_description: "response_type must be code." });
    if (!query.redirect_uri || !query.state)
      return json(400, { error: "invalid_request", error_description: "redirect_uri and state are required." });
    if (query.code_challenge && query.code_challenge_method !== "S256") {
      return json(400, { error: "invalid_request", error_description: "Only code_challenge_method=S256 is supported." });
    }
    const account = query.sandbox_account
      ? [...accounts.values()].find((a) => a.platform === platform && a.username === query.sandbox_account)
      : accounts.get(defaults.get(platform) as string);
    const location = new URL(query.redirect_uri);
    location.searchParams.set("state", query.state);
    if (!account) {
      location.searchParams.set("error", "access_denied");
      location.searchParams.set("error_description", "No such sandbox account.");
    } else {
      const code = token("sbx_code");
      codes.set(code, {
        accountId: account.accountId,
        platform,
        clientId: query.client_id,
        redirectUri: query.redirect_uri,
        ...(query.code_challenge ? { codeChallenge: query.code_challenge } : {}),
        scopes: (query.scope ?? "").split(/[ ,]+/).filter(Boolean),
        expiresAt: Date.now() + 10 * 60_000,
        used: false,
      });
      location.searchParams.set("code", code);
    }
    return { status: 302, headers: { location: location.toString() } };
  }

  const invalidGrant = (description: string) => json(400, { error: "invalid_grant", error_description: description });

  function clientOf(headers: IncomingHttpHeaders, body: Record<string, unknown>): { id?: string; secret?: string } {
    const header = headers.authorization ?? "";
    if (header.startsWith("Basic ")) {
      const [id, secret] = Buffer.from(header.slice(6), "base64").toString("utf8").split(/:(.*)/s);
      return { ...(id ? { id } : {}), ...(secret ? { secret } : {}) };
    }
    return {
      ...(typeof body.client_id === "string" ? { id: body.client_id } : {}),
      ...(typeof body.client_secret === "string" ? { secret: body.client_secret } : {}),
    };
  }

  /** Checks and uses up an authorization code. */
  function redeem(platform: PlatformKind, body: Record<string, unknown>): Code | Reply {
    const code = codes.get(String(body.code ?? ""));
    if (!code || code.platform !== platform || code.used || code.expiresAt < Date.now())
      return invalidGrant("The authorization code is invalid, expired or already used.");
    code.used = true;
    if (body.redirect_uri !== code.redirectUri) return invalidGrant("redirect_uri does not match the authorization request.");
    if (code.codeChallenge) {
      const verifier = typeof body.code_verifier === "string" ? body.code_verifier : "";
      if (createHash("sha256").update(verifier).digest("base64url") !== code.codeChallenge)
        return invalidGrant("The PKCE code_verifier does not match the code_challenge.");
    }
    return code;
  }

  /** Uses up a refresh token; reusing one revokes everything issued from the same authorization. */
  function rotate(platform: PlatformKind, value: string, kind: Token["kind"]): Token | Reply {
    const found = tokens.get(value);
    if (!found || found.platform !== platform || found.kind !== kind)
      return invalidGrant("Value passed for the token was invalid.");
    if (found.used || found.revoked || found.expiresAt < Date.now()) {
      if (found.used) for (const t of tokens.values()) if (t.family === found.family) t.revoked = true;
      return invalidGrant(
        found.used
          ? "The refresh token was already used; the grant has been revoked."
          : "The refresh token is invalid, expired or revoked.",
      );
    }
    found.used = true;
    found.revoked = kind === "access";
    return found;
  }

  function oauthToken(platform: "x" | "linkedin", headers: IncomingHttpHeaders, body: Record<string, unknown>): Reply {
    const client = clientOf(headers, body);
    if (
      client.id !== SANDBOX_CLIENT.clientId ||
      (client.secret !== undefined && client.secret !== SANDBOX_CLIENT.clientSecret) ||
      (platform === "linkedin" && !client.secret)
    ) {
      return json(401, { error: "invalid_client", error_description: "Client authentication failed." });
    }
    let accountId: string;
    let scopes: string[];
    let family: string;
    if (body.grant_type === "authorization_code") {
      const code = redeem(platform, body);
      if ("status" in code) return code;
      ({ accountId, scopes } = code);
      family = token("family");
    } else if (body.grant_type === "refresh_token") {
      const previous = rotate(platform, String(body.refresh_token ?? ""), "refresh");
      if ("status" in previous) return previous;
      ({ accountId, scopes, family } = previous);
    } else {
      return json(400, {
        error: "unsupported_grant_type",
        error_description: "grant_type must be authorization_code or refresh_token.",
      });
    }
    const accessSeconds = platform === "x" ? 7200 : 5_184_000;
    const refreshSeconds = platform === "x" ? 180 * 86_400 : 31_536_000;
    return json(200, {
      token_type: "bearer",
      access_token: issue(platform, accountId, "access", accessSeconds, scopes, family),
      expires_in: accessSeconds,
      ...(withholdRefresh && body.grant_type === "authorization_code"
        ? {}
        : {
            refresh_token: issue(platform, accountId, "refresh", refreshSeconds, scopes, family),
            ...(platform === "linkedin" ? { refresh_token_expires_in: refreshSeconds } : {}),
          }),
      scope: scopes.join(platform === "x" ? " " : ","),
    });
  }

  /** RFC 7009: revoking a token ends its whole grant; unknown tokens are not an error. */
  function revokeGrant(platform: "x" | "linkedin", headers: IncomingHttpHeaders, body: Record<string, unknown>): Reply {
    const client = clientOf(headers, body);
    if (client.id !== SANDBOX_CLIENT.clientId || (client.secret !== undefined && client.secret !== SANDBOX_CLIENT.clientSecret))
      return json(401, { error: "invalid_client", error_description: "Client authentication failed." });
    const found = tokens.get(String(body.token ?? ""));
    if (found && found.platform === platform) for (const t of tokens.values()) if (t.family === found.family) t.revoked = true;
    return json(200, {});
  }

  // ---------- images ----------

  /** The bytes as an image the sandbox keeps, or null when they are not an image. */
  async function imageOf(id: string, bytes: Uint8Array): Promise<SandboxMedia | null> {
    const sniffed = await sniff(bytes);
    if (sniffed.kind !== "image") return null;
    return { id, contentType: sniffed.contentType, byteSize: bytes.byteLength };
  }

  function upload(account: SandboxAccount, id: string, media: SandboxMedia | null): void {
    uploads.set(id, { accountId: account.accountId, media });
  }

  /** An uploaded image of this account, ready to attach. */
  const uploaded = (account: SandboxAccount, id: unknown): SandboxMedia | undefined => {
    const found = typeof id === "string" || typeof id === "number" ? uploads.get(String(id)) : undefined;
    return found && found.accountId === account.accountId && found.media ? found.media : undefined;
  };

  // ---------- routes ----------

  async function route(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: IncomingHttpHeaders,
    body: Record<string, unknown>,
    raw: Buffer,
  ): Promise<Reply> {
    // X
    if (method === "GET" && path === "/x/i/oauth2/authorize") return authorize("x", query);
    if (method === "POST" && path === "/x/2/oauth2/token") return oauthToken("x", headers, body);
    if (method === "POST" && path === "/x/2/oauth2/revoke") return revokeGrant("x", headers, body);
    if (path.startsWith("/x/2/")) {
      const account = authenticate("x", headers, query, body);
      if ("status" in account) return account;
      if (method === "GET" && path === "/x/2/users/me") {
        return json(200, {
          data: {
            id: account.platformUserId,
            name: account.displayName,
            username: account.username,
            profile_image_url: account.avatarUrl,
          },
        });
      }
      const timeline = /^\/x\/2\/users\/([^/]+)\/tweets$/.exec(path);
      if (method === "GET" && timeline) {
        const owner = [...accounts.values()].find((a) => a.platform === "x" && a.platformUserId === timeline[1]);
        if (!owner) return json(404, { title: "Not Found Error", detail: "Could not find user.", status: 404 });
        const limit = Math.min(100, Number(query.max_results ?? 10));
        const offset = Number(query.pagination_token ?? 0);
        const all = feedOf(owner.accountId);
        const nextToken = offset + limit < all.length ? String(offset + limit) : undefined;
        const data = all
          .slice()
          .reverse()
          .slice(offset, offset + limit)
          .map((p) => ({
            id: p.id,
            text: p.text,
            created_at: p.createdAt.toISOString(),
            edit_history_tweet_ids: [p.id],
            ...(p.replyToId ? { referenced_tweets: [{ type: "replied_to", id: p.replyToId }] } : {}),
          }));
        return json(200, { data, meta: { result_count: data.length, ...(nextToken ? { next_token: nextToken } : {}) } });
      }
      if (method === "POST" && path === "/x/2/media/upload") {
        const type = headers["content-type"] ?? "";
        if (!type.startsWith("multipart/form-data"))
          return json(400, { title: "Invalid Request", detail: "The media upload must be multipart/form-data.", status: 400 });
        const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
        const file = form.get("media");
        if (!(file instanceof Blob))
          return json(400, { title: "Invalid Request", detail: "The media field is required.", status: 400 });
        sequence++;
        const id = `19000000000000${String(sequence).padStart(5, "0")}`;
        const media = await imageOf(id, new Uint8Array(await file.arrayBuffer()));
        if (!media) return json(400, { title: "Invalid Request", detail: "The media is not a supported image.", status: 400 });
        upload(account, id, media);
        return json(200, { data: { id, media_key: `3_${id}`, expires_after_secs: 86_400 } });
      }
      if (method === "POST" && path === "/x/2/tweets") {
        return once(account, "tweets", headers, () => {
          const text = typeof body.text === "string" ? body.text : "";
          const replyTo = (body.reply as { in_reply_to_tweet_id?: string } | undefined)?.in_reply_to_tweet_id;
          const mediaIds = (body.media as { media_ids?: unknown[] } | undefined)?.media_ids ?? [];
          const invalid = (message: string) =>
            json(400, {
              errors: [{ message }],
              title: "Invalid Request",
              detail: "One or more parameters to your request was invalid.",
              type: "https://api.twitter.com/2/problems/invalid-request",
            });
          if (!text.trim()) return invalid("The text of the post must not be empty.");
          if (xWeightedLength(text) > 280) return invalid(`Your post is ${xWeightedLength(text)} characters; the limit is 280.`);
          if (replyTo && !posts.some((p) => p.platform === "x" && p.id === replyTo)) {
            return invalid("The post you are replying to has been deleted or is not visible to you.");
          }
          if (feedOf(account.accountId).some((p) => p.text === text)) {
            return json(403, {
              title: "Forbidden",
              status: 403,
              detail: "You are not allowed to create a Tweet with duplicate content.",
              type: "about:blank",
            });
          }
          const media = mediaIds.map((id) => uploaded(account, id));
          if (media.some((m) => !m)) return invalid("One or more media ids are invalid.");
          const post = publish(
            account,
            {
              text,
              ...(replyTo ? { replyToId: replyTo } : {}),
              ...(media.length ? { media: media as SandboxMedia[] } : {}),
            },
            headers,
          );
          return json(201, { data: { id: post.id, text, edit_history_tweet_ids: [post.id] } });
        });
      }
      return json(404, { title: "Not Found Error", detail: `No route ${method} ${path}`, status: 404 });
    }

    // LinkedIn
    if (method === "GET" && path === "/linkedin/oauth/v2/authorization") return authorize("linkedin", query);
    if (method === "POST" && path === "/linkedin/oauth/v2/accessToken") return oauthToken("linkedin", headers, body);
    if (method === "POST" && path === "/linkedin/oauth/v2/revoke") return revokeGrant("linkedin", headers, body);
    if (path.startsWith("/linkedin/")) {
      const account = authenticate("linkedin", headers, query, body);
      if ("status" in account) return account;
      if (method === "GET" && path === "/linkedin/v2/userinfo") {
        return json(200, {
          sub: account.platformUserId,
          name: account.displayName,
          given_name: account.displayName.split(" ")[0],
          picture: account.avatarUrl,
          email: account.username,
          email_verified: true,
          locale: "en_US",
        });
      }
      const linkedinUpload = /^\/linkedin\/upload\/(urn:li:image:[\w-]+)$/.exec(path);
      if (method === "PUT" && linkedinUpload) {
        const id = linkedinUpload[1] as string;
        const pending = uploads.get(id);
        if (!pending || pending.accountId !== account.accountId)
          return json(404, { status: 404, message: "No upload is waiting at this URL." });
        const media = await imageOf(id, raw);
        if (!media) return json(400, { status: 400, message: "The uploaded file is not a supported image." });
        pending.media = media;
        return { status: 201 };
      }
      if (method === "POST" && path === "/linkedin/rest/images" && query.action === "initializeUpload") {
        const owner = (body.initializeUploadRequest as { owner?: unknown } | undefined)?.owner;
        if (owner !== `urn:li:person:${account.platformUserId}`)
          return json(403, { status: 403, message: `Not allowed to upload as ${String(owner)}.` });
        sequence++;
        const image = `urn:li:image:C4E${String(sequence).padStart(10, "0")}`;
        upload(account, image, null);
        return json(200, {
          value: { uploadUrlExpiresAt: Date.now() + 86_400_000, uploadUrl: `${url}/linkedin/upload/${image}`, image },
        });
      }
      if (path === "/linkedin/rest/posts") {
        if (!headers["linkedin-version"])
          return json(426, {
            status: 426,
            code: "NONEXISTENT_VERSION",
            message: "A LinkedIn-Version header (YYYYMM) is required.",
          });
        const urn = `urn:li:person:${account.platformUserId}`;
        if (method === "GET") {
          if (query.q !== "author" || query.author !== urn)
            return json(403, { status: 403, message: "Not enough permissions to read these posts." });
          const start = Number(query.start ?? 0);
          const elements = feedOf(account.accountId)
            .slice()
            .reverse()
            .slice(start, start + Number(query.count ?? 10))
            .map((p) => ({
              id: p.id,
              author: urn,
              commentary: p.text,
              createdAt: p.createdAt.getTime(),
              lastModifiedAt: p.createdAt.getTime(),
              lifecycleState: "PUBLISHED",
              visibility: "PUBLIC",
            }));
          return json(200, { elements, paging: { start, count: elements.length } });
        }
        if (method === "POST") {
          return once(account, "posts", headers, () => {
            if (headers["x-restli-protocol-version"] !== "2.0.0")
              return json(400, { status: 400, message: "X-Restli-Protocol-Version 2.0.0 is required." });
            if (body.author !== urn) return json(403, { status: 403, message: `Not allowed to post as ${String(body.author)}.` });
            const commentary = typeof body.commentary === "string" ? body.commentary : "";
            if (charLength(commentary.replace(/\\(.)/g, "$1")) > 3000)
              return json(422, { status: 422, message: "commentary is longer than 3000 characters." });
            if (body.lifecycleState !== "PUBLISHED")
              return json(422, { status: 422, message: "lifecycleState must be PUBLISHED." });
            const mediaId = (body.content as { media?: { id?: unknown } } | undefined)?.media?.id;
            const media = mediaId === undefined ? undefined : uploaded(account, mediaId);
            if (mediaId !== undefined && !media)
              return json(422, { status: 422, message: `The image ${String(mediaId)} is not uploaded or not yours.` });
            const post = publish(account, { text: commentary, ...(media ? { media: [media] } : {}) }, headers);
            return { status: 201, headers: { "x-restli-id": post.id } };
          });
        }
      }
      return json(404, { status: 404, message: `No route ${method} ${path}` });
    }

    // Threads
    if (method === "GET" && path === "/threads/oauth/authorize") return authorize("threads", query);
    if (method === "POST" && path === "/threads/oauth/access_token") {
      if (body.client_id !== SANDBOX_CLIENT.clientId || body.client_secret !== SANDBOX_CLIENT.clientSecret)
        return graphError("Error validating client secret.", 1);
      if (body.grant_type !== "authorization_code") return graphError("grant_type must be authorization_code.");
      const code = redeem("threads", body);
      if ("status" in code)
        return graphError(
          `Invalid authorization code: ${String((code.body as { error_description?: string }).error_description)}`,
          100,
        );
      const short = issue("threads", code.accountId, "short", 3600, code.scopes, token("family"));
      return json(200, { access_token: short, user_id: Number((accounts.get(code.accountId) as SandboxAccount).platformUserId) });
    }
    if (method === "GET" && path === "/threads/access_token") {
      if (query.grant_type !== "th_exchange_token" || query.client_secret !== SANDBOX_CLIENT.clientSecret)
        return graphError("Invalid th_exchange_token request.");
      const short = tokens.get(query.access_token ?? "");
      if (short?.kind !== "short" || short.revoked || short.expiresAt < Date.now())
        return authFailure("threads", Boolean(short?.revoked));
      return json(200, {
        access_token: issue("threads", short.accountId, "access", 5_184_000, short.scopes, short.family),
        token_type: "bearer",
        expires_in: 5_184_000,
      });
    }
    if (method === "GET" && path === "/threads/refresh_access_token") {
      if (query.grant_type !== "th_refresh_token") return graphError("grant_type must be th_refresh_token.");
      const previous = rotate("threads", query.access_token ?? "", "access");
      if ("status" in previous) return authFailure("threads", true);
      return json(200, {
        access_token: issue("threads", previous.accountId, "access", 5_184_000, previous.scopes, previous.family),
        token_type: "bearer",
        expires_in: 5_184_000,
      });
    }
    if (path.startsWith("/threads/v1.0/")) {
      const account = authenticate("threads", headers, query, body);
      if ("status" in account) return account;
      const [target, edge] = path.slice("/threads/v1.0/".length).split("/") as [string, string | undefined];
      if (method === "GET" && target === "me" && !edge) {
        return json(200, {
          id: account.platformUserId,
          username: account.username,
          name: account.displayName,
          threads_profile_picture_url: account.avatarUrl,
        });
      }
      if (edge && target !== "me" && target !== account.platformUserId)
        return graphError("Unsupported request: the user id does not belong to this token.", 100);
      const media = (p: SandboxPost) => ({
        id: p.id,
        media_type: p.imageUrl ? "IMAGE" : "TEXT_POST",
        text: p.text,
        timestamp: p.createdAt.toISOString().replace(/\.\d{3}Z$/, "+0000"),
        permalink: postUrl(p),
        ...(p.replyToId ? { is_reply: true, replied_to: { id: p.replyToId } } : { is_reply: false }),
      });
      if (method === "GET" && (edge === "threads" || edge === "replies")) {
        const limit = Number(query.limit ?? 25);
        const offset = Number(query.after ?? 0);
        const all = feedOf(account.accountId).filter((p) => (edge === "replies" ? Boolean(p.replyToId) : !p.replyToId));
        const data = all
          .reverse()
          .slice(offset, offset + limit)
          .map(media);
        const more = offset + limit < all.length;
        return json(200, {
          data,
          paging: {
            cursors: { before: String(offset), after: String(offset + limit) },
            ...(more ? { next: `${url}${path}` } : {}),
          },
        });
      }
      if (method === "POST" && edge === "threads") {
        const text = String(body.text ?? query.text ?? "");
        const mediaType = String(body.media_type ?? query.media_type ?? "");
        const imageUrl = (body.image_url ?? query.image_url) as string | undefined;
        const replyToId = (body.reply_to_id ?? query.reply_to_id) as string | undefined;
        if (mediaType !== "TEXT" && mediaType !== "IMAGE") return graphError("Param media_type must be one of {TEXT, IMAGE}.");
        if (mediaType === "TEXT" && !text.trim()) return graphError("Param text is required for TEXT posts.");
        if (mediaType === "IMAGE" && !imageUrl) return graphError("Param image_url is required for IMAGE posts.");
        if (charLength(text) > 500) return graphError("Param text must be at most 500 characters long.");
        if (replyToId && !posts.some((p) => p.platform === "threads" && p.id === replyToId))
          return graphError("The post you are replying to does not exist.");
        sequence++;
        const id = `179${String(sequence).padStart(14, "0")}`;
        let image: SandboxMedia | undefined;
        if (mediaType === "IMAGE" && imageUrl) {
          // As Meta does: the image is fetched from its URL now, so it must be public and an image.
          const fetched = await fetch(imageUrl, { signal: AbortSignal.timeout(5_000), redirect: "manual" })
            .then(async (r) => (r.ok ? new Uint8Array(await r.arrayBuffer()) : null))
            .catch(() => null);
          if (!fetched) return graphError(`The image at image_url could not be downloaded: ${imageUrl}`, 100);
          const media = await imageOf(id, fetched);
          if (!media) return graphError("The file at image_url is not a supported image.", 100);
          image = { ...media, fetchedFrom: imageUrl };
        }
        containers.set(id, {
          accountId: account.accountId,
          text,
          ...(imageUrl ? { imageUrl } : {}),
          ...(image ? { media: image } : {}),
          ...(replyToId ? { replyToId } : {}),
        });
        return json(200, { id });
      }
      if (method === "POST" && edge === "threads_publish") {
        return once(account, "threads_publish", headers, () => {
          const creationId = String(body.creation_id ?? query.creation_id ?? "");
          const container = containers.get(creationId);
          if (!container || container.accountId !== account.accountId) return graphError("Media container not found.", 24);
          if (container.publishedId) return graphError("The media container has already been published.", 100);
          const post = publish(
            account,
            {
              text: container.text,
              ...(container.replyToId ? { replyToId: container.replyToId } : {}),
              ...(container.imageUrl ? { imageUrl: container.imageUrl } : {}),
              ...(container.media ? { media: [container.media] } : {}),
            },
            headers,
          );
          container.publishedId = post.id;
          return json(200, { id: post.id });
        });
      }
      if (method === "GET" && !edge) {
        const post = posts.find((p) => p.platform === "threads" && p.id === target && p.accountId === account.accountId);
        return post ? json(200, media(post)) : graphError(`Object with ID '${target}' does not exist.`, 100);
      }
      return graphError(`Unsupported ${method} request.`);
    }

    // WordPress
    if (path.startsWith("/wordpress/wp-json/wp/v2/")) {
      const account = authenticate("wordpress", headers, query, body);
      if ("status" in account) return account;
      const resource = path.slice("/wordpress/wp-json/wp/v2/".length);
      const site = `${url}/wordpress`;
      const wp = (p: SandboxPost) => ({
        id: Number(p.id),
        link: `${site}/${p.slug}/`,
        slug: p.slug,
        status: "publish",
        date_gmt: p.createdAt.toISOString().slice(0, 19),
        title: { raw: p.title, rendered: escapeHtml(p.title ?? "") },
        content: { raw: p.text, rendered: `<p>${p.text}</p>\n`, protected: false },
        author: Number(account.platformUserId),
      });
      if (method === "GET" && resource === "users/me") {
        return json(200, {
          id: Number(account.platformUserId),
          name: account.displayName,
          username: account.username,
          slug: account.username,
          // One drawing at every size (a "?s=24" suffix would end up inside the data: URL's SVG).
          avatar_urls: { "24": account.avatarUrl, "96": account.avatarUrl },
        });
      }
      if (resource === "posts" && method === "GET") {
        const list = feedOf(account.accountId)
          .filter((p) => !query.slug || query.slug.split(",").includes(p.slug ?? ""))
          .reverse()
          .slice(0, Number(query.per_page ?? 10))
          .map(wp);
        return json(200, list);
      }
      if (resource === "media" && method === "POST") {
        sequence++;
        const id = String(sequence);
        const media = await imageOf(id, raw);
        if (!media)
          return json(400, {
            code: "rest_upload_sideload_error",
            message: "Sorry, you are not allowed to upload this file type.",
            data: { status: 400 },
          });
        upload(account, id, media);
        const name = /filename="?([^";]+)"?/.exec(headers["content-disposition"] ?? "")?.[1] ?? `image-${id}`;
        return json(201, {
          id: Number(id),
          media_type: "image",
          mime_type: media.contentType,
          source_url: `${site}/wp-content/uploads/${encodeURIComponent(name)}`,
        });
      }
      if (resource === "posts" && method === "POST") {
        return once(account, "posts", headers, () => {
          const title = typeof body.title === "string" ? body.title : "";
          const content = typeof body.content === "string" ? body.content : "";
          if (!title.trim() && !content.trim())
            return json(400, { code: "empty_content", message: "Content, title, and excerpt are empty.", data: { status: 400 } });
          let slug = String(body.slug ?? (title.toLowerCase().replace(/[^a-z0-9]+/g, "-") || "post"));
          const taken = (s: string) => posts.some((p) => p.platform === "wordpress" && p.slug === s);
          if (taken(slug)) {
            let n = 2;
            while (taken(`${slug}-${n}`)) n++;
            slug = `${slug}-${n}`;
          }
          const featured = body.featured_media;
          const media = featured === undefined || featured === 0 ? undefined : uploaded(account, featured);
          if (featured !== undefined && featured !== 0 && !media)
            return json(400, {
              code: "rest_invalid_featured_media",
              message: "Invalid featured media ID.",
              data: { status: 400 },
            });
          return json(201, wp(publish(account, { text: content, title, slug, ...(media ? { media: [media] } : {}) }, headers)));
        });
      }
      return json(404, {
        code: "rest_no_route",
        message: "No route was found matching the URL and request method.",
        data: { status: 404 },
      });
    }
    return json(404, { error: `No sandbox route ${method} ${path}` });
  }

  function feedPage(accountFilter?: string): string {
    const shown = [...accounts.values()].filter((a) => !accountFilter || a.accountId === accountFilter);
    const sections = shown
      .map((a) => {
        const items = feedOf(a.accountId)
          .slice()
          .reverse()
          .map(
            (p) =>
              `<li id="${escapeHtml(p.id)}"><time>${p.createdAt.toISOString()}</time>${p.replyToId ? ` <small>↳ reply to ${escapeHtml(p.replyToId)}</small>` : ""}${p.title ? `<h3>${escapeHtml(p.title)}</h3>` : ""}<p>${escapeHtml(p.text)}</p>${(p.media ?? []).map((m) => `<small>🖼 ${escapeHtml(m.contentType)}, ${m.byteSize} bytes</small> `).join("")}<small>${escapeHtml(p.id)}</small></li>`,
          )
          .join("");
        return `<section><h2>${escapeHtml(a.platform)} · @${escapeHtml(a.username)} <small>${escapeHtml(a.displayName)}</small></h2>${items ? `<ol>${items}</ol>` : "<p><em>No posts yet.</em></p>"}</section>`;
      })
      .join("");
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Sandbox feed</title><style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}li{border-bottom:1px solid #ddd;padding:.5rem 0;list-style:none}p{white-space:pre-wrap}time,small{color:#666}</style></head><body><h1>Sandbox feed</h1><p>Posts published to the sandbox platform. This page refreshes every 5 seconds.</p>${sections}</body></html>`;
  }

  function sandboxRoute(method: string, path: string, query: Record<string, string>): Reply {
    if (method === "GET" && path === "/sandbox/feed") return { status: 200, html: feedPage(query.account) };
    if (method === "GET" && path === "/sandbox/feed.json") {
      return json(200, { posts: posts.filter((p) => !query.account || p.accountId === query.account) });
    }
    if (method === "GET" && path.startsWith("/sandbox/web/")) return { status: 302, headers: { location: "/sandbox/feed" } };
    return json(404, { error: "not found" });
  }

  function parseBody(headers: IncomingHttpHeaders, raw: Buffer): Record<string, unknown> {
    if (!raw.length) return {};
    const type = headers["content-type"] ?? "";
    try {
      if (type.includes("json")) return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
      if (type.includes("x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
    } catch {
      return { __invalid: true };
    }
    return {};
  }

  function send(res: ServerResponse, reply: Reply): void {
    if (reply.html !== undefined) {
      res.writeHead(reply.status, { "content-type": "text/html; charset=utf-8", ...reply.headers });
      return void res.end(reply.html);
    }
    if (reply.body === undefined) {
      res.writeHead(reply.status, reply.headers ?? {});
      return void res.end();
    }
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const parsed = new URL(req.url ?? "/", "http://sandbox.invalid");
    const method = req.method ?? "GET";
    const query = Object.fromEntries(parsed.searchParams);
    if (parsed.pathname.startsWith("/sandbox/")) return send(res, sandboxRoute(method, parsed.pathname, query));
    const raw = Buffer.concat(chunks);
    const body = parseBody(req.headers, raw);
    const record: SandboxRequest = { method, path: parsed.pathname, query, headers: req.headers, body, outcome: "pending" };
    requests.push(record);
    const index = faults.findIndex((f) => !f.path || f.path.test(parsed.pathname));
    const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
    if (fault?.kind === "hang") {
      record.outcome = "hung";
      return;
    }
    if (fault?.kind === "fail") {
      record.outcome = "failed";
      const message = fault.options.message ?? `Injected failure (${fault.options.status}).`;
      const headers: Record<string, string> = {};
      if (fault.options.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.options.retryAfterSeconds);
      return send(
        res,
        json(fault.options.status, { title: "Sandbox fault", detail: message, message, status: fault.options.status }, headers),
      );
    }
    if (delayMs) await sleep(delayMs);
    const reply = body.__invalid
      ? json(400, { error: "invalid_request", error_description: "The body is not valid." })
      : await route(method, parsed.pathname, query, req.headers, body, raw);
    if (fault?.kind === "timeout") {
      record.outcome = "timed-out";
      return;
    }
    record.outcome = reply.status < 400 ? "ok" : "failed";
    send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) send(res, json(500, { error: `sandbox bug: ${error.message}` }));
      else res.destroy();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const address = server.address();
  url = `http://${host}:${typeof address === "object" && address ? address.port : 0}`;
  const wordpressUser = accounts.get(defaults.get("wordpress") as string) as SandboxAccount;

  return {
    url,
    config: sandboxPlatformsConfig(url),
    wordpress: {
      siteUrl: `${url}/wordpress`,
      username: wordpressUser.username,
      applicationPassword: wordpressUser.applicationPassword as string,
    },
    requests,
    accounts: (platform) => [...accounts.values()].filter((a) => !platform || a.platform === platform),
    defaultAccount: (platform) => accounts.get(defaults.get(platform) as string) as SandboxAccount,
    addAccount,
    feed: (accountId) => feedOf(accountId),
    failNext(n, failOptions) {
      for (let i = 0; i < n; i++)
        faults.push({ kind: "fail", options: failOptions, ...(failOptions.path ? { path: failOptions.path } : {}) });
    },
    timeoutNext(n, filter = {}) {
      for (let i = 0; i < n; i++) faults.push({ kind: "timeout", ...filter });
    },
    hangNext(n, filter = {}) {
      for (let i = 0; i < n; i++) faults.push({ kind: "hang", ...filter });
    },
    revoke(value) {
      const found = tokens.get(value);
      if (found) found.revoked = true;
      const wordpress = [...accounts.values()].find((a) => a.applicationPassword === value);
      if (wordpress)
        tokens.set(value, {
          accountId: wordpress.accountId,
          platform: "wordpress",
          kind: "access",
          expiresAt: Number.POSITIVE_INFINITY,
          revoked: true,
          used: false,
          scopes: [],
          family: "wp",
        });
    },
    revokeAccount(accountId) {
      let n = 0;
      for (const t of tokens.values()) {
        if (t.accountId === accountId && !t.revoked) {
          t.revoked = true;
          n++;
        }
      }
      return n;
    },
    liveTokens(accountId) {
      const live = [...tokens.values()].filter(
        (t) => t.accountId === accountId && !t.revoked && !t.used && t.expiresAt > Date.now(),
      );
      return { access: live.filter((t) => t.kind === "access").length, refresh: live.filter((t) => t.kind === "refresh").length };
    },
    withholdRefreshTokens(on) {
      withholdRefresh = on;
    },
    slow(ms) {
      delayMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
