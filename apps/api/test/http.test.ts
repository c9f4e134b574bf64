import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  h.app.request(`/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": "10.20.30.40", ...headers },
    body: JSON.stringify(body),
  });

describe("over HTTP", () => {
  it("answers health and readiness", async () => {
    expect((await h.app.request("/healthz")).status).toBe(200);
    const ready = await h.app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("sets an httpOnly SameSite session cookie on sign-in, and the cookie authenticates", async () => {
    const email = h.uniqueEmail("cookie");
    // Sign-up answers alike for new and taken addresses, so it signs nobody in; the new account signs in.
    const signUp = await post("auth.signUp", { email, password: "correct horse battery staple" }, { origin: "http://app.test" });
    expect(signUp.status, await signUp.clone().text()).toBe(200);
    expect(signUp.headers.get("set-cookie")).toBeNull();
    const res = await post("auth.signIn", { email, password: "correct horse battery staple" }, { origin: "http://app.test" });
    expect(res.status, await res.clone().text()).toBe(200);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^inkwell_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const body = (await res.json()) as { result: { data: { token: string | null } } };
    expect(body.result.data.token).toBeNull(); // a cookie client never sees the token

    const session = cookie.split(";")[0]!;
    const me = await h.app.request("/trpc/auth.me", { headers: { cookie: session } });
    expect(((await me.json()) as { result: { data: { email: string } } }).result.data.email).toBe(email);

    // A cookie-authenticated mutation from another site is refused before it runs.
    const forged = await post("profile.update", { displayName: "pwned" }, { cookie: session, origin: "https://evil.test" });
    expect(forged.status).toBe(403);
    const refusal = (await forged.json()) as { error: { data: { code: string } } };
    expect(refusal.error.data.code).toBe("FORBIDDEN"); // tRPC's error shape, so clients can tell why
    const noOrigin = await post("profile.update", { displayName: "pwned" }, { cookie: session });
    expect(noOrigin.status).toBe(403);
    const ok = await post("profile.update", { displayName: "mine" }, { cookie: session, origin: "http://app.test" });
    expect(ok.status).toBe(200);
    const me2 = await h.app.request("/trpc/auth.me", { headers: { cookie: session } });
    expect(((await me2.json()) as { result: { data: { displayName: string } } }).result.data.displayName).toBe("mine");
  });

  it("reports validation errors as 400 with field paths, and never a 500 for garbage", async () => {
    const res = await post("auth.signUp", { email: "nope", password: "x" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { code: string; issues: { path: string; message: string }[] } } };
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.issues).toEqual(
      expect.arrayContaining([
        { path: "email", message: "Enter a valid e-mail address" },
        { path: "password", message: "Use at least 8 characters" },
      ]),
    );
    for (const garbage of ["{not json", "null", "[]", '"str"', "42"]) {
      const r = await h.app.request("/trpc/auth.signIn", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: garbage,
      });
      expect(r.status, garbage).toBeLessThan(500);
    }
    expect((await h.app.request("/trpc/nope.nothing")).status).toBe(404);
    const huge = await post("auth.signIn", { email: "a@example.test", password: "x".repeat(9 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect((await h.app.request("/trpc/profile.get")).status).toBe(401);
  });
});
