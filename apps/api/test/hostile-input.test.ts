/**
 * Hostile input against every procedure, over real HTTP (a listening server): NUL-laden strings, lone
 * surrogates, 1M-character strings, 10k-deep nesting, wrong types, null and 100k-element arrays, put
 * into each field of a valid-looking input built from the procedure's own zod schema. Queries go as
 * GET ?input=, mutations as POST, subscriptions as GET (their event stream read briefly). Each is sent
 * anonymously, with a session cookie and our Origin (an ordinary user), and with a bearer token (an
 * administrator, so admin procedures get past their role check). No answer may be a 5xx, and none may
 * take longer than a few seconds. Every field is varied where the caller gets as far as the schema
 * (public procedures; user ones signed in; admin ones as the administrator); where the caller is refused
 * first (anonymous on user procedures, the ordinary user on admin ones) the whole-input variants are sent.
 */
import { describe, expect, it } from "vitest";
import {
  type AnyProcedure,
  base,
  inputSample,
  itSweepsEveryProcedure,
  ordered,
  procedures,
  queryUrl,
  REQUEST_BOUND_MS,
  useHostileServer,
  variantsOf,
} from "./hostile-input-kit.ts";

useHostileServer();

describe("hostile input over HTTP, every procedure", () => {
  it("refuses a query whose URL is too long before any of our code runs, and goes on serving", async () => {
    const json = JSON.stringify({ query: "x".repeat(100_000) });
    const status = await fetch(queryUrl("admin.listUsers", json), { signal: AbortSignal.timeout(REQUEST_BOUND_MS) }).then(
      (res) => res.status,
      // Node may close the connection while the request is still being written.
      () => 431,
    );
    expect(status).toBe(431);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("builds a sample and variants for every procedure", () => {
    expect(Object.keys(procedures).length).toBeGreaterThan(80);
    for (const path of ordered) expect(variantsOf(inputSample(procedures[path] as AnyProcedure)).length, path).toBeGreaterThan(8);
  });

  itSweepsEveryProcedure("anonymous");
});
