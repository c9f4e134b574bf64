/**
 * Reading request bodies with a bound, and finishing unread ones so the connection stays usable.
 *
 * A body refused before it is read would otherwise sit in the socket: @hono/node-server drains it
 * for at most 500 ms and then destroys the socket, although the answer promised keep-alive, so the
 * client's next request on that socket fails. `finishBody` reads (and drops) what is left, within a
 * bound, or tells the caller to answer `Connection: close` instead.
 */

/**
 * Bodies up to the largest any procedure accepts are drained after an early answer, so the client
 * reads the answer and keeps its connection; a bigger one is answered with Connection: close (closing
 * on a client still sending may reset the connection before it reads the answer, acceptable only for
 * bodies no legitimate client sends).
 */
export const DRAIN_MAX_BYTES = 8 * 1024 * 1024;
/** A client sending slower than this gets its connection closed rather than drained. */
export const DRAIN_TIMEOUT_MS = 2_000;

export type BodyRead =
  | { kind: "ok"; bytes: Uint8Array<ArrayBuffer> }
  | { kind: "too-large" }
  | { kind: "refused" }
  | { kind: "aborted" };

/** What the edge did with a request's body: `finishBody` takes care of the rest. */
export interface BodyState {
  /** The body was read to its end (buffered or drained). */
  complete: boolean;
  reader?: ReadableStreamDefaultReader<Uint8Array>;
}

// The headers first: on @hono/node-server, touching `req.body` builds the full Request object.
export const hasBody = (req: Request) =>
  ((req.headers.get("content-length") ?? "0") !== "0" || req.headers.has("transfer-encoding")) && req.body !== null;

export function declaredLength(req: Request): number | null {
  const value = req.headers.get("content-length");
  if (value === null || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/**
 * Reads the whole body, refusing it as soon as it exceeds `limit` (by its declared length or its
 * bytes) or `check` refuses a chunk.
 */
export async function readBody(
  req: Request,
  limit: number,
  state: BodyState,
  check: (chunk: Uint8Array) => boolean = () => true,
): Promise<BodyRead> {
  if (!req.body) {
    state.complete = true;
    return { kind: "ok", bytes: new Uint8Array(new ArrayBuffer(0)) };
  }
  const declared = declaredLength(req);
  if (declared !== null && declared > limit) return { kind: "too-large" };
  const reader = req.body.getReader();
  state.reader = reader;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) return { kind: "too-large" };
      if (!check(value)) return { kind: "refused" };
      chunks.push(value);
    }
  } catch {
    return { kind: "aborted" };
  }
  state.complete = true;
  const bytes = new Uint8Array(new ArrayBuffer(size));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { kind: "ok", bytes };
}

/**
 * Reads and drops what is left of a body the answer did not need. True when the connection can be
 * kept: the body ended within the byte and time bounds.
 */
export async function finishBody(req: Request, state: BodyState): Promise<boolean> {
  if (state.complete || !hasBody(req)) return true;
  const declared = declaredLength(req);
  if (declared !== null && declared > DRAIN_MAX_BYTES) return false;
  let reader = state.reader;
  if (!reader) {
    if (req.bodyUsed || !req.body) return false;
    reader = req.body.getReader();
  }
  let drained = 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), DRAIN_TIMEOUT_MS);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === "timeout") return false;
      if (next.done) return true;
      drained += next.value.byteLength;
      if (drained > DRAIN_MAX_BYTES) return false;
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
