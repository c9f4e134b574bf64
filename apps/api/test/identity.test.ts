import { ARGON2_PARAMS, passwordResetMailJob } from "@inkwell/domain/identity";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { hash } from "@node-rs/argon2";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe("sign up and e-mail verification", () => {
  it("creates the account with its welcome credits, mails a confirmation link that works once", async () => {
    const { email, caller, me } = await h.signUp("verify");
    expect(me).toMatchObject({ email, emailVerified: false, role: "user", subscriptionTier: "free", displayName: "verify" });

    // Seed 004: a new account starts with 5,000 credits.
    expect(await caller.credits.balance()).toMatchObject({ available: 5000, held: 0 });
    const [welcome] = await caller.credits.history({});
    expect(welcome).toMatchObject({ type: "grant", amount: 5000 });

    const token = await h.linkToken(email, "verify-email");
    await h.anon().auth.verifyEmail({ token });
    expect((await caller.auth.me())?.emailVerified).toBe(true);

    const used = await expectTrpcError(h.anon().auth.verifyEmail({ token }), "BAD_REQUEST");
    expect(used.message).toMatch(/invalid, used or expired/);
  });

  it("refuses an expired confirmation link", async () => {
    const { email } = await h.signUp("expired");
    const token = await h.linkToken(email, "verify-email");
    await h.raw(sql`UPDATE user_tokens SET expires_at = now() - interval '1 second'
                    WHERE user_id = (SELECT id FROM users WHERE email = ${email})`);
    await expectTrpcError(h.anon().auth.verifyEmail({ token }), "BAD_REQUEST");
  });

  it("refuses a common password and a short one, naming the field", async () => {
    const common = await expectTrpcError(
      h.anon("10.9.9.2").auth.signUp({ email: h.uniqueEmail(), password: "password123" }),
      "BAD_REQUEST",
    );
    expect(common.message).toMatch(/too common/);

    const short = (await expectTrpcError(
      h.anon("10.9.9.3").auth.signUp({ email: "not-an-email", password: "short" }),
      "BAD_REQUEST",
    )) as unknown as { cause: { issues: { path: string[]; message: string }[] } };
    const paths = short.cause.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["email", "password"]));
  });

  it("accepts a long passphrase in full (nothing truncated)", async () => {
    const base = "a".repeat(200);
    const { email } = await h.signUp("long", `${base}X`);
    await expectTrpcError(h.anon("10.8.0.1").auth.signIn({ email, password: `${base}Y` }), "UNAUTHORIZED");
    const ok = await h.anon("10.8.0.2").auth.signIn({ email, password: `${base}X`, delivery: "bearer" });
    expect(ok.me.email).toBe(email);
  });
});

describe("sign in and sessions", () => {
  it("gives the same answer for an unknown e-mail and a wrong password", async () => {
    const { email } = await h.signUp("same");
    const wrong = await expectTrpcError(h.anon("10.7.0.1").auth.signIn({ email, password: "not the password" }), "UNAUTHORIZED");
    const unknown = await expectTrpcError(
      h.anon("10.7.0.1").auth.signIn({ email: h.uniqueEmail("nobody"), password: "not the password" }),
      "UNAUTHORIZED",
    );
    expect(wrong.message).toBe(unknown.message);
  });

  it("signs out one session, or every session", async () => {
    const { email, password, token } = await h.signUp("signout");
    const second = await h.anon("10.7.1.1").auth.signIn({ email, password, delivery: "bearer" });
    const third = await h.anon("10.7.1.2").auth.signIn({ email, password, delivery: "bearer" });
    const sessions = await h.as(token).sessions.list();
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);

    await h.as(second.token!).auth.signOut();
    await expectTrpcError(h.as(second.token!).profile.get(), "UNAUTHORIZED");
    expect(await h.as(second.token!).auth.me()).toBeNull();
    await h.as(token).profile.get();

    await h.as(token).auth.signOutEverywhere();
    await expectTrpcError(h.as(token).profile.get(), "UNAUTHORIZED");
    await expectTrpcError(h.as(third.token!).profile.get(), "UNAUTHORIZED");
  });

  it("ends a session after the idle timeout and after the absolute lifetime, and slides the idle expiry", async () => {
    const a = await h.signUp("idle");
    await h.raw(sql`UPDATE sessions SET idle_expires_at = now() - interval '1 second' WHERE user_id = ${a.me.id}`);
    await expectTrpcError(a.caller.profile.get(), "UNAUTHORIZED");

    const b = await h.signUp("absolute");
    await h.raw(sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = ${b.me.id}`);
    await expectTrpcError(b.caller.profile.get(), "UNAUTHORIZED");

    const c = await h.signUp("sliding");
    await h.raw(sql`UPDATE sessions SET last_seen_at = now() - interval '1 hour', idle_expires_at = now() + interval '1 hour'
                    WHERE user_id = ${c.me.id}`);
    await c.caller.profile.get();
    const row = await h.raw(sql<{ idle: Date }>`SELECT idle_expires_at AS idle FROM sessions WHERE user_id = ${c.me.id}`);
    const idle = (row.rows[0] as { idle: Date }).idle;
    expect(idle.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
  });

  it("stores only a hash of the session token", async () => {
    const { token, me } = await h.signUp("hash");
    const rows = await h.raw(sql<{ token_hash: Buffer }>`SELECT token_hash FROM sessions WHERE user_id = ${me.id}`);
    const stored = (rows.rows[0] as { token_hash: Buffer }).token_hash;
    expect(stored).toHaveLength(32);
    expect(stored.toString("base64url")).not.toBe(token);
    expect(Buffer.from(token, "base64url")).toHaveLength(32); // 256 random bits
  });

  it("upgrades a password hash made with older parameters on the next sign-in", async () => {
    const { email, password, me } = await h.signUp("rehash");
    const weak = await hash(password, { ...ARGON2_PARAMS, memoryCost: 4096, timeCost: 1 });
    await h.raw(sql`UPDATE users SET password_hash = ${weak} WHERE id = ${me.id}`);
    await h.anon("10.6.0.1").auth.signIn({ email, password, delivery: "bearer" });
    const row = await h.raw(sql<{ password_hash: string }>`SELECT password_hash FROM users WHERE id = ${me.id}`);
    expect((row.rows[0] as { password_hash: string }).password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe("throttling sign-in", () => {
  it("lets at most the limit of 200 concurrent guesses through, and does not lock the owner out elsewhere", async () => {
    const { email, password } = await h.signUp("throttle");
    const attackerIp = "10.66.66.66";
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => h.anon(attackerIp).auth.signIn({ email, password: "guess-guess-guess" })),
    );
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as { code: string }).code : "OK"));
    const checked = codes.filter((c) => c === "UNAUTHORIZED").length;
    const limited = codes.filter((c) => c === "TOO_MANY_REQUESTS").length;
    expect(checked).toBe(h.deps.identity.throttle.signInPerEmailIp.limit);
    expect(limited).toBe(200 - checked);

    // Even the right password is refused from the attacking address for now...
    const blocked = await expectTrpcError(h.anon(attackerIp).auth.signIn({ email, password }), "TOO_MANY_REQUESTS");
    expect(blocked.message).toMatch(/wait/);
    // ...while the owner signs in from their own network.
    const owner = await h.anon("10.1.2.3").auth.signIn({ email, password, delivery: "bearer" });
    expect(owner.me.email).toBe(email);
  });

  it("says when to retry", async () => {
    const { email } = await h.signUp("retry");
    const ip = "10.77.77.77";
    for (let i = 0; i < h.deps.identity.throttle.signInPerEmailIp.limit; i++) {
      await expectTrpcError(h.anon(ip).auth.signIn({ email, password: "wrong-wrong" }), "UNAUTHORIZED");
    }
    const res = await h.app.request("/trpc/auth.signIn", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": ip },
      body: JSON.stringify({ email, password: "wrong-wrong" }),
    });
    expect(res.status).toBe(429);
    const body = (await res.json()) as { error: { data: { retryAfterSeconds: number } } };
    expect(body.error.data.retryAfterSeconds).toBeGreaterThan(0);
    expect(body.error.data.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
  });
});

describe("password reset and change", () => {
  it("answers the same for unknown addresses and mails nothing", async () => {
    const unknown = h.uniqueEmail("ghost");
    await expect(h.anon("10.5.0.1").auth.requestPasswordReset({ email: unknown })).resolves.toEqual({ ok: true });
    // Its mail job has run (a fixed wait could end before the worker reaches it), and mailed nothing.
    await h.mailJobsDone(unknown);
    expect(h.smtp.messages.filter((m) => m.to.includes(unknown))).toEqual([]);
  });

  it("resets with a single-use link, ends every session, and verifies the e-mail", async () => {
    const { email, password, caller } = await h.signUp("reset");
    await h.anon("10.5.1.1").auth.requestPasswordReset({ email });
    const token = await h.linkToken(email, "reset-password");
    await h.anon().auth.resetPassword({ token, password: "a brand new passphrase" });

    await expectTrpcError(caller.profile.get(), "UNAUTHORIZED");
    await expectTrpcError(h.anon("10.5.1.2").auth.signIn({ email, password }), "UNAUTHORIZED");
    const signedIn = await h.anon("10.5.1.3").auth.signIn({ email, password: "a brand new passphrase", delivery: "bearer" });
    expect(signedIn.me.emailVerified).toBe(true);
    await expectTrpcError(h.anon().auth.resetPassword({ token, password: "yet another passphrase" }), "BAD_REQUEST");
  });

  it("a newer reset link replaces the older one", async () => {
    const { email } = await h.signUp("relink");
    await h.anon("10.5.2.1").auth.requestPasswordReset({ email });
    const first = await h.linkToken(email, "reset-password");
    await h.anon("10.5.2.1").auth.requestPasswordReset({ email });
    const second = await h.linkToken(email, "reset-password", 2);
    expect(second).not.toBe(first);
    await expectTrpcError(h.anon().auth.resetPassword({ token: first, password: "a brand new passphrase" }), "BAD_REQUEST");
    await h.anon().auth.resetPassword({ token: second, password: "a brand new passphrase" });
  });

  it("changes the password only with the current one, and revokes every session", async () => {
    const { email, token } = await h.signUp("change");
    const other = await h.anon("10.5.3.1").auth.signIn({ email, password: "correct horse battery staple", delivery: "bearer" });
    const wrong = (await expectTrpcError(
      h.as(token).auth.changePassword({ currentPassword: "nope nope", newPassword: "fresh passphrase here" }),
      "BAD_REQUEST",
    )) as unknown as { cause: { details: { field: string } } };
    expect(wrong.cause.details.field).toBe("currentPassword");

    const fresh = await h
      .as(token)
      .auth.changePassword({ currentPassword: "correct horse battery staple", newPassword: "fresh passphrase here" });
    await expectTrpcError(h.as(token).profile.get(), "UNAUTHORIZED");
    await expectTrpcError(h.as(other.token!).profile.get(), "UNAUTHORIZED");
    expect((await h.as(fresh.token!).profile.get()).email).toBe(email);
  });
});

describe("password change and reset links", () => {
  it("voids a reset link issued before the password was changed", async () => {
    const { email, password, token } = await h.signUp("change-voids-reset");
    await h.anon("10.5.4.1").auth.requestPasswordReset({ email });
    const link = await h.linkToken(email, "reset-password");
    const fresh = await h.as(token).auth.changePassword({ currentPassword: password, newPassword: "fresh passphrase here" });

    const stale = await expectTrpcError(
      h.anon().auth.resetPassword({ token: link, password: "attacker passphrase" }),
      "BAD_REQUEST",
    );
    expect(stale.message).toMatch(/invalid, used or expired/);
    // The new session and the new password still stand.
    expect((await h.as(fresh.token!).profile.get()).email).toBe(email);
    await h.anon("10.5.4.2").auth.signIn({ email, password: "fresh passphrase here", delivery: "bearer" });
  });
});

describe("a reset mailed late", () => {
  it("makes no link when the password was changed after the request (the job ran late or was retried)", async () => {
    const { email, password, token } = await h.signUp("late-reset");
    const requestedAt = new Date(Date.now() - 60_000).toISOString();
    await h.as(token).auth.changePassword({ currentPassword: password, newPassword: "fresh passphrase here" });
    const sent: { to: string }[] = [];
    const deps = {
      db: h.db,
      ai: h.deps.ai,
      log: h.deps.log,
      mailer: { send: async (m: { to: string }) => void sent.push(m), close() {} },
    };
    const data = { email, appUrl: "http://app.test", ttlSeconds: 3600 };
    await runJob(passwordResetMailJob, { ...data, requestedAt }, deps as never);
    expect(sent).toHaveLength(0);
    // Asked for after the change, it is mailed as usual.
    await runJob(passwordResetMailJob, { ...data, requestedAt: new Date(Date.now() + 1000).toISOString() }, deps as never);
    expect(sent).toHaveLength(1);
  });
});

describe("throttling password change", () => {
  it("lets at most the limit of 200 concurrent wrong current passwords be checked, per account", async () => {
    const { email, password, token } = await h.signUp("change-throttle");
    const guess = (ip: string) =>
      h.as(token, ip).auth.changePassword({ currentPassword: "guess-guess-guess", newPassword: "fresh passphrase here" });
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => guess("10.44.0.1")));
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as { code: string }).code : "OK"));
    const checked = codes.filter((c) => c === "BAD_REQUEST").length;
    expect(checked).toBe(h.deps.identity.throttle.changePasswordPerUser.limit);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(200 - checked);

    // Per account, not per network: moving to another address does not buy more guesses...
    await expectTrpcError(guess("10.44.0.2"), "TOO_MANY_REQUESTS");
    // ...even with the right password, for now; signing in is not affected.
    await expectTrpcError(
      h.as(token).auth.changePassword({ currentPassword: password, newPassword: "fresh passphrase here" }),
      "TOO_MANY_REQUESTS",
    );
    const owner = await h.anon("10.44.0.3").auth.signIn({ email, password, delivery: "bearer" });
    expect(owner.me.email).toBe(email);
  });
});

describe("profile", () => {
  it("updates name, avatar and preferences, and rejects bad values with field errors", async () => {
    const { caller } = await h.signUp("profile");
    const me = await caller.profile.update({
      displayName: "Ada Lovelace",
      avatarUrl: "https://example.test/ada.png",
      preferences: { theme: "dark", digest: { weekly: true } },
    });
    expect(me).toMatchObject({
      displayName: "Ada Lovelace",
      avatarUrl: "https://example.test/ada.png",
      preferences: { theme: "dark", digest: { weekly: true } },
    });
    await expectTrpcError(caller.profile.update({ avatarUrl: "javascript:alert(1)" }), "BAD_REQUEST");
    await expectTrpcError(caller.profile.update({ displayName: "x".repeat(81) }), "BAD_REQUEST");
    // A NUL character cannot be stored in jsonb: a clear 400, not a 500.
    await expectTrpcError(caller.profile.update({ preferences: { note: "a\u0000b" } }), "BAD_REQUEST");
    expect((await caller.profile.get()).displayName).toBe("Ada Lovelace");
  });

  it("merges preferences: changing one keeps the others, null removes one", async () => {
    const { caller } = await h.signUp("prefs");
    await caller.profile.update({ preferences: { theme: "dark", digest: true } });
    await caller.profile.update({ preferences: { digest: false } });
    expect((await caller.profile.get()).preferences).toEqual({ theme: "dark", digest: false });
    await caller.profile.update({ preferences: { theme: null } });
    expect((await caller.profile.get()).preferences).toEqual({ digest: false });
  });
});

describe("third-party API keys", () => {
  it("stores keys encrypted, shows only the last four characters, and replaces per service", async () => {
    const { caller, me } = await h.signUp("keys");
    const saved = await caller.apiKeys.save({ service: "openai", key: "sk-live-abcdefghijklmnop-WXYZ", label: "work" });
    expect(saved).toMatchObject({ service: "openai", last4: "WXYZ", label: "work" });
    expect(JSON.stringify(await caller.apiKeys.list())).not.toContain("abcdefghijklmnop");

    const row = await h.raw(
      sql<{ ciphertext: string; key_id: string }>`SELECT ciphertext, key_id FROM user_api_keys WHERE user_id = ${me.id}`,
    );
    const stored = row.rows[0] as { ciphertext: string; key_id: string };
    expect(stored.ciphertext).not.toContain("abcdefghijklmnop");
    expect(stored.key_id).toBe("t1");

    await caller.apiKeys.save({ service: "openai", key: "sk-live-second-key-0000" });
    const list = await caller.apiKeys.list();
    expect(list).toHaveLength(1);
    expect(list[0]?.last4).toBe("0000");

    await caller.apiKeys.delete({ id: list[0]!.id });
    expect(await caller.apiKeys.list()).toEqual([]);
    await expectTrpcError(caller.apiKeys.delete({ id: list[0]!.id }), "NOT_FOUND");
  });
});

describe("admin", () => {
  it("is refused to ordinary users and lets admins list users and set a tier", async () => {
    const user = await h.signUp("plain");
    await expectTrpcError(user.caller.admin.listUsers({}), "FORBIDDEN");
    const admin = await h.signUp("admin");
    await h.raw(sql`UPDATE users SET role = 'admin' WHERE id = ${admin.me.id}`);
    const page = await admin.caller.admin.listUsers({ query: user.email, limit: 10 });
    expect(page.users.map((u) => u.email)).toEqual([user.email]);
    await admin.caller.admin.setSubscriptionTier({ userId: user.me.id, tier: "pro" });
    expect((await user.caller.auth.me())?.subscriptionTier).toBe("pro");
    await expectTrpcError(
      admin.caller.admin.setSubscriptionTier({ userId: "00000000-0000-4000-8000-000000000000", tier: "pro" }),
      "NOT_FOUND",
    );
  });
});
