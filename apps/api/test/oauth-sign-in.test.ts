import type { IdentitySandbox } from "@inkwell/domain/classrooms/testing";
import { OAUTH_ERROR_FALLBACK, oauthErrorText } from "@inkwell/domain/identity/schemas";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";
import { callback, newSandboxUser, oauthError, signInWith, startAndAuthorize, withIdentitySandbox } from "./oauth-kit.ts";

let h: Harness;
let sandbox: IdentitySandbox;

beforeAll(async () => {
  h = await startHarness();
  sandbox = await withIdentitySandbox(h);
});
afterAll(async () => {
  await h?.stop();
  await sandbox?.stop();
});

describe("sign-in with other accounts", () => {
  it("a new Google user gets an account, verified, and is signed in where they were going", async () => {
    const user = newSandboxUser(sandbox, "google");
    const dance = await signInWith(h, "google", user.id);
    expect(oauthError(dance.location)).toBeNull();
    expect(dance.location).toBe("/classrooms");
    expect(dance.session).toBeTruthy();
    const me = await h.as(dance.session ?? "").profile.get();
    expect(me.email).toBe(user.email);
    expect(me.emailVerified).toBe(true);
    const linked = await h.as(dance.session ?? "").signInAccounts.list();
    expect(linked.accounts.map((a) => a.provider)).toEqual(["google"]);
    // Signing in again finds the same account (no second one).
    const again = await signInWith(h, "google", user.id);
    expect((await h.as(again.session ?? "").profile.get()).id).toBe(me.id);
  });

  it("an existing account is linked by an e-mail the provider verified", async () => {
    const existing = await h.signUp("linked");
    await h.raw(sql`UPDATE users SET email_verified_at = now() WHERE id = ${existing.me.id}`);
    const user = newSandboxUser(sandbox, "google", { email: existing.email, emailVerified: true });
    const dance = await signInWith(h, "google", user.id);
    expect((await h.as(dance.session ?? "").profile.get()).id).toBe(existing.me.id);
  });

  it("an account whose own address was never verified is not opened by the provider's verified one (pre-hijack)", async () => {
    // Someone signs up with the victim's address and a password of theirs, never verifying it; the
    // victim then signs in with Google. Linking would hand the squatter's password an account the
    // victim goes on to fill.
    const squatter = await h.signUp("squatted");
    const user = newSandboxUser(sandbox, "google", { email: squatter.email, emailVerified: true });
    const dance = await signInWith(h, "google", user.id);
    expect(dance.session).toBeUndefined();
    expect(oauthError(dance.location)).toMatch(/already exists/);
    expect(await squatter.caller.signInAccounts.list()).toEqual({ accounts: [] });
  });

  it("an unverified e-mail never opens an existing account", async () => {
    const existing = await h.signUp("victim");
    const user = newSandboxUser(sandbox, "google", { email: existing.email, emailVerified: false });
    const dance = await signInWith(h, "google", user.id);
    expect(dance.session).toBeUndefined();
    expect(oauthError(dance.location)).toMatch(/already exists/);
    // Clever's addresses come from district records, not a check: the same refusal.
    const clever = newSandboxUser(sandbox, "clever", { email: existing.email, role: "teacher" });
    const viaClever = await signInWith(h, "clever", clever.id);
    expect(viaClever.session).toBeUndefined();
    expect(oauthError(viaClever.location)).toMatch(/already exists/);
  });

  it("refuses a made-up state, a state not started in this browser, and a replayed one", async () => {
    const user = newSandboxUser(sandbox, "google");
    const { callbackPath, stateCookie } = await startAndAuthorize(h, "google", user.id);
    const forged = callbackPath.replace(/state=[^&]+/, "state=made-up-state-value-1234567890");
    const bad = await callback(h, forged, "made-up-state-value-1234567890");
    expect(bad.session).toBeUndefined();
    expect(oauthError(bad.location)).toMatch(/start again/i);
    // The provider's redirect opened in another browser (no state cookie): login CSRF, refused.
    const noCookie = await callback(h, callbackPath, null);
    expect(noCookie.session).toBeUndefined();
    expect(oauthError(noCookie.location)).toMatch(/not started in this browser/);
    const ok = await callback(h, callbackPath, stateCookie);
    expect(ok.session).toBeTruthy();
    const replay = await callback(h, callbackPath, stateCookie);
    expect(replay.session).toBeUndefined();
    expect(oauthError(replay.location)).toMatch(/expired or was already used/);
  });

  it("refuses an expired state", async () => {
    const user = newSandboxUser(sandbox, "google");
    const { callbackPath, stateCookie } = await startAndAuthorize(h, "google", user.id);
    await h.raw(sql`UPDATE oauth_sign_in_states SET expires_at = now() - interval '1 second'`);
    const late = await callback(h, callbackPath, stateCookie);
    expect(late.session).toBeUndefined();
    expect(oauthError(late.location)).toMatch(/expired or was already used/);
  });

  it("a code exchanged with another sign-in's PKCE verifier is refused by the provider", async () => {
    const user = newSandboxUser(sandbox, "clever", { role: "teacher" });
    const first = await startAndAuthorize(h, "clever", user.id);
    const second = await startAndAuthorize(h, "clever", user.id);
    // Second's state (and so its verifier) with first's code: the provider checks S256(verifier).
    const code = new URL(first.callbackPath, "http://app.test").searchParams.get("code") ?? "";
    const mixed = second.callbackPath.replace(/code=[^&]+/, `code=${encodeURIComponent(code)}`);
    const res = await callback(h, mixed, second.stateCookie);
    expect(res.session).toBeUndefined();
    expect(oauthError(res.location)).toMatch(/refused/);
  });

  it("Clever sign-in: a new account with the user's name; a cancelled sign-in says so", async () => {
    const user = newSandboxUser(sandbox, "clever", { role: "student", email: null, firstName: "Noemail" });
    const dance = await signInWith(h, "clever", user.id);
    const me = await h.as(dance.session ?? "").profile.get();
    expect(me.displayName).toBe(`Noemail ${user.lastName}`);
    expect(me.emailVerified).toBe(false);
    const start = await h.app.request("/auth/oauth/clever/start");
    const deny = new URL(start.headers.get("location") ?? "");
    deny.searchParams.set("deny", "1");
    const denied = await fetch(deny, { redirect: "manual" });
    const back = new URL(denied.headers.get("location") ?? "");
    const cookie = /inkwell_oauth_state=([^;]*)/.exec(start.headers.getSetCookie().join("\n"))?.[1] ?? "";
    const res = await callback(h, back.pathname + back.search, cookie);
    expect(oauthError(res.location)).toBe("Sign-in was cancelled.");
  });

  it("links from settings to the signed-in account; unlinking the last way to sign in is refused", async () => {
    const google = newSandboxUser(sandbox, "google");
    const only = await signInWith(h, "google", google.id);
    const caller = h.as(only.session ?? "");
    const [link] = (await caller.signInAccounts.list()).accounts;
    await expectTrpcError(caller.signInAccounts.unlink({ id: link?.id ?? "" }), "PRECONDITION_FAILED");
    // Link a Clever account too: now either may go.
    const clever = newSandboxUser(sandbox, "clever", { role: "teacher" });
    const linked = await signInWith(h, "clever", clever.id, { sessionToken: only.session, link: true });
    expect(linked.session).toBeUndefined();
    expect(linked.location).toBe("/classrooms?linked=clever");
    const both = (await caller.signInAccounts.list()).accounts;
    expect(both.map((a) => a.provider).sort()).toEqual(["clever", "google"]);
    await caller.signInAccounts.unlink({ id: link?.id ?? "" });
    expect((await caller.signInAccounts.list()).accounts.map((a) => a.provider)).toEqual(["clever"]);
    // A password account may unlink its only link; another user may not touch it.
    const withPassword = await h.signUp("pw");
    await h.raw(sql`UPDATE users SET email_verified_at = now() WHERE id = ${withPassword.me.id}`);
    const g2 = newSandboxUser(sandbox, "google", { email: withPassword.email });
    await signInWith(h, "google", g2.id);
    const [own] = (await withPassword.caller.signInAccounts.list()).accounts;
    await expectTrpcError(caller.signInAccounts.unlink({ id: own?.id ?? "" }), "NOT_FOUND");
    await withPassword.caller.signInAccounts.unlink({ id: own?.id ?? "" });
    expect((await withPassword.caller.signInAccounts.list()).accounts).toEqual([]);
  });

  it("redirect_to never leaves the app, however its path is spelled", async () => {
    for (const to of [
      "https://evil.test/x",
      "//evil.test",
      "/\\evil.test",
      "/.//evil.test",
      "/a/..//evil.test",
      "/x/..\\\\evil.test",
      "/%2e//evil.test",
    ]) {
      const user = newSandboxUser(sandbox, "google");
      const dance = await signInWith(h, "google", user.id, { redirectTo: to });
      expect(dance.session).toBeTruthy();
      expect(dance.location.startsWith("//"), `${to} → ${dance.location}`).toBe(false);
      expect(new URL(dance.location, "http://app.test").origin).toBe("http://app.test");
    }
    const user = newSandboxUser(sandbox, "google");
    expect((await signInWith(h, "google", user.id, { redirectTo: "/study?tab=due" })).location).toBe("/study?tab=due");
  });

  it("starts are limited per address (each stores a row for ten minutes)", async () => {
    const ip = "203.0.113.77";
    const start = () => h.app.request("/auth/oauth/google/start", { headers: { "x-forwarded-for": ip } });
    for (let i = 0; i < 100; i++) expect(oauthError((await start()).headers.get("location") ?? "")).toBeNull();
    const refused = await start();
    expect(oauthError(refused.headers.get("location") ?? "")).toMatch(/too many attempts/i);
    expect(refused.headers.getSetCookie().join()).not.toMatch(/inkwell_oauth_state=[^;]/);
    // Another address is not held up.
    expect(oauthError((await h.app.request("/auth/oauth/google/start")).headers.get("location") ?? "")).toBeNull();
  });

  it("a Clever account unlinked from one Inkwell account can sign in again (its Clever identity moves)", async () => {
    const pw = await h.signUp("clever-unlink");
    const clever = newSandboxUser(sandbox, "clever", { role: "student" });
    const linked = await signInWith(h, "clever", clever.id, { sessionToken: pw.token, link: true });
    expect(oauthError(linked.location)).toBeNull();
    const [link] = (await pw.caller.signInAccounts.list()).accounts;
    await pw.caller.signInAccounts.unlink({ id: link?.id ?? "" });
    const again = await signInWith(h, "clever", clever.id);
    expect(oauthError(again.location)).toBeNull();
    expect(again.session).toBeTruthy();
    const me = h.as(again.session ?? "");
    expect((await me.profile.get()).id).not.toBe(pw.me.id);
    expect((await me.classrooms.list()).sync).toMatchObject({ cleverLinked: true, role: "student" });
    expect((await pw.caller.classrooms.list()).sync.cleverLinked).toBe(false);
  });

  it("a failed link goes back to Settings' sign-in accounts with the error, never where redirect_to points", async () => {
    const owner = await h.signUp("link-owner");
    const other = await h.signUp("link-other");
    const clever = newSandboxUser(sandbox, "clever", { role: "teacher" });
    expect(oauthError((await signInWith(h, "clever", clever.id, { sessionToken: owner.token, link: true })).location)).toBeNull();
    // The same Clever account linked from another Inkwell account is refused: back on Settings, still signed in.
    for (const redirectTo of ["/classrooms", "//evil.test", "https://evil.test/x", "/.//evil.test"]) {
      const dance = await signInWith(h, "clever", clever.id, { sessionToken: other.token, link: true, redirectTo });
      const to = new URL(dance.location, "http://app.test");
      expect(dance.location.startsWith("/settings?"), `${redirectTo} → ${dance.location}`).toBe(true);
      expect([to.origin, to.pathname, to.hash]).toEqual(["http://app.test", "/settings", "#sign-in-accounts"]);
      expect(oauthError(dance.location)).toMatch(/already signs in to another Inkwell account/);
      expect(dance.session).toBeUndefined();
    }
    expect(await other.caller.signInAccounts.list()).toEqual({ accounts: [] });
    // A link cancelled at the provider says so on Settings too.
    const start = await h.app.request("/auth/oauth/google/start?link=1", {
      headers: { cookie: `inkwell_session=${other.token}` },
    });
    const deny = new URL(start.headers.get("location") ?? "");
    deny.searchParams.set("deny", "1");
    const back = new URL((await fetch(deny, { redirect: "manual" })).headers.get("location") ?? "");
    const cookie = /inkwell_oauth_state=([^;]*)/.exec(start.headers.getSetCookie().join("\n"))?.[1] ?? "";
    const res = await callback(h, back.pathname + back.search, cookie);
    expect(res.location).toBe(`/settings?${new URLSearchParams({ oauth_error: "Sign-in was cancelled." })}#sign-in-accounts`);
    // A failed sign-in (no link) still ends on the sign-in page.
    const squatter = await h.signUp("link-squat");
    const g = newSandboxUser(sandbox, "google", { email: squatter.email, emailVerified: true });
    expect(new URL((await signInWith(h, "google", g.id)).location, "http://app.test").pathname).toBe("/sign-in");
  });

  it("an unknown provider goes back to sign-in with a message", async () => {
    const res = await h.app.request("/auth/oauth/myspace/start");
    expect(res.status).toBe(302);
    expect(oauthError(res.headers.get("location") ?? "")).toMatch(/not available/);
  });

  it("the pages show a failure's own words only when they are ours: a crafted ?oauth_error= gets the fallback", () => {
    expect(oauthErrorText("Sign-in was cancelled.")).toBe("Sign-in was cancelled.");
    expect(oauthErrorText("Your account is locked. Call +1 555 0100 to unlock it.")).toBe(OAUTH_ERROR_FALLBACK);
    expect(oauthErrorText(null)).toBeNull();
  });
});
