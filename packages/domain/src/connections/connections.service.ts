/**
 * Publishing connections: connecting accounts (OAuth 2.0 authorization code + PKCE + state for X,
 * LinkedIn and Threads; site URL + application password for WordPress), keeping their tokens fresh,
 * and handing credentials to the publisher.
 *
 * Secrets are sealed with the API-key scheme (AES-256-GCM key ring), bound to their row, owner and
 * purpose, and only ever opened on the server. No transaction is held across a platform call: each
 * flow reads in one short transaction, calls out, and writes in another.
 *
 * Refresh is serialised per connection by a lease on the row (see the migration): two refreshes of a
 * rotating refresh token must never both reach the platform. Only a refusal of the grant itself (an
 * `auth` PlatformError: 401, invalid_grant, a revoked token) marks a connection `needs_reauth`; a
 * network blip, a timeout, a 5xx or a 429 keeps it active, records the error and is retried.
 */
import { randomUUID } from "node:crypto";
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { notifications } from "../notifications/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { type KeyRing, open, seal } from "../platform/secret-box.ts";
import { hashToken } from "../platform/tokens.ts";
import type { OAuthCredentials, OAuthPlatformAdapter, PublishingRuntime, WordPressCredentials } from "../platforms/index.ts";
import {
  createOAuthState,
  createPkcePair,
  isPlatformError,
  PLATFORM_NAMES,
  PlatformError,
  PrivateAddressError,
  publicAddressesOf,
} from "../platforms/index.ts";
import { refreshConnectionJob } from "./connections.jobs.ts";
import * as repo from "./connections.repository.ts";
import type {
  Connection,
  ConnectWordPressInput,
  OAuthPlatform,
  PublishingPlatform,
  StartOAuthInput,
} from "./connections.schemas.ts";

export { isPrivateAddress } from "../platforms/index.ts";

export interface ConnectionsDeps {
  db: Database;
  keyRing: KeyRing;
  publishing: PublishingRuntime;
  log?: Logger;
  /** For the sweep (enqueues refresh jobs). */
  enqueue?: Enqueue;
}

/** How long a started sign-in may take. */
export const OAUTH_STATE_TTL_SECONDS = 600;
/** Sign-ins a user may have in progress at once. */
export const MAX_LIVE_STATES = 20;
/** credentialsFor renews an access token that expires within this. */
export const NEAR_EXPIRY_SECONDS = 300;
/**
 * The sweep renews tokens this long before they expire: X's last 2 hours; LinkedIn's and Threads'
 * long-lived ones 60 days (Threads: a token must be a day old to be refreshed, and dies for good at expiry).
 */
export const REFRESH_AHEAD_SECONDS: Record<OAuthPlatform, number> = {
  x: 30 * 60,
  linkedin: 7 * 86_400,
  threads: 7 * 86_400,
};

/** Connections that cannot renew themselves are warned this long before their sign-in ends. */
export const EXPIRY_WARNING_SECONDS = 7 * 86_400;

const isOAuth = (platform: string): platform is OAuthPlatform =>
  platform === "x" || platform === "linkedin" || platform === "threads";
const nameOf = (platform: string) => PLATFORM_NAMES[platform as PublishingPlatform] ?? platform;

// ---- sealing ----

type Purpose = "access" | "refresh" | "app_password";
const connectionAad = (row: { id: string; user_id: string }, purpose: Purpose) =>
  `social_connections:${row.id}:${row.user_id}:${purpose}`;
const stateAad = (stateId: string, userId: string) => `oauth_states:${stateId}:${userId}`;

/** "keyId:ciphertext": the key id says which key of the ring opens it (key ids never contain ':'). */
function sealText(ring: KeyRing, plaintext: string, aad: string): string {
  const sealed = seal(ring, plaintext, aad);
  return `${sealed.keyId}:${sealed.ciphertext}`;
}

function openText(ring: KeyRing, stored: string, aad: string): string {
  const at = stored.indexOf(":");
  return open(ring, { keyId: stored.slice(0, at), ciphertext: stored.slice(at + 1) }, aad);
}

function adapterFor(deps: ConnectionsDeps, platform: OAuthPlatform): OAuthPlatformAdapter {
  if (!deps.publishing.configured[platform]) {
    throw new DomainError("PRECONDITION_FAILED", `${nameOf(platform)} is not set up on this server yet.`);
  }
  return deps.publishing.adapters[platform];
}

// ---- listing ----

export function list(tx: Tx): Promise<Connection[]> {
  return repo.listConnections(tx);
}

// ---- OAuth ----

/**
 * Starts a sign-in: stores the state (hashed) and the PKCE verifier (sealed) for 10 minutes and
 * returns the platform's authorize URL. The browser goes there; the platform sends it back to
 * `/oauth/callback/:platform`, which calls finishOAuth.
 */
export async function startOAuth(
  deps: ConnectionsDeps,
  tx: Tx,
  userId: string,
  input: StartOAuthInput,
): Promise<{ authorizeUrl: string }> {
  if (input.reconnectId) {
    const target = await repo.findConnection(tx, input.reconnectId);
    if (!target || target.platform !== input.platform) throw notFound("Connection");
  }
  const adapter = adapterFor(deps, input.platform);
  if (!deps.publishing.callbackBaseUrl) throw new Error("publishing.callbackBaseUrl is not configured");
  // Each start stores a row: bound how many a user can have open at once.
  if ((await repo.countLiveStates(tx)) >= MAX_LIVE_STATES) {
    throw new DomainError("RATE_LIMITED", "Too many sign-ins in progress. Finish one, or try again in a few minutes.", {
      retryAfterSeconds: 60,
    });
  }
  const state = createOAuthState();
  const pkce = createPkcePair();
  const id = randomUUID();
  const redirectUri = `${deps.publishing.callbackBaseUrl}/oauth/callback/${input.platform}`;
  await repo.insertState(tx, {
    id,
    user_id: userId,
    state_hash: hashToken(state),
    platform: input.platform,
    code_verifier_sealed: sealText(deps.keyRing, pkce.codeVerifier, stateAad(id, userId)),
    redirect_uri: redirectUri,
    reconnect_id: input.reconnectId ?? null,
    ttlSeconds: OAUTH_STATE_TTL_SECONDS,
  });
  return { authorizeUrl: adapter.authorizeUrl({ state, codeChallenge: pkce.codeChallenge, redirectUri }) };
}

export interface OAuthCallbackQuery {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
}

const unverified = () =>
  new DomainError("TOKEN_INVALID", "The sign-in could not be verified (it expired or was already used). Please connect again.");

/**
 * Finishes a sign-in for the signed-in user: the state must be theirs, for this platform, unused and
 * not expired (it is used up either way); then the code is exchanged, the profile read and the
 * connection created or renewed. A reconnect keeps the stored refresh token when the platform sends none.
 */
export async function finishOAuth(
  deps: ConnectionsDeps,
  userId: string,
  platform: string,
  query: OAuthCallbackQuery,
): Promise<Connection> {
  if (!isOAuth(platform)) throw notFound("Platform");
  const adapter = adapterFor(deps, platform);
  if (!query.state) throw unverified();
  const state = await asUser(deps.db, userId, (tx) => repo.takeState(tx, hashToken(query.state as string)));
  if (!state || state.used_at || state.expired || state.platform !== platform) throw unverified();
  if (query.error) {
    const why = query.error === "access_denied" ? "access was not granted" : (query.error_description ?? query.error);
    throw new DomainError("PRECONDITION_FAILED", `${nameOf(platform)} did not connect: ${why.slice(0, 300)}.`);
  }
  if (!query.code)
    throw new DomainError("INVALID_INPUT", `${nameOf(platform)} sent no authorization code. Please connect again.`);
  const codeVerifier = openText(deps.keyRing, state.code_verifier_sealed, stateAad(state.id, userId));

  const tokens = await adapter.exchangeCode({ code: query.code, codeVerifier, redirectUri: state.redirect_uri });
  const profile = await adapter.profile({
    accessToken: tokens.accessToken,
    ...(tokens.platformUserId ? { platformUserId: tokens.platformUserId } : {}),
  });

  return asUser(deps.db, userId, async (tx) => {
    const existing = state.reconnect_id
      ? await repo.findConnection(tx, state.reconnect_id, { forUpdate: true })
      : await repo.findByAccount(tx, userId, platform, profile.platformUserId);
    if (state.reconnect_id) {
      if (!existing) throw notFound("Connection");
      if (existing.platform_account_id !== profile.platformUserId) {
        throw new DomainError(
          "PRECONDITION_FAILED",
          `You signed in to ${nameOf(platform)} as @${profile.username}, but this connection is @${existing.username}. Sign in as @${existing.username} to reconnect it, or connect @${profile.username} as a new account.`,
        );
      }
    }
    const id = existing?.id ?? randomUUID();
    const row = { id, user_id: userId };
    const values: repo.ConnectionValues = {
      username: profile.username.slice(0, 320) || profile.platformUserId,
      display_name: (profile.displayName || profile.username).slice(0, 320),
      avatar_url: profile.avatarUrl?.slice(0, 2000) ?? null,
      scopes: tokens.scopes,
      access_token_sealed: sealText(deps.keyRing, tokens.accessToken, connectionAad(row, "access")),
      // A platform that sends no new refresh token on re-consent leaves the one we have in force.
      refresh_token_sealed: tokens.refreshToken
        ? sealText(deps.keyRing, tokens.refreshToken, connectionAad(row, "refresh"))
        : (existing?.refresh_token_sealed ?? null),
      access_expires_at: tokens.expiresAt,
    };
    if (existing) return repo.replaceCredentials(tx, existing.id, values);
    return repo.insertConnection(tx, {
      ...values,
      id,
      user_id: userId,
      platform,
      platform_account_id: profile.platformUserId,
    });
  });
}

// ---- WordPress ----

/**
 * The server fetches the site the user names: outside the sandbox/dev setting, refuse addresses on
 * private networks so the WordPress form cannot be used to probe the server's own network. This check
 * gives the person a clear answer early; the one that counts runs when each connection is opened
 * (the WordPress adapter's fetch, platforms/public-address.ts), so a name re-pointed after this check
 * (DNS rebinding) is refused too.
 */
async function assertPublicSite(deps: ConnectionsDeps, siteUrl: string): Promise<void> {
  const host = new URL(siteUrl).hostname.replace(/^\[|\]$/g, "");
  try {
    await publicAddressesOf(host, deps.publishing.resolveHost);
  } catch (error) {
    if (!(error instanceof PrivateAddressError)) {
      throw new DomainError("INVALID_INPUT", `Could not find ${host}. Check your site's address.`, { field: "siteUrl" });
    }
    throw new DomainError(
      "INVALID_INPUT",
      `${host} is on a private network; Inkwell can only publish to a WordPress site reachable on the internet.`,
      { field: "siteUrl" },
    );
  }
}

function normaliseSiteUrl(raw: string, allowInsecure: boolean): string {
  const url = new URL(raw);
  if (url.protocol !== "https:" && !allowInsecure) {
    throw new DomainError(
      "INVALID_INPUT",
      "Use your site's https:// address: WordPress application passwords must not travel unencrypted.",
      { field: "siteUrl" },
    );
  }
  url.hash = "";
  url.search = "";
  return url.toString().replace(/\/+$/, "");
}

/** Checks the site URL and application password against the site itself, then stores them (sealed). */
export async function connectWordPress(deps: ConnectionsDeps, userId: string, input: ConnectWordPressInput): Promise<Connection> {
  const siteUrl = normaliseSiteUrl(input.siteUrl, deps.publishing.allowInsecureSites);
  if (!deps.publishing.allowInsecureSites) await assertPublicSite(deps, siteUrl);
  const credentials: WordPressCredentials = { siteUrl, username: input.username, applicationPassword: input.applicationPassword };
  let profile: Awaited<ReturnType<typeof deps.publishing.adapters.wordpress.profile>>;
  try {
    profile = await deps.publishing.adapters.wordpress.profile(credentials);
  } catch (error) {
    if (!isPlatformError(error)) throw error;
    if (error.kind === "auth") {
      throw new DomainError(
        "INVALID_INPUT",
        `${siteUrl} refused the username or application password. Check both (create an application password under Users → Profile in WordPress) and try again.`,
        { field: "applicationPassword" },
      );
    }
    if (error.status === 404) {
      throw new DomainError(
        "INVALID_INPUT",
        `${siteUrl} does not look like a WordPress site with the REST API (no /wp-json/wp/v2/users/me). Check the address.`,
        { field: "siteUrl" },
      );
    }
    if (error.kind === "permanent") throw new DomainError("INVALID_INPUT", error.message, { field: "siteUrl" });
    throw new DomainError("UPSTREAM_FAILED", `Could not reach ${siteUrl}: ${error.message}`);
  }
  const accountId = `${siteUrl}#${profile.platformUserId}`;
  return asUser(deps.db, userId, async (tx) => {
    const existing = await repo.findByAccount(tx, userId, "wordpress", accountId);
    const id = existing?.id ?? randomUUID();
    const values: repo.ConnectionValues = {
      username: profile.username.slice(0, 320) || input.username,
      display_name: (profile.displayName || profile.username).slice(0, 320),
      avatar_url: profile.avatarUrl?.slice(0, 2000) ?? null,
      site_url: siteUrl,
      site_username: input.username,
      app_password_sealed: sealText(
        deps.keyRing,
        input.applicationPassword,
        connectionAad({ id, user_id: userId }, "app_password"),
      ),
    };
    if (existing) return repo.replaceCredentials(tx, existing.id, values);
    return repo.insertConnection(tx, { ...values, id, user_id: userId, platform: "wordpress", platform_account_id: accountId });
  });
}

// ---- disconnect ----

/**
 * Revokes the tokens at the platform where it offers that (best effort: a platform that is down must
 * not keep the account connected here), then deletes the connection.
 */
export async function disconnect(deps: ConnectionsDeps, userId: string, connectionId: string): Promise<void> {
  const row = await asUser(deps.db, userId, (tx) => repo.findConnection(tx, connectionId));
  if (!row) throw notFound("Connection");
  if (isOAuth(row.platform) && deps.publishing.configured[row.platform]) {
    const adapter = deps.publishing.adapters[row.platform];
    const tokens = [
      row.refresh_token_sealed ? openText(deps.keyRing, row.refresh_token_sealed, connectionAad(row, "refresh")) : null,
      row.access_token_sealed ? openText(deps.keyRing, row.access_token_sealed, connectionAad(row, "access")) : null,
    ];
    for (const token of new Set(tokens)) {
      if (!token || !adapter.revoke) continue;
      await adapter.revoke({ token }, { signal: AbortSignal.timeout(5_000) }).catch((error: unknown) => {
        deps.log?.warn(
          { err: error, connectionId, platform: row.platform },
          "token revocation failed (connection deleted anyway)",
        );
      });
    }
  }
  const deleted = await asUser(deps.db, userId, (tx) => repo.deleteConnection(tx, connectionId));
  if (!deleted) throw notFound("Connection");
}

// ---- refresh ----

export type RefreshOutcome = "refreshed" | "not_due" | "busy" | "needs_reauth" | "gone" | "failed";

const leaseSecondsFor = (deps: ConnectionsDeps, platform: OAuthPlatform) =>
  Math.ceil((deps.publishing.platforms[platform].timeoutMs * 3) / 1000) + 30;

/** The user-facing warning for a connection that must be re-authorised. */
async function warnNeedsReauth(deps: ConnectionsDeps, row: repo.ConnectionRow, reason: string): Promise<void> {
  // Counted in its own transaction: a failure to count must not undo the marking.
  const due = await asSystem(deps.db, (tx) => repo.pendingPosts(tx, row.id)).catch(() => null);
  const name = nameOf(row.platform);
  const next = due?.nextAt ? ` The next is due ${due.nextAt.toISOString().slice(0, 16).replace("T", " ")} UTC.` : "";
  const posts =
    due === null
      ? "Scheduled posts on this account cannot be published until you reconnect it."
      : due.count === 0
        ? "No posts are scheduled on it right now."
        : `${due.count} scheduled post${due.count === 1 ? " is" : "s are"} waiting on it and cannot be published until you reconnect it.${next}`;
  await asSystem(deps.db, (tx) =>
    notifications.notify(tx, {
      userId: row.user_id,
      kind: "publishing.connection_needs_reauth",
      title: `Reconnect ${name} (@${row.username})`,
      body: `${name} no longer accepts Inkwell's sign-in for @${row.username} (${reason.slice(0, 300)}). ${posts} Open Publishing → Connections and choose Reconnect.`,
      dedupeKey: `publishing.needs-reauth:${row.id}:${row.token_version}`,
    }),
  );
}

/**
 * Renews a connection's access token if it is due (`force` skips that check), holding the
 * connection's refresh lease so no other process calls the platform's token endpoint meanwhile.
 * Transient failures are recorded and rethrown (the job retries); a refused grant marks the
 * connection needs_reauth and warns the user.
 */
export async function refreshConnection(
  deps: ConnectionsDeps,
  connectionId: string,
  options: { force?: boolean; dueWithinSeconds?: number } = {},
): Promise<RefreshOutcome> {
  const leaseId = randomUUID();
  const probe = await asSystem(deps.db, (tx) => repo.findConnection(tx, connectionId));
  if (!probe) return "gone";
  if (probe.status !== "active") return "needs_reauth";
  if (!isOAuth(probe.platform)) return "not_due";
  const platform = probe.platform;
  const due = options.force ? null : (options.dueWithinSeconds ?? REFRESH_AHEAD_SECONDS[platform]);
  const row = await asSystem(deps.db, (tx) =>
    repo.claimRefreshLease(tx, connectionId, leaseId, leaseSecondsFor(deps, platform), due),
  );
  if (!row) {
    const now = await asSystem(deps.db, (tx) => repo.findConnection(tx, connectionId));
    if (!now) return "gone";
    if (now.status !== "active") return "needs_reauth";
    return now.refresh_lease_until && now.refresh_lease_until.getTime() > Date.now() ? "busy" : "not_due";
  }

  if (!row.refresh_token_sealed) {
    const expired = !row.access_expires_at || row.access_expires_at.getTime() <= Date.now();
    if (!expired) {
      await asSystem(deps.db, (tx) => repo.releaseLease(tx, row.id, leaseId));
      return "not_due";
    }
    const reason = "the sign-in expired and the platform gave us no way to renew it";
    const marked = await asSystem(deps.db, (tx) => repo.releaseWithError(tx, row.id, leaseId, reason, true));
    if (marked) await warnNeedsReauth(deps, marked, reason);
    return "needs_reauth";
  }

  try {
    const refreshToken = openText(deps.keyRing, row.refresh_token_sealed, connectionAad(row, "refresh"));
    const adapter = deps.publishing.adapters[platform];
    if (!deps.publishing.configured[platform]) {
      throw new PlatformError("transient", platform, `${nameOf(platform)} is not set up on this server.`);
    }
    const tokens = await adapter.refresh({ refreshToken });
    const saved = await asSystem(deps.db, (tx) =>
      repo.saveRefreshed(tx, row.id, leaseId, {
        access_token_sealed: sealText(deps.keyRing, tokens.accessToken, connectionAad(row, "access")),
        // Platforms that do not rotate refresh tokens send none back: keep ours.
        refresh_token_sealed: tokens.refreshToken
          ? sealText(deps.keyRing, tokens.refreshToken, connectionAad(row, "refresh"))
          : row.refresh_token_sealed,
        access_expires_at: tokens.expiresAt,
        scopes: tokens.scopes.length ? tokens.scopes : row.scopes,
      }),
    );
    if (!saved) deps.log?.error({ connectionId }, "refresh lease lost before the new tokens were saved");
    return "refreshed";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const auth = isPlatformError(error) && error.kind === "auth";
    const marked = await asSystem(deps.db, (tx) => repo.releaseWithError(tx, row.id, leaseId, message, auth));
    if (auth) {
      if (marked) await warnNeedsReauth(deps, marked, message);
      return "needs_reauth";
    }
    deps.log?.warn({ connectionId, platform, err: error }, "token refresh failed; the connection stays active and is retried");
    throw error;
  }
}

/**
 * The publisher's view of a connection: its platform credentials, renewed first when the access
 * token expires within NEAR_EXPIRY_SECONDS (under the refresh lease; a concurrent refresh is waited
 * for, never duplicated). Runs as system. Throws an `auth` PlatformError when the connection needs
 * re-authorising (do not retry), a `transient` one when it could not be renewed right now (retry).
 */
export type ConnectionCredentials =
  | {
      connectionId: string;
      userId: string;
      platform: OAuthPlatform;
      accessToken: string;
      platformUserId: string;
      credentials: OAuthCredentials;
    }
  | {
      connectionId: string;
      userId: string;
      platform: "wordpress";
      siteUrl: string;
      credentials: WordPressCredentials;
    };

export async function credentialsFor(
  deps: ConnectionsDeps,
  connectionId: string,
  options: { waitMs?: number } = {},
): Promise<ConnectionCredentials> {
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  let attempted = false;
  for (;;) {
    const row = await asSystem(deps.db, (tx) => repo.findConnection(tx, connectionId));
    if (!row) throw notFound("Connection");
    const platform = row.platform as PublishingPlatform;
    if (row.status !== "active") {
      throw new PlatformError(
        "auth",
        platform,
        `Your ${nameOf(platform)} connection @${row.username} needs to be reconnected (${row.last_error ?? "the sign-in is no longer valid"}).`,
      );
    }
    if (platform === "wordpress") {
      // Checked again on every use, not only when connected: a site's name can be pointed at a
      // private address afterwards, and the publisher would then POST to the server's own network.
      if (!deps.publishing.allowInsecureSites) {
        await assertPublicSite(deps, row.site_url as string).catch((error: unknown) => {
          throw new PlatformError(
            "permanent",
            platform,
            error instanceof DomainError
              ? `${error.message} Check the address of your WordPress connection ${row.site_url}.`
              : `Could not check the address of ${row.site_url}.`,
          );
        });
      }
      const credentials: WordPressCredentials = {
        siteUrl: row.site_url as string,
        username: row.site_username as string,
        applicationPassword: openText(deps.keyRing, row.app_password_sealed as string, connectionAad(row, "app_password")),
      };
      return { connectionId: row.id, userId: row.user_id, platform, siteUrl: credentials.siteUrl, credentials };
    }
    const expiresIn = row.access_expires_at ? row.access_expires_at.getTime() - Date.now() : 0;
    const usable = expiresIn > 0;
    if (expiresIn > NEAR_EXPIRY_SECONDS * 1000 || (attempted && usable)) {
      const accessToken = openText(deps.keyRing, row.access_token_sealed as string, connectionAad(row, "access"));
      const credentials: OAuthCredentials = { accessToken, platformUserId: row.platform_account_id };
      return {
        connectionId: row.id,
        userId: row.user_id,
        platform,
        accessToken,
        platformUserId: row.platform_account_id,
        credentials,
      };
    }
    if (attempted) {
      throw new PlatformError(
        "transient",
        platform,
        `Your ${nameOf(platform)} sign-in could not be renewed just now (${row.last_error ?? "try again shortly"}); we will try again.`,
      );
    }
    let outcome: RefreshOutcome;
    try {
      outcome = await refreshConnection(deps, connectionId, { dueWithinSeconds: NEAR_EXPIRY_SECONDS });
    } catch (error) {
      // A transient failure: an access token that still works is good enough for this call.
      if (!usable) throw error;
      outcome = "failed";
    }
    if (outcome === "busy") {
      // Another process holds the lease: wait for its result instead of refreshing twice.
      if (Date.now() > deadline) {
        throw new PlatformError("transient", platform, `Your ${nameOf(platform)} sign-in is being renewed; we will try again.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    attempted = true;
  }
}

/**
 * For the publisher: the platform refused the connection's access token (401, revoked). Marks it
 * needs_reauth and warns the user, once per credential generation.
 */
export async function reportAuthFailure(deps: ConnectionsDeps, connectionId: string, reason: string): Promise<void> {
  const marked = await asSystem(deps.db, (tx) => repo.markNeedsReauth(tx, connectionId, reason));
  if (marked) await warnNeedsReauth(deps, marked, reason);
}

/** The periodic sweep: enqueues a refresh for every active token expiring within its platform's window. */
export async function sweep(
  deps: ConnectionsDeps,
  /** Only these users' connections (tests that share a database with other suites). */
  options: { userIds?: string[] } = {},
): Promise<{ enqueued: number; statesDeleted: number }> {
  const enqueue = deps.enqueue;
  if (!enqueue) throw new Error("connections.sweep needs deps.enqueue");
  return asSystem(deps.db, async (tx) => {
    const due = await repo.dueForRefresh(tx, REFRESH_AHEAD_SECONDS, options.userIds);
    for (const c of due) {
      await enqueue(tx, refreshConnectionJob, { connectionId: c.id }, { singletonKey: c.id });
    }
    // A sign-in that cannot be renewed (LinkedIn without refresh tokens): warn a week ahead, once.
    for (const row of await repo.expiringWithoutRefresh(tx, EXPIRY_WARNING_SECONDS, options.userIds)) {
      const name = nameOf(row.platform);
      const when = (row.access_expires_at as Date).toISOString().slice(0, 10);
      await notifications.notify(tx, {
        userId: row.user_id,
        kind: "publishing.connection_expiring",
        title: `Reconnect ${name} (@${row.username}) before ${when}`,
        body: `${name} does not let Inkwell renew this sign-in: it ends on ${when} (UTC). Reconnect it under Publishing → Connections before then so scheduled posts keep going out.`,
        dedupeKey: `publishing.expiring:${row.id}:${row.token_version}`,
      });
    }
    const statesDeleted = await repo.deleteStaleStates(tx);
    return { enqueued: due.length, statesDeleted };
  });
}
