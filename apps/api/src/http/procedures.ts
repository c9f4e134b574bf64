/**
 * What the edge knows about procedures before tRPC runs: which paths exist, which are long-lived
 * streams, and how large a body each may send. Decided from the URL alone, so a request is refused
 * before its body is read.
 */
import type { AnyRouter } from "@trpc/server";

/** The web client batches at most 20 calls (apps/web/src/lib/api.ts); a little headroom for other clients. */
export const MAX_BATCH_SIZE = 25;

/** Deeper JSON than this is refused before parsing; our inputs nest a handful of levels. */
export const MAX_JSON_DEPTH = 64;

const KiB = 1024;
const MiB = 1024 * KiB;

/** Every procedure not listed below: ids, titles, short texts (a chat message, 8,000 chars, fits). */
export const DEFAULT_BODY_LIMIT = 64 * KiB;

/**
 * Procedures whose largest legitimate input is bigger than the default, sized from their input
 * schemas: a text of N characters is at most ~3N bytes of UTF-8 (6N if every character were escaped),
 * base64 uploads are the file's limit × 4/3 plus the JSON around it.
 */
export const BODY_LIMITS: Readonly<Record<string, number>> = {
  // 20,000-character texts.
  "writer.knowledge.create": 256 * KiB,
  "writer.knowledge.update": 256 * KiB,
  "voice.addSample": 256 * KiB,
  // 100,000-character outputs; posts of up to 200,000 characters (a WordPress article).
  "writer.sessions.editOutput": 2 * MiB,
  "publishing.posts.compose": 2 * MiB,
  "publishing.posts.update": 2 * MiB,
  // Uploads sent as base64: a 5 MB PDF or 200,000 characters of text, a 5 MB image, a 2 MB logo
  // (schema allows 4 MiB of base64). Kept at the 8 MB the API has always accepted.
  "chat.addDocument": 8 * MiB,
  "publishing.posts.uploadMedia": 8 * MiB,
  "brand.uploadLogo": 8 * MiB,
};

/** The largest body any procedure accepts. */
export const MAX_BODY_LIMIT = Math.max(DEFAULT_BODY_LIMIT, ...Object.values(BODY_LIMITS));

export interface ProcedureTable {
  /** Every procedure path, e.g. "chat.list". */
  readonly known: ReadonlySet<string>;
  /** Subscriptions: long-lived server-sent event streams. */
  readonly streams: ReadonlySet<string>;
  /** The body limit for a call to these paths (a batch gets the largest of its calls'). */
  bodyLimit(paths: readonly string[]): number;
}

export function procedureTable(router: AnyRouter): ProcedureTable {
  const procedures = router._def.procedures as Record<string, { _def: { type: string } }>;
  const known = new Set(Object.keys(procedures));
  const streams = new Set(Object.entries(procedures).flatMap(([path, p]) => (p._def.type === "subscription" ? [path] : [])));
  for (const path of Object.keys(BODY_LIMITS)) {
    // A renamed upload procedure would silently fall back to the small limit.
    if (!known.has(path)) throw new Error(`BODY_LIMITS names an unknown procedure: ${path}`);
  }
  return {
    known,
    streams,
    bodyLimit: (paths) => Math.max(DEFAULT_BODY_LIMIT, ...paths.map((p) => BODY_LIMITS[p] ?? DEFAULT_BODY_LIMIT)),
  };
}
