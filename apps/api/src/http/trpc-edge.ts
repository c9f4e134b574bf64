/**
 * The checks a /trpc request passes before tRPC sees it, cheapest first and all before the body is
 * parsed: the procedure names in the URL exist and are few enough, the caller has a free slot, the
 * body fits the limit of the procedures it calls, and its JSON is not absurdly deep. tRPC then gets
 * the buffered body.
 */
import { type BodyState, declaredLength, readBody } from "./body.ts";
import { edgeError } from "./errors.ts";
import { type Bound, ByteBudget, InFlight } from "./in-flight.ts";
import { JsonDepthScanner, jsonNestsDeeperThan } from "./json-depth.ts";
import { MAX_BATCH_SIZE, MAX_JSON_DEPTH, type ProcedureTable } from "./procedures.ts";
import type { QueryCall } from "./trpc-query.ts";

/** Concurrent calls per caller (session, or address when signed out) and per address. */
export const MAX_REQUESTS_PER_CALLER = 8;
export const MAX_REQUESTS_PER_ADDRESS = 32;
/** Open subscription streams, counted apart so that a user's open streams never starve their calls. */
export const MAX_STREAMS_PER_CALLER = 12;
export const MAX_STREAMS_PER_ADDRESS = 48;
/** Body bytes all requests together may hold in memory while they run. */
export const BODY_BUDGET_BYTES = 192 * 1024 * 1024;
/** Of which one address may hold: four full-size uploads at once. */
export const BODY_BUDGET_PER_ADDRESS_BYTES = 32 * 1024 * 1024;

export interface Caller {
  /** Hex of the session token's hash, when the request carries one. */
  session: string | null;
  address: string;
}

/**
 * `streamed`: the answer is sent as it is produced (a subscription, or a batch the client asked to get
 * as JSON lines), so the slot is held until it ends; any other answer is built whole before tRPC
 * returns it, so its slot can be released at once (the work is done) and the answer sent as it is.
 */
export type Admission = Response | { req: Request; release: () => void; streamed: boolean; call: QueryCall };

/** Whether tRPC will stream a batch as JSON lines (its own test: trpc-accept, or accept listing it). */
function wantsJsonLines(headers: Headers): boolean {
  const trpcAccept = headers.get("trpc-accept");
  if (trpcAccept !== null) return trpcAccept === "application/jsonl";
  return (
    headers
      .get("accept")
      ?.split(",")
      .some((t) => t.trim() === "application/jsonl") ?? false
  );
}

export function createTrpcEdge(table: ProcedureTable, endpoint = "/trpc") {
  const inFlight = new InFlight();
  const budget = new ByteBudget(BODY_BUDGET_BYTES, BODY_BUDGET_PER_ADDRESS_BYTES);
  const tooMany = () =>
    edgeError(429, "TOO_MANY_REQUESTS", "Too many requests at once. Try again in a moment.", { "retry-after": "1" });

  async function admit(req: Request, caller: Caller, body: BodyState): Promise<Admission> {
    const url = new URL(req.url);
    const path = url.pathname.slice(endpoint.length).replace(/^\/+|\/+$/g, "");
    const isBatch = url.searchParams.get("batch") === "1";
    if (isBatch && path.split(",", MAX_BATCH_SIZE + 1).length > MAX_BATCH_SIZE) {
      return edgeError(400, "BAD_REQUEST", `At most ${MAX_BATCH_SIZE} calls per batch.`);
    }
    const paths = isBatch ? path.split(",") : [path];
    // One short answer however many unknown names were sent (tRPC answers one error per call).
    if (!paths.every((p) => table.known.has(p))) return edgeError(404, "NOT_FOUND", "No such procedure.");

    for (const name of ["input", "connectionParams"]) {
      const value = url.searchParams.get(name);
      if (value && jsonNestsDeeperThan(Buffer.from(value), MAX_JSON_DEPTH)) {
        return edgeError(400, "BAD_REQUEST", "The input is nested too deeply.");
      }
    }

    const stream = paths.some((p) => table.streams.has(p));
    const bounds: Bound[] = [
      {
        key: caller.session ? `s:${caller.session}` : `a:${caller.address}`,
        max: stream ? MAX_STREAMS_PER_CALLER : MAX_REQUESTS_PER_CALLER,
      },
      { key: `ip:${caller.address}`, max: stream ? MAX_STREAMS_PER_ADDRESS : MAX_REQUESTS_PER_ADDRESS },
    ].map((b) => ({ ...b, key: `${stream ? "stream" : "call"}:${b.key}` }));
    const releaseSlot = inFlight.tryAcquire(bounds);
    if (!releaseSlot) return tooMany();

    const streamed = stream || wantsJsonLines(req.headers);
    const call: QueryCall = { paths, batch: isBatch, searchParams: url.searchParams };
    if (req.method === "GET" || req.method === "HEAD") return { req, release: releaseSlot, streamed, call };

    // A batch may carry each of its calls' largest input, up to the largest single upload.
    const limit = Math.min(
      table.maxBodyLimit,
      paths.reduce((sum, p) => sum + table.bodyLimit(p), 0),
    );
    const releaseBytes = budget.tryReserve(Math.min(declaredLength(req) ?? limit, limit), caller.address);
    if (!releaseBytes) {
      releaseSlot();
      return tooMany();
    }
    const release = () => {
      releaseBytes();
      releaseSlot();
    };
    const depth = new JsonDepthScanner(MAX_JSON_DEPTH);
    const read = await readBody(req, limit, body, (chunk) => depth.push(chunk));
    if (read.kind !== "ok") {
      release();
      if (read.kind === "too-large") return edgeError(413, "PAYLOAD_TOO_LARGE", "The request is too large.");
      if (read.kind === "refused") return edgeError(400, "BAD_REQUEST", "The input is nested too deeply.");
      return edgeError(400, "BAD_REQUEST", "The request body could not be read.");
    }
    return {
      req: new Request(req.url, { method: req.method, headers: req.headers, body: read.bytes, signal: req.signal }),
      release,
      streamed,
      call,
    };
  }

  return { admit, inFlight };
}
