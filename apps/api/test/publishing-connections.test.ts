/**
 * Publishing connections against the sandbox platform: the OAuth sign-in driven over HTTP (the
 * sandbox's authorize step, then our /oauth/callback route), state checks, sealed tokens, refresh
 * (rotation, one platform call under concurrency, transient vs revoked), reconnect, WordPress, disconnect.
 */
import { type AddressInfo, createServer } from "node:net";
import { type ConnectionsDeps, connections } from "@inkwell/domain/connections";
import type { PlatformKind } from "@inkwell/domain/platforms";
import { isPlatformError, sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectTrpcError, type Harness, startHarnessWithSandbox } from "./harness.ts";

type Started = Awaited<ReturnType<typeof startHarnessWithSandbox>>;
type User = Awaited<ReturnType<Harness["signUp"]>>;

let env: Started;
let h: Harness;
let deps: ConnectionsDeps;

beforeAll(async () => {
  env = await startHarnessWithSandbox({ connectionJobs: true });
  h = env.h;
  deps = { db: h.db, keyRing: h.deps.keyRing, publishing: h.deps.publishing, log: h.deps.log };
});
afterAll(() => env.stop());

/** Runs the browser's part: our authorize URL → the sandbox (auto-approves) → the callback URL it redirects to. */
async function authorize(
  user: User,
  platform: "x" | "linkedin" | "threads",
  options: { reconnectId?: string; account?: string } = {},
) {
  const { authorizeUrl } = await user.caller.publishing.connections.startOAuth({
    platform,
    ...(options.reconnectId ? { reconnectId: options.reconnectId } : {}),
  });
  const url = new URL(authorizeUrl);
  if (options.account) url.searchParams.set("sandbox_account", options.account);
  const approved = await fetch(url, { redirect: "manual" });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get("location") as string);
  expect(callback.origin + callback.pathname).toBe(`http://app.test/oauth/callback/${platform}`);
  return { authorizeUrl: url, callback: `${callback.pathname}${callback.search}` };
}

/** Our callback route, as the signed-in browser would reach it; returns the connections-page redirect. */
async function callback(user: User, path: string) {
  const res = await h.app.request(path, { headers: { authorization: `Bearer ${user.token}` } });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location") as string, "http://app.test");
  expect(location.pathname).toBe("/publishing/connections");
  return { connected: location.searchParams.get("connected"), error: location.searchParams.get("error") };
}

async function connect(user: User, platform: "x" | "linkedin" | "threads", options: { account?: string } = {}) {
  const { callback: path } = await authorize(user, platform, options);
  const result = await callback(user, path);
  expect(result.error).toBeNull();
  return result.connected as string;
}

async function rowOf(id: string) {
  const r = await h.raw(sql`SELECT * FROM social_connections WHERE id = ${id}`);
  return r.rows[0] as Record<string, unknown>;
}

const accountOf = (platform: PlatformKind) => env.sandbox.defaultAccount(platform).accountId;
const tokenCalls = (grant: string) =>
  env.sandbox.requests.filter(
    (r) =>
      /oauth2\/token$|accessToken$|refresh_access_token$/.test(r.path) && (r.body.grant_type ?? r.query.grant_type) === grant,
  ).length;

describe("connecting with OAuth (sandbox)", () => {
  it.each(["x", "linkedin", "threads"] as const)(
    "connects %s: PKCE + state, profile from the platform, no token to the browser",
    async (platform) => {
      const user = await h.signUp(`oauth-${platform}`);
      const { authorizeUrl, callback: path } = await authorize(user, platform);
      expect(authorizeUrl.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
      expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
      expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`http://app.test/oauth/callback/${platform}`);

      const { connected, error } = await callback(user, path);
      expect(error).toBeNull();
      const list = await user.caller.publishing.connections.list();
      expect(list).toHaveLength(1);
      const account = env.sandbox.defaultAccount(platform);
      expect(list[0]).toMatchObject({
        id: connected,
        platform,
        username: account.username,
        displayName: account.displayName,
        avatarUrl: account.avatarUrl,
        status: "active",
        lastError: null,
      });
      expect(list[0]?.accessExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 3_600_000 - 60_000);
      expect(JSON.stringify(list)).not.toMatch(/sbx_|token|sealed/i);

      // The stored token works at the platform.
      const creds = await connections.credentialsFor(deps, connected as string);
      expect(creds.platform).toBe(platform);
      if (creds.platform === "wordpress") throw new Error("unexpected");
      const profile = await h.deps.publishing.adapters[platform].profile(creds.credentials);
      expect(profile.username).toBe(account.username);
    },
  );

  it("stores tokens sealed: the row holds no plaintext token, and a sealed value does not open on another row", async () => {
    const user = await h.signUp("sealed");
    const before = env.sandbox.requests.length;
    const id = await connect(user, "x");
    // The plaintext access token, as the sandbox saw it on the profile request.
    const me = env.sandbox.requests.slice(before).find((r) => r.path === "/x/2/users/me");
    const accessToken = String(me?.headers.authorization).replace(/^Bearer /, "");
    expect(accessToken).toMatch(/^sbx_x_access_/);
    const row = await rowOf(id);
    expect(JSON.stringify(row)).not.toContain(accessToken);
    expect(JSON.stringify(row)).not.toMatch(/sbx_x_(access|refresh)_/);
    expect(row.access_token_sealed).toMatch(/^t1:/);
    expect(row.refresh_token_sealed).toMatch(/^t1:/);

    // Copy the sealed token onto another user's connection: it must not open there.
    const other = await h.signUp("sealed-other");
    const otherId = await connect(other, "x");
    await h.raw(
      sql`UPDATE social_connections SET access_token_sealed = ${row.access_token_sealed as string} WHERE id = ${otherId}`,
    );
    await expect(connections.credentialsFor(deps, otherId)).rejects.toThrow();
  });

  it("connects several accounts per platform; connecting the same account again renews it", async () => {
    const user = await h.signUp("multi");
    const second = env.sandbox.addAccount("x", `second_${Date.now()}`, "Second Account");
    const first = await connect(user, "x");
    const other = await connect(user, "x", { account: second.username });
    expect(other).not.toBe(first);
    const again = await connect(user, "x");
    expect(again).toBe(first);
    const list = await user.caller.publishing.connections.list();
    expect(list.map((c) => c.username).sort()).toEqual([env.sandbox.defaultAccount("x").username, second.username].sort());
  });

  it("refuses a forged state, a replayed callback, an expired state and another user's state", async () => {
    const user = await h.signUp("state");
    const { callback: path } = await authorize(user, "x");

    const forged = path.replace(/state=[^&]+/, "state=forged-state-value-1234567890");
    expect((await callback(user, forged)).error).toMatch(/could not be verified/);

    // Someone else's browser cannot finish this user's sign-in (and does not use it up).
    const intruder = await h.signUp("state-intruder");
    expect((await callback(intruder, path)).error).toMatch(/could not be verified/);
    expect(await intruder.caller.publishing.connections.list()).toEqual([]);

    expect((await callback(user, path)).connected).toBeTruthy();
    expect((await callback(user, path)).error).toMatch(/could not be verified/);

    const { callback: late } = await authorize(user, "linkedin");
    await h.raw(
      sql`UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE used_at IS NULL AND user_id = ${user.me.id}`,
    );
    expect((await callback(user, late)).error).toMatch(/could not be verified/);

    // The platform saying no comes back as a message.
    const { callback: declined } = await authorize(user, "threads");
    const denied = declined.replace(/code=[^&]+/, "error=access_denied");
    expect((await callback(user, denied)).error).toMatch(/Threads did not connect: access was not granted/);

    // No session: asked to sign in.
    const anon = await h.app.request(path);
    expect(new URL(anon.headers.get("location") as string, "http://app.test").searchParams.get("error")).toMatch(/sign in/);
  });

  it("bounds the sign-ins a user can have in progress", async () => {
    const user = await h.signUp("states");
    for (let i = 0; i < 20; i++) await user.caller.publishing.connections.startOAuth({ platform: "x" });
    await expectTrpcError(user.caller.publishing.connections.startOAuth({ platform: "x" }), "TOO_MANY_REQUESTS");
    // Expired ones do not count.
    await h.raw(sql`UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE user_id = ${user.me.id}`);
    await expect(user.caller.publishing.connections.startOAuth({ platform: "x" })).resolves.toHaveProperty("authorizeUrl");
  });
});

describe("token refresh", () => {
  it("rotates the tokens, and the new access token works", async () => {
    const user = await h.signUp("rotate");
    const id = await connect(user, "x");
    const before = await rowOf(id);
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("refreshed");
    const after = await rowOf(id);
    expect(after.access_token_sealed).not.toBe(before.access_token_sealed);
    expect(after.refresh_token_sealed).not.toBe(before.refresh_token_sealed);
    expect(after.token_version).toBe((before.token_version as number) + 1);
    expect(env.sandbox.liveTokens(accountOf("x")).refresh).toBeGreaterThanOrEqual(1);
    const creds = await connections.credentialsFor(deps, id);
    if (creds.platform === "wordpress") throw new Error("unexpected");
    await expect(h.deps.publishing.adapters.x.profile(creds.credentials)).resolves.toMatchObject({
      username: env.sandbox.defaultAccount("x").username,
    });
    // A second rotation uses the new refresh token (the old one would revoke the grant).
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("refreshed");
    expect((await rowOf(id)).status).toBe("active");
  });

  it("refreshes Threads' long-lived token (no separate refresh token)", async () => {
    const user = await h.signUp("threads-refresh");
    const id = await connect(user, "threads");
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("refreshed");
    const creds = await connections.credentialsFor(deps, id);
    if (creds.platform === "wordpress") throw new Error("unexpected");
    await expect(h.deps.publishing.adapters.threads.profile(creds.credentials)).resolves.toBeTruthy();
  });

  it("concurrent refreshes of a rotating token make one platform call", async () => {
    const user = await h.signUp("concurrent");
    const id = await connect(user, "x");
    const calls = tokenCalls("refresh_token");
    // Slow enough that every caller arrives while the first still holds the lease, even on a busy machine.
    env.sandbox.slow(1_500);
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => connections.refreshConnection(deps, id, { force: true })),
      );
      expect(outcomes.filter((o) => o === "refreshed")).toHaveLength(1);
      expect(outcomes.filter((o) => o === "busy")).toHaveLength(4);
    } finally {
      env.sandbox.slow(0);
    }
    expect(tokenCalls("refresh_token") - calls).toBe(1);
    expect((await rowOf(id)).status).toBe("active");

    // Publishers asking for credentials of a token about to expire: one refresh, all get the new token.
    await h.raw(sql`UPDATE social_connections SET access_expires_at = now() + interval '1 minute' WHERE id = ${id}`);
    const again = tokenCalls("refresh_token");
    env.sandbox.slow(200);
    try {
      const creds = await Promise.all(Array.from({ length: 4 }, () => connections.credentialsFor(deps, id)));
      const tokens = new Set(creds.map((c) => (c.platform === "wordpress" ? "" : c.accessToken)));
      expect(tokens.size).toBe(1);
    } finally {
      env.sandbox.slow(0);
    }
    expect(tokenCalls("refresh_token") - again).toBe(1);
    const row = await rowOf(id);
    expect((row.access_expires_at as Date).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
  });

  it("a transient error (5xx, 429, network) keeps the connection active and is retried", async () => {
    const user = await h.signUp("transient");
    const id = await connect(user, "linkedin");
    env.sandbox.failNext(1, { status: 503, path: /accessToken$/ });
    const error = await connections.refreshConnection(deps, id, { force: true }).catch((e: unknown) => e);
    expect(isPlatformError(error) && error.kind).toBe("transient");
    let row = await rowOf(id);
    expect(row.status).toBe("active");
    expect(row.last_error).toMatch(/temporary problem \(503\)/);
    expect(row.refresh_lease_id).toBeNull();

    env.sandbox.failNext(1, { status: 429, retryAfterSeconds: 1, path: /accessToken$/ });
    await expect(connections.refreshConnection(deps, id, { force: true })).rejects.toMatchObject({ kind: "transient" });
    expect((await rowOf(id)).status).toBe("active");

    // A token still valid is handed out despite a failing refresh.
    await h.raw(sql`UPDATE social_connections SET access_expires_at = now() + interval '2 minutes' WHERE id = ${id}`);
    env.sandbox.failNext(1, { status: 502, path: /accessToken$/ });
    const creds = await connections.credentialsFor(deps, id);
    expect(creds.platform).toBe("linkedin");

    // The next attempt succeeds and clears the error; nothing was marked for reconnecting.
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("refreshed");
    row = await rowOf(id);
    expect(row).toMatchObject({ status: "active", last_error: null });
    const notes = await h.asSystem((tx) =>
      tx.selectFrom("notifications").select("kind").where("user_id", "=", user.me.id).execute(),
    );
    expect(notes).toEqual([]);
  });

  it("a timeout or an unreachable platform is not a revoked token either", async () => {
    const user = await h.signUp("timeout");
    const id = await connect(user, "x");
    // The same sandbox with a 1 s timeout: the token endpoint never answers.
    const impatient = { ...deps, publishing: sandboxPublishingRuntime(env.sandbox.url, null, 1_000) };
    env.sandbox.hangNext(1, { path: /oauth2\/token$/ });
    await expect(connections.refreshConnection(impatient, id, { force: true })).rejects.toMatchObject({ kind: "unknown" });
    expect(await rowOf(id)).toMatchObject({ status: "active", refresh_lease_id: null });

    // Nothing listening at all (a port that was free a moment ago).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const unreachable = { ...deps, publishing: sandboxPublishingRuntime(`http://127.0.0.1:${port}`, null, 1_000) };
    await expect(connections.refreshConnection(unreachable, id, { force: true })).rejects.toMatchObject({ kind: "transient" });
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: "active" });
    expect(row.last_error).toMatch(/Could not reach X/);
  });

  it("a revoked grant marks the connection needs_reauth and warns the user", async () => {
    const user = await h.signUp("revoked");
    const account = env.sandbox.addAccount("x", `revoked_${Date.now()}`, "Revoked Account");
    const id = await connect(user, "x", { account: account.username });
    // Two posts scheduled on it (tomorrow, UTC): the warning names them and the next one's time.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const [n, time] of [
      [1, "09:30"],
      [2, "15:00"],
    ] as const) {
      await user.caller.publishing.posts.compose({
        channels: [{ connectionId: id, parts: [`Scheduled post ${n}`] }],
        when: { kind: "at", local: `${tomorrow}T${time}`, timeZone: "UTC" },
        idempotencyKey: `revoked-${id}-${n}`,
      });
    }
    env.sandbox.revokeAccount(account.accountId);
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("needs_reauth");
    const [connection] = await user.caller.publishing.connections.list();
    expect(connection).toMatchObject({ id, status: "needs_reauth" });
    expect(connection?.lastError).toMatch(/Reconnect X/);
    const notes = await user.caller.notifications.list({});
    expect(notes).toHaveLength(1);
    expect(notes[0]?.title).toBe(`Reconnect X (@${account.username})`);
    expect(notes[0]?.body).toMatch(/Publishing → Connections/);
    expect(notes[0]?.body).toContain(`2 scheduled posts are waiting on it`);
    expect(notes[0]?.body).toContain(`The next is due ${tomorrow} 09:30 UTC.`);
    // The publisher is told not to retry.
    await expect(connections.credentialsFor(deps, id)).rejects.toMatchObject({ kind: "auth" });
    // Asking again does not notify twice.
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("needs_reauth");
    expect(await user.caller.notifications.list({})).toHaveLength(1);
  });

  it("the sweep renews tokens that expire soon, through the refresh job", async () => {
    const user = await h.signUp("sweep");
    const id = await connect(user, "x");
    await h.raw(sql`UPDATE social_connections SET access_expires_at = now() + interval '10 minutes' WHERE id = ${id}`);
    const before = (await rowOf(id)).token_version as number;
    const swept = await connections.sweep({ ...deps, enqueue: h.deps.enqueue }, { userIds: [user.me.id] });
    expect(swept.enqueued).toBe(1);
    const row = await vi.waitFor(
      async () => {
        const renewed = await rowOf(id);
        expect(renewed.token_version, "the refresh job to renew the token").toBe(before + 1);
        return renewed;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect((row.access_expires_at as Date).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
  });

  it("a sign-in that cannot be renewed is warned about a week ahead, then marked at expiry", async () => {
    const user = await h.signUp("no-refresh");
    env.sandbox.withholdRefreshTokens(true);
    let id: string;
    try {
      id = await connect(user, "linkedin");
    } finally {
      env.sandbox.withholdRefreshTokens(false);
    }
    expect((await rowOf(id)).refresh_token_sealed).toBeNull();
    await h.raw(sql`UPDATE social_connections SET access_expires_at = now() + interval '3 days' WHERE id = ${id}`);
    const sweepDeps = { ...deps, enqueue: h.deps.enqueue };
    await connections.sweep(sweepDeps, { userIds: [user.me.id] });
    await connections.sweep(sweepDeps, { userIds: [user.me.id] });
    let notes = await user.caller.notifications.list({});
    expect(notes.map((n) => n.title)).toEqual([expect.stringMatching(/^Reconnect LinkedIn \(@.+\) before \d{4}-\d{2}-\d{2}$/)]);
    expect(await connections.refreshConnection(deps, id)).toBe("not_due");

    await h.raw(sql`UPDATE social_connections SET access_expires_at = now() - interval '1 minute' WHERE id = ${id}`);
    expect(await connections.refreshConnection(deps, id)).toBe("needs_reauth");
    notes = await user.caller.notifications.list({});
    expect(notes).toHaveLength(2);
    expect((await rowOf(id)).status).toBe("needs_reauth");
  });
});

describe("reconnecting", () => {
  it("renews the same connection and keeps the stored refresh token when the platform sends none", async () => {
    const user = await h.signUp("reconnect");
    const id = await connect(user, "x");
    // The token endpoint refuses the grant once: the connection needs re-authorising.
    env.sandbox.failNext(1, { status: 400, path: /oauth2\/token$/, message: "invalid_grant" });
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("needs_reauth");
    const stored = (await rowOf(id)).refresh_token_sealed;

    env.sandbox.withholdRefreshTokens(true);
    try {
      const { callback: path } = await authorize(user, "x", { reconnectId: id });
      expect(await callback(user, path)).toEqual({ connected: id, error: null });
    } finally {
      env.sandbox.withholdRefreshTokens(false);
    }
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: "active", last_error: null, refresh_token_sealed: stored });
    // The kept refresh token still renews the sign-in.
    expect(await connections.refreshConnection(deps, id, { force: true })).toBe("refreshed");
    expect(await user.caller.publishing.connections.list()).toHaveLength(1);
  });

  it("refuses to reconnect with a different account", async () => {
    const user = await h.signUp("reconnect-other");
    const id = await connect(user, "x");
    const other = env.sandbox.addAccount("x", `other_${Date.now()}`);
    const { callback: path } = await authorize(user, "x", { reconnectId: id, account: other.username });
    expect((await callback(user, path)).error).toMatch(/Sign in as @/);
  });
});

describe("WordPress", () => {
  it("connects with a site URL and application password checked against the site", async () => {
    const user = await h.signUp("wp");
    const wp = env.sandbox.wordpress;
    const connection = await user.caller.publishing.connections.connectWordPress({
      siteUrl: `${wp.siteUrl}/`,
      username: wp.username,
      applicationPassword: wp.applicationPassword,
    });
    expect(connection).toMatchObject({ platform: "wordpress", siteUrl: wp.siteUrl, username: wp.username, status: "active" });
    const row = await rowOf(connection.id);
    expect(JSON.stringify(row)).not.toContain(wp.applicationPassword);
    const creds = await connections.credentialsFor(deps, connection.id);
    expect(creds).toMatchObject({ platform: "wordpress", siteUrl: wp.siteUrl });
    if (creds.platform !== "wordpress") throw new Error("unexpected");
    expect(creds.credentials.applicationPassword).toBe(wp.applicationPassword);
  });

  it("a wrong application password gets a clear message", async () => {
    const user = await h.signUp("wp-bad");
    const wp = env.sandbox.wordpress;
    const error = await expectTrpcError(
      user.caller.publishing.connections.connectWordPress({
        siteUrl: wp.siteUrl,
        username: wp.username,
        applicationPassword: "wrong pass word abcd efgh",
      }),
      "BAD_REQUEST",
    );
    expect(error.message).toMatch(/refused the username or application password/);
    const notWordPress = await expectTrpcError(
      user.caller.publishing.connections.connectWordPress({
        siteUrl: `${env.sandbox.url}/not-wordpress`,
        username: wp.username,
        applicationPassword: wp.applicationPassword,
      }),
      "BAD_REQUEST",
    );
    expect(notWordPress.message).toMatch(/does not look like a WordPress site/);
    expect(await user.caller.publishing.connections.list()).toEqual([]);
  });
});

describe("WordPress outside the sandbox", () => {
  it("needs https and refuses sites on private networks", async () => {
    const user = await h.signUp("wp-public");
    const strict = { ...deps, publishing: { ...deps.publishing, allowInsecureSites: false } };
    const input = { username: "editor", applicationPassword: "abcd efgh ijkl mnop qrst uvwx" };
    await expect(connections.connectWordPress(strict, user.me.id, { ...input, siteUrl: "http://blog.example" })).rejects.toThrow(
      /https:\/\//,
    );
    for (const siteUrl of ["https://127.0.0.1:8443", "https://localhost", "https://[::1]", "https://169.254.169.254"]) {
      await expect(connections.connectWordPress(strict, user.me.id, { ...input, siteUrl }), siteUrl).rejects.toThrow(
        /private network/,
      );
    }
    expect(await user.caller.publishing.connections.list()).toEqual([]);
  });

  it("a site whose address later points at a private network is refused when its credentials are used, not only when connected", async () => {
    const user = await h.signUp("wp-rebound");
    const wp = env.sandbox.wordpress;
    // Connected while allowed (here: the sandbox on 127.0.0.1 stands in for a name since re-pointed there).
    const connection = await connections.connectWordPress(deps, user.me.id, {
      siteUrl: wp.siteUrl,
      username: wp.username,
      applicationPassword: wp.applicationPassword,
    });
    const strict = { ...deps, publishing: { ...deps.publishing, allowInsecureSites: false } };
    const refused = await connections.credentialsFor(strict, connection.id).then(
      () => undefined,
      (e: unknown) => e as Error & { kind?: string },
    );
    expect(refused?.kind).toBe("permanent");
    expect(refused?.message).toMatch(/private network/);
    expect(refused?.message).not.toContain(wp.applicationPassword);
  });
});

describe("disconnecting and isolation", () => {
  it("revokes at the platform, then deletes", async () => {
    const user = await h.signUp("disconnect");
    const account = env.sandbox.addAccount("linkedin", `disc_${Date.now()}@inkwell.invalid`);
    const id = await connect(user, "linkedin", { account: account.username });
    expect(env.sandbox.liveTokens(account.accountId).access).toBe(1);
    await user.caller.publishing.connections.disconnect({ connectionId: id });
    expect(env.sandbox.liveTokens(account.accountId)).toEqual({ access: 0, refresh: 0 });
    expect(await user.caller.publishing.connections.list()).toEqual([]);
    await expectTrpcError(user.caller.publishing.connections.disconnect({ connectionId: id }), "NOT_FOUND");
  });

  it("disconnects even when the platform is down", async () => {
    const user = await h.signUp("disconnect-down");
    const id = await connect(user, "x");
    env.sandbox.failNext(2, { status: 503, path: /revoke$/ });
    await user.caller.publishing.connections.disconnect({ connectionId: id });
    expect(await user.caller.publishing.connections.list()).toEqual([]);
  });

  it("another user's connection is NOT_FOUND", async () => {
    const owner = await h.signUp("iso-owner");
    const intruder = await h.signUp("iso-intruder");
    const id = await connect(owner, "threads");
    await expectTrpcError(intruder.caller.publishing.connections.disconnect({ connectionId: id }), "NOT_FOUND");
    await expectTrpcError(
      intruder.caller.publishing.connections.startOAuth({ platform: "threads", reconnectId: id }),
      "NOT_FOUND",
    );
    expect(await intruder.caller.publishing.connections.list()).toEqual([]);
    expect(await owner.caller.publishing.connections.list()).toHaveLength(1);
  });

  it("system.info says publishing goes to the sandbox", async () => {
    const info = await h.anon().system.info();
    expect(info.publishing).toEqual({ sandbox: true, sandboxFeedUrl: `${env.sandbox.url}/sandbox/feed` });
  });
});
