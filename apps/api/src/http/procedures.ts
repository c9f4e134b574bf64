/**
 * What the edge knows about procedures before tRPC runs: which paths exist, which are long-lived
 * streams, and how large a body each may send (from the procedures' meta). Decided from the URL alone,
 * so a request is refused before its body is read. Routes outside tRPC (the files route, webhooks) are
 * not in this table: such a route reads its body with its own bound (http/body.ts `readBody`).
 */
import type { AnyRouter } from "@trpc/server";
import type { Meta } from "../trpc/init.ts";

/** The web client batches at most 20 calls (apps/web/src/lib/api.ts); a little headroom for other clients. */
export const MAX_BATCH_SIZE = 25;

/** Deeper JSON than this is refused before parsing; our inputs nest a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/** A procedure without a `bodyLimit` in its meta: ids, titles, short texts (a chat message, 8,000 chars, fits). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface ProcedureTable {
  /** Every procedure path, e.g. "chat.list". */
  readonly known: ReadonlySet<string>;
  /** Subscriptions: long-lived server-sent event streams. */
  readonly streams: ReadonlySet<string>;
  /** The largest body any procedure accepts (a batch never gets more). */
  readonly maxBodyLimit: number;
  /** The body limit for a call to this path: its procedure's `bodyLimit` meta, or the default. */
  bodyLimit(path: string): number;
}

type ProcedureDef = { _def: { type: string; meta?: Meta } };

/**
 * Built once at start from the router: each procedure declares its own body limit in its meta
 * (trpc/init.ts `Meta.bodyLimit`), so a new large-input procedure needs no edit here.
 */
export function procedureTable(router: AnyRouter): ProcedureTable {
  const procedures = Object.entries(router._def.procedures as Record<string, ProcedureDef>);
  const limits = new Map<string, number>();
  for (const [path, p] of procedures) {
    const limit = p._def.meta?.bodyLimit;
    if (limit === undefined) continue;
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new Error(`${path}: bodyLimit must be a positive number of bytes`);
    limits.set(path, limit);
  }
  return {
    known: new Set(procedures.map(([path]) => path)),
    streams: new Set(procedures.flatMap(([path, p]) => (p._def.type === "subscription" ? [path] : []))),
    maxBodyLimit: Math.max(DEFAULT_BODY_LIMIT, ...limits.values()),
    bodyLimit: (path) => limits.get(path) ?? DEFAULT_BODY_LIMIT,
  };
}
