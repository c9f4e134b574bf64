/**
 * GET queries are answered by the direct query path (src/http/trpc-query.ts), not tRPC's fetch
 * adapter: what a client gets must not change. The same app built with `adapterOnly` (every call
 * through the adapter, as before) answers the same requests: status, headers (security headers
 * included) and body must be identical, signed in or out, by bearer or cookie, single or batched,
 * with failures of every kind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
let adapter: ReturnType<typeof createApp>;
let token: string;
let cookie: string;
const ip = "10.61.0.9";

beforeAll(async () => {
  h = await startHarness();
  adapter = createApp({
    deps: h.deps,
    env: {
      APP_URL: "http://app.test",
      ALLOWED_ORIGINS: [],
      TRUST_PROXY: true,
      INKWELL_DEV_MAIL_DIR: undefined,
      WEB_DIST_DIR: undefined,
    },
    adapterOnly: true,
  });
  const user = await h.signUp("direct");
  token = user.token;
  const signIn = await h.app.request("/trpc/auth.signIn", {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://app.test", "x-forwarded-for": ip },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  expect(cookie).toMatch(/^inkwell_session=/);
});
afterAll(() => h.stop());

async function answer(app: ReturnType<typeof createApp>, path: string, headers: Record<string, string>) {
  const res = await app.request(path, { headers: { "x-forwarded-for": ip, ...headers } });
  return { status: res.status, headers: [...res.headers].sort(), body: await res.text() };
}

const q = (input: unknown) => `input=${encodeURIComponent(JSON.stringify(input))}`;
const uuid = "00000000-0000-4000-8000-000000000000";

describe("GET queries: the direct path answers as tRPC's adapter did", () => {
  const cases: [string, string, "bearer" | "cookie" | "none" | "stale"][] = [
    ["a protected read", "/trpc/profile.get", "bearer"],
    ["a protected read by cookie", "/trpc/profile.get", "cookie"],
    ["signed out", "/trpc/profile.get", "none"],
    ["an unknown session", "/trpc/profile.get", "stale"],
    ["a public query", "/trpc/credits.prices", "none"],
    ["who is asking, signed in", "/trpc/auth.me", "cookie"],
    ["who is asking, signed out", "/trpc/auth.me", "none"],
    ["a bad input", `/trpc/books.get?${q({ bookId: "not-a-uuid" })}`, "bearer"],
    ["no input where one is needed", "/trpc/books.get", "bearer"],
    ["not found", `/trpc/books.get?${q({ bookId: uuid })}`, "bearer"],
    ["text the edge refuses", `/trpc/books.list?${q({ campaignId: "a\u0000b" })}`, "bearer"],
    ["a batch", "/trpc/profile.get,auth.me,credits.prices?batch=1", "bearer"],
    ["a mixed batch", `/trpc/profile.get,books.get?batch=1&${q({ 1: { bookId: uuid } })}`, "bearer"],
    ["a batch of failures", "/trpc/profile.get,books.get?batch=1", "none"],
    ["an input that is not JSON (left to tRPC)", "/trpc/books.get?input=%7Bnope", "bearer"],
    ["a mutation by GET (left to tRPC)", "/trpc/profile.update", "bearer"],
  ];
  it.each(cases)("%s", async (_name, path, auth) => {
    const headers: Record<string, string> =
      auth === "bearer"
        ? { authorization: `Bearer ${token}` }
        : auth === "cookie"
          ? { cookie }
          : auth === "stale"
            ? { authorization: `Bearer ${"x".repeat(43)}` }
            : {};
    const direct = await answer(h.app, path, headers);
    expect(direct).toEqual(await answer(adapter, path, headers));
    expect(direct.headers.map(([name]) => name)).toEqual(expect.arrayContaining(["content-security-policy", "x-frame-options"]));
  });
});
