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
import { SANDBOX_CLIENT, sandboxPlatformsConfig } from "../config.ts";
import type { PlatformKind } from "../platform.types.ts";
import type {
  Code,
  Container,
  Reply,
  SandboxAccount,
  SandboxFailOptions,
  SandboxFaultFilter,
  SandboxMedia,
  SandboxPlatform,
  SandboxPost,
  SandboxRequest,
  Token,
} from "./sandbox-platform.types.ts";
import { authFailure, escapeHtml, json, sandboxAvatar, sleep, token } from "./sandbox-replies.ts";
import { platformRoute, type SandboxContext } from "./sandbox-routes.ts";

export type {
  SandboxAccount,
  SandboxFailOptions,
  SandboxFaultFilter,
  SandboxMedia,
  SandboxPlatform,
  SandboxPost,
  SandboxRequest,
} from "./sandbox-platform.types.ts";
export { sandboxAvatar } from "./sandbox-replies.ts";

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
  /** Platform requests being handled now, and the most at once since the last reset (a gauge for tests and benches). */
  const inFlight = { now: 0, peak: 0 };
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

  // ---------- routes (sandbox-routes.ts) ----------

  const context: SandboxContext = {
    accounts,
    posts,
    tokens,
    containers,
    uploads,
    get url() {
      return url;
    },
    nextSequence: () => ++sequence,
    authenticate,
    authorize,
    oauthToken,
    revokeGrant,
    redeem,
    rotate,
    issue,
    once,
    publish,
    feedOf,
    postUrl,
    imageOf,
    upload,
    uploaded,
  };
  const route = (...args: Parameters<typeof platformRoute> extends [SandboxContext, ...infer R] ? R : never) =>
    platformRoute(context, ...args);

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
    // Counted until the answer is sent or the connection drops (a hung request, until the client gives up).
    inFlight.now++;
    inFlight.peak = Math.max(inFlight.peak, inFlight.now);
    res.once("close", () => void inFlight.now--);
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
    inFlight(options = {}) {
      const seen = { ...inFlight };
      if (options.resetPeak) inFlight.peak = inFlight.now;
      return seen;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
