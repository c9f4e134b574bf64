/**
 * GET queries are answered by the direct query path (src/http/trpc-query.ts), not tRPC's fetch
 * adapter: what a client gets must not change. The same app built with `adapterOnly` (every call
 * through the adapter, as before) answers the same requests: status, headers (security headers
 * included) and body must be identical, signed in or out, by bearer or cookie, single or batched,
 * with failures of every kind.
 */
import { DomainError } from "@inkwell/domain/platform/errors";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { procedureTable } from "../src/http/procedures.ts";
import { createTrpcEdge } from "../src/http/trpc-edge.ts";
import { createQueryCaller } from "../src/http/trpc-query.ts";
import { type Context, tokenHashFrom } from "../src/trpc/context.ts";
import { router, userProcedure } from "../src/trpc/init.ts";
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
  const res = await app.request(path, { headers: { "x-forwarded-for": ip, "x-request-id": "queries-1", ...headers } });
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
    expect(direct.headers).toContainEqual(["x-request-id", "queries-1"]);
  });

  it("every /trpc answer names its request: the edge's refusals and tRPC's mutations too", async () => {
    for (const [path, init] of [
      ["/trpc/no.such.thing", {}],
      ["/trpc/profile.update", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
    ] as const) {
      const res = await h.app.request(path, { ...init, headers: { "x-forwarded-for": ip, ...init.headers } });
      await res.arrayBuffer();
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe("a query that fails inside its session transaction writes nothing", () => {
  // userProcedure's one middleware (init.ts) gets the procedure's failure from next() as a value, not
  // a throw: it must still end the transaction with a rollback, by either path.
  const failing = router({
    writeThenRefuse: userProcedure.query(async ({ ctx }) => {
      await ctx.tx.updateTable("profiles").set({ display_name: "refused" }).where("user_id", "=", ctx.auth.userId).execute();
      throw new DomainError("CONFLICT", "Refused after writing.");
    }),
    writeThenCrash: userProcedure.query(async ({ ctx }) => {
      await ctx.tx.updateTable("profiles").set({ display_name: "crashed" }).where("user_id", "=", ctx.auth.userId).execute();
      throw new Error("unexpected");
    }),
  });
  const edge = createTrpcEdge(procedureTable(failing));
  const direct = createQueryCaller(failing);

  it.each(["direct", "adapter"] as const)("through the %s path", async (via) => {
    const user = await h.signUp(`rollback-${via}`);
    const context: Context = {
      deps: { ...h.deps, log: { ...h.deps.log, error() {} } },
      tokenHash: tokenHashFrom(user.token),
      via: "bearer",
      sameOrigin: true,
      meta: { ip, userAgent: null },
      requestId: "rollback",
      setCookie() {},
    };
    const ask = async (path: string) => {
      const req = new Request(`http://app.test${path}`);
      const admitted = await edge.admit(req, { session: null, address: ip }, { complete: false });
      if (admitted instanceof Response) throw new Error(`refused at the edge: ${admitted.status}`);
      admitted.release();
      const res = await (via === "direct"
        ? direct.answer(admitted.req, admitted.call, context, () => [])
        : fetchRequestHandler({ endpoint: "/trpc", req, router: failing, createContext: () => context }));
      if (!res) throw new Error("the direct path declined");
      return res.status;
    };
    expect(await ask("/trpc/writeThenRefuse")).toBe(409);
    expect(await ask("/trpc/writeThenCrash")).toBe(500);
    expect(await ask("/trpc/writeThenRefuse,writeThenCrash?batch=1")).toBe(207);
    const { rows } = await h.raw<{ display_name: string | null }>(
      sql`SELECT display_name FROM profiles WHERE user_id = ${user.me.id}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.display_name).not.toMatch(/refused|crashed/);
  });
});
