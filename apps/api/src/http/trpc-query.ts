/**
 * GET query calls (one, or a batch of queries) answered by calling the procedures directly, with the
 * answer tRPC's fetch adapter gives: the same body (`{ result: { data } }` or the formatted error
 * shape, an array for a batch), the same status (tRPC's `getHTTPStatusCode`, 207 for a mixed batch)
 * and the same headers. The adapter's general machinery (content-type parsers, lazy routers, an
 * AbortSignal.any per call, four URL parses, response metadata hooks) was most of what a small read
 * spent above the database.
 *
 * Only what is decided before any procedure runs picks this path; anything else (a mutation or
 * subscription, JSON lines, connection params, an input that is not JSON, another content type)
 * returns null and goes through `fetchRequestHandler` as before, so every error tRPC raises before
 * calling a procedure keeps its own wording. `trpc-query.test.ts` compares the two answer for answer.
 */
import { type AnyRouter, getTRPCErrorFromUnknown, getTRPCErrorShape, TRPCError, transformTRPCResponse } from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";

type QueryProcedure = ((opts: {
  path: string;
  getRawInput: () => Promise<unknown>;
  ctx: unknown;
  type: "query";
  signal: AbortSignal | undefined;
  batchIndex: number;
}) => Promise<unknown>) & { _def: { type: string } };

/** What the edge read from the URL (trpc-edge.ts `admit`). */
export interface QueryCall {
  paths: string[];
  batch: boolean;
  searchParams: URLSearchParams;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && !Array.isArray(value) && typeof value === "object";

const isPromiseLike = (value: unknown) =>
  (isObject(value) || typeof value === "function") &&
  typeof (value as { then?: unknown }).then === "function" &&
  typeof (value as { catch?: unknown }).catch === "function";

const isAsyncIterable = (value: unknown) => isObject(value) && Symbol.asyncIterator in value;

/** tRPC's test for an answer only a streaming link can carry (its `isDataStream`). */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromiseLike) || values.some(isAsyncIterable);
}

const streamLikeError = () =>
  new TRPCError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
  });

/** Builds an answer with plain headers (security-headers.ts `respond` adds the security headers too). */
export type Respond = (body: string, status: number, headers: Record<string, string>) => Response;

export function createQueryCaller(
  router: AnyRouter,
  respond: Respond = (body, status, headers) => new Response(body, { status, headers }),
) {
  const config = router._def._config;
  const procedures = router._def.procedures as Record<string, QueryProcedure>;
  const queryAt = (path: string) => {
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    return procedure?._def.type === "query" ? procedure : undefined;
  };
  const deserialize = (value: unknown) => config.transformer.input.deserialize(value);
  // Without a transformer (ours has none) tRPC's response transform only copies the answer.
  const probe = {};
  const serializes = config.transformer.output.serialize(probe) !== probe;

  /** The calls' inputs by index when this path may answer the request, null to leave it to tRPC. */
  function inputsFor(req: Request, call: QueryCall): Record<number, unknown> | null {
    if (req.method !== "GET") return null;
    // tRPC picks its body parser by content type even on a GET: only its JSON one (or none) is ours.
    const contentType = req.headers.get("content-type");
    if (contentType !== null && contentType.toLowerCase().split(";", 1)[0]?.trim() !== "application/json") return null;
    if (call.searchParams.has("connectionParams")) return null;
    if (!call.paths.every((p) => queryAt(p))) return null;
    const raw = call.searchParams.get("input");
    let parsed: unknown;
    if (raw) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        return null;
      }
    }
    const inputs: Record<number, unknown> = Object.create(null);
    if (parsed === undefined) return inputs;
    if (!call.batch) {
      inputs[0] = deserialize(parsed);
      return inputs;
    }
    if (!isObject(parsed)) return null;
    call.paths.forEach((_, index) => {
      const input = parsed[index];
      if (input !== undefined) inputs[index] = deserialize(input);
    });
    return inputs;
  }

  /**
   * The answer, or null when the request must go through tRPC's adapter. `cookies` holds what the
   * procedures set with `ctx.setCookie` once they have run (read after the calls, as tRPC does).
   */
  function answer(req: Request, call: QueryCall, ctx: unknown, cookies: () => string[]): Promise<Response> | null {
    const inputs = inputsFor(req, call);
    if (!inputs) return null;
    return run(req, call, inputs, ctx, cookies);
  }

  async function run(
    req: Request,
    call: QueryCall,
    inputs: Record<number, unknown>,
    ctx: unknown,
    cookies: () => string[],
  ): Promise<Response> {
    const signal = req.signal;
    const items = await Promise.all(
      call.paths.map(async (path, index) => {
        const procedure = queryAt(path) as QueryProcedure;
        let data: unknown;
        try {
          data = await procedure({ path, getRawInput: async () => inputs[index], ctx, type: "query", signal, batchIndex: index });
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          return { error: getTRPCErrorShape({ config, ctx, error, input: inputs[index], path, type: "query" }) };
        }
        if (!isDataStream(data)) return { result: { data } };
        // As tRPC: a batch item gets the error in its place; a single call's error has no path or input.
        return call.batch
          ? { error: getTRPCErrorShape({ config, ctx, error: streamLikeError(), input: inputs[index], path, type: "query" }) }
          : {
              error: getTRPCErrorShape({
                config,
                ctx,
                error: streamLikeError(),
                input: undefined,
                path: undefined,
                type: "query",
              }),
            };
      }),
    );
    let body: unknown = call.batch ? items : items[0];
    let text: string;
    try {
      text = JSON.stringify(
        serializes ? transformTRPCResponse(config, body as Parameters<typeof transformTRPCResponse>[1]) : body,
      );
    } catch (cause) {
      // An answer JSON cannot carry (a BigInt, a cycle): as tRPC, one error for the whole request.
      const error = getTRPCErrorFromUnknown(cause);
      body = { error: getTRPCErrorShape({ config, ctx, error, input: undefined, path: undefined, type: "query" }) };
      text = JSON.stringify(transformTRPCResponse(config, body as Parameters<typeof transformTRPCResponse>[1]));
    }
    const status = getHTTPStatusCode(body as Parameters<typeof getHTTPStatusCode>[0]);
    const setCookies = cookies();
    if (setCookies.length === 0) {
      return respond(text, status, { "content-type": "application/json", vary: "trpc-accept, accept" });
    }
    const headers = new Headers([
      ["vary", "trpc-accept, accept"],
      ["content-type", "application/json"],
    ]);
    for (const cookie of setCookies) headers.append("set-cookie", cookie);
    return new Response(text, { status, headers });
  }

  return { answer };
}
