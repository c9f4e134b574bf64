/**
 * The direct query path answers exactly as tRPC's fetch adapter does (status, headers, body), for
 * successes, every kind of failure a procedure can have, batches mixed and whole, and it declines
 * (null: the adapter answers) whatever tRPC decides before a procedure runs.
 */
import { DomainError } from "@inkwell/domain/platform/errors";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Context } from "../trpc/context.ts";
import { publicProcedure, router } from "../trpc/init.ts";
import { MAX_BATCH_SIZE, procedureTable } from "./procedures.ts";
import { createTrpcEdge } from "./trpc-edge.ts";
import { createQueryCaller } from "./trpc-query.ts";

const testRouter = router({
  ok: publicProcedure.query(() => ({ hello: "world", n: 1, at: new Date(0) })),
  nothing: publicProcedure.query(() => undefined),
  echo: publicProcedure.input(z.object({ text: z.string().max(5) })).query(({ input }) => input),
  missing: publicProcedure.query(() => {
    throw new DomainError("NOT_FOUND", "No such thing.");
  }),
  limited: publicProcedure.query(() => {
    throw new DomainError("RATE_LIMITED", "Slow down.", { retryAfterSeconds: 7 });
  }),
  boom: publicProcedure.query(() => {
    throw new Error("secret internals");
  }),
  badValue: publicProcedure.query(() => {
    throw Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code: "22P02" });
  }),
  later: publicProcedure.query(() => ({ value: Promise.resolve(1) })),
  // An answer JSON cannot carry: tRPC answers its generic error, not the server's bare 500.
  unserializable: publicProcedure.query(() => ({ n: 1n })),
  cookie: publicProcedure.query(({ ctx }) => {
    ctx.setCookie("a=1; Path=/");
    ctx.setCookie("b=2; Path=/");
    return { ok: true };
  }),
  nested: router({ deep: publicProcedure.query(() => "deep") }),
  change: publicProcedure.mutation(() => "changed"),
  events: publicProcedure.subscription(async function* () {
    yield 1;
  }),
});

const table = procedureTable(testRouter);
const edge = createTrpcEdge(table);
const queries = createQueryCaller(testRouter);

function context(logged: unknown[], setCookie: (value: string) => void): Context {
  const log = {
    info() {},
    warn() {},
    error: (obj: object, msg?: string) => logged.push([msg, String((obj as { err?: unknown }).err)]),
  };
  return {
    deps: { log } as unknown as Context["deps"],
    tokenHash: null,
    via: "none",
    sameOrigin: true,
    meta: { ip: "127.0.0.1", userAgent: "vitest" },
    requestId: "test",
    setCookie,
  };
}

interface Answer {
  status: number;
  headers: [string, string][];
  body: string;
  logged: unknown[];
}

const read = async (res: Response, logged: unknown[]): Promise<Answer> => ({
  status: res.status,
  headers: [...res.headers].sort(),
  body: await res.text(),
  logged,
});

async function viaAdapter(path: string, init: RequestInit = {}): Promise<Answer> {
  const logged: unknown[] = [];
  const res = await fetchRequestHandler({
    endpoint: "/trpc",
    req: new Request(`http://localhost${path}`, init),
    router: testRouter,
    allowMethodOverride: false,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: ({ resHeaders }) => context(logged, (value) => resHeaders.append("set-cookie", value)),
  });
  return read(res, logged);
}

/** The direct path's answer, or null when it declines. The edge reads the URL, as in app.ts. */
async function direct(path: string, init: RequestInit = {}): Promise<Answer | null> {
  const req = new Request(`http://localhost${path}`, init);
  const admitted = await edge.admit(req, { session: null, address: "127.0.0.1" }, { complete: false });
  if (admitted instanceof Response) throw new Error(`refused at the edge: ${admitted.status}`);
  admitted.release();
  const logged: unknown[] = [];
  const cookies: string[] = [];
  const answer = queries.answer(
    admitted.req,
    admitted.call,
    context(logged, (value) => cookies.push(value)),
    () => cookies,
  );
  return answer ? read(await answer, logged) : null;
}

const q = (input: unknown) => `input=${encodeURIComponent(JSON.stringify(input))}`;

describe("GET queries answered without tRPC's adapter", () => {
  const answered = [
    "/trpc/ok",
    "/trpc/nothing",
    "/trpc/nested.deep",
    `/trpc/echo?${q({ text: "hi" })}`,
    `/trpc/echo?${q({ text: "far too long" })}`,
    "/trpc/echo",
    "/trpc/echo?input=",
    `/trpc/echo?${q({ text: "a\u0000" })}`,
    "/trpc/missing",
    "/trpc/limited",
    "/trpc/boom",
    "/trpc/badValue",
    "/trpc/later",
    "/trpc/cookie",
    "/trpc/ok,nested.deep?batch=1",
    `/trpc/ok,echo,missing?batch=1&${q({ 1: { text: "x" } })}`,
    `/trpc/echo,echo?batch=1&${q({ 0: { text: "x" }, 1: { text: "much too long" } })}`,
    "/trpc/missing,missing?batch=1",
    "/trpc/ok,later?batch=1",
    "/trpc/cookie,ok?batch=1",
    "/trpc/ok?batch=1",
    "/trpc/unserializable",
    "/trpc/ok,unserializable?batch=1",
  ];
  it.each(answered)("%s: the same status, headers and body", async (path) => {
    const mine = await direct(path);
    expect(mine).not.toBeNull();
    expect(mine).toEqual(await viaAdapter(path));
  });

  it("answers a GET that says its (absent) body is JSON", async () => {
    const init = { headers: { "content-type": "application/json; charset=utf-8" } };
    expect(await direct("/trpc/ok", init)).toEqual(await viaAdapter("/trpc/ok", init));
  });

  const declined: [string, RequestInit][] = [
    ["/trpc/echo?input=not-json", {}],
    [`/trpc/ok,echo?batch=1&${q([1, 2])}`, {}],
    [`/trpc/ok?connectionParams=${encodeURIComponent("{}")}`, {}],
    ["/trpc/change", {}],
    ["/trpc/ok,change?batch=1", {}],
    ["/trpc/events", {}],
    ["/trpc/ok", { headers: { "content-type": "multipart/form-data; boundary=x" } }],
    ["/trpc/change", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }],
  ];
  it.each(declined)("%s: left to tRPC", async (path, init) => {
    expect(await direct(path, init)).toBeNull();
  });
});
