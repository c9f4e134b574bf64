/** The only SQL of the writer module. RLS scopes user queries to the caller; the sweep runs as system. */
import { type Tables, type Tx, toVector } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import type {
  CreateKnowledgeInput,
  EmbeddingStatus,
  KnowledgeCategory,
  KnowledgeEntry,
  ListKnowledgeInput,
} from "./knowledge.schemas.ts";

const COLUMNS = [
  "id",
  "title",
  "content",
  "category",
  "content_version",
  "embedding_model",
  "embedding_status",
  "embedding_error",
  "embedding_attempts",
  "embedded_at",
  "created_at",
  "updated_at",
] as const;

type Row = Pick<Selectable<Tables.KnowledgeEntries>, (typeof COLUMNS)[number]>;

export const toEntry = (r: Row): KnowledgeEntry => ({
  id: r.id,
  title: r.title,
  content: r.content,
  category: r.category as KnowledgeCategory,
  embedding: {
    status: r.embedding_status as EmbeddingStatus,
    model: r.embedding_model,
    error: r.embedding_error,
    attempts: r.embedding_attempts,
    embeddedAt: r.embedded_at,
  },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertEntry(tx: Tx, userId: string, input: CreateKnowledgeInput) {
  const r = await tx
    .insertInto("knowledge_entries")
    .values({ user_id: userId, title: input.title, content: input.content, category: input.category })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toEntry(r as Row);
}

export async function findEntryForUpdate(tx: Tx, id: string) {
  const r = await tx.selectFrom("knowledge_entries").select(COLUMNS).where("id", "=", id).forUpdate().executeTakeFirst();
  return r ? (r as Row) : undefined;
}

/** Text changes bump `content_version` and send the entry back to 'pending'; the old vector keeps serving. */
export async function updateEntry(
  tx: Tx,
  id: string,
  patch: { title?: string; content?: string; category?: string },
  reembed: boolean,
) {
  const r = await tx
    .updateTable("knowledge_entries")
    .set((eb) => ({
      ...patch,
      ...(reembed
        ? {
            content_version: eb("content_version", "+", 1),
            embedding_status: "pending",
            embedding_error: null,
            embedding_attempts: 0,
          }
        : {}),
    }))
    .where("id", "=", id)
    .returning(COLUMNS)
    .executeTakeFirst();
  return r ? toEntry(r as Row) : undefined;
}

export async function deleteEntry(tx: Tx, id: string) {
  const r = await tx.deleteFrom("knowledge_entries").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listEntries(tx: Tx, input: ListKnowledgeInput) {
  let q = tx.selectFrom("knowledge_entries").select(COLUMNS).orderBy("created_at", "desc").orderBy("id", "desc").limit(500);
  if (input.category) q = q.where("category", "=", input.category);
  if (input.status) q = q.where("embedding_status", "=", input.status);
  return (await q.execute()).map((r) => toEntry(r as Row));
}

export async function entriesByIds(tx: Tx, ids: string[]) {
  if (!ids.length) return [];
  return (await tx.selectFrom("knowledge_entries").select(COLUMNS).where("id", "in", ids).execute()).map((r) =>
    toEntry(r as Row),
  );
}

/**
 * Up to this many entries a user's vector search is exact (their rows through the user index, every
 * distance computed): a few hundred distances cost less than walking the graph, and the answer is
 * complete. Above it the HNSW index is used.
 */
export const EXACT_SEARCH_MAX_ENTRIES = 1000;

/**
 * hnsw.ef_search for the indexed path. `pnpm bench knowledge-search` at 100k entries, 20 vector
 * candidates: recall@10 0.979 at 64 and 100 (a few queries found none of their top 10: the graph's
 * weak spots), 0.989 at 200 for a user with 90% of the entries (p50 4.8 ms vs 3.8 ms), and 0.990 vs
 * 0.987 for a user with 10% at the same speed (one batch of 200 index tuples holds their 20). With the
 * better graph of migration 0017 (ef_construction 128): 1.000 at 200, 0.990 at 64 (~1.4 ms faster).
 */
export const EF_SEARCH = 200;

/**
 * The caller's entries nearest to `embedding` by cosine distance.
 *
 * Large collections go through the HNSW index. The user filter (RLS, and the explicit `user_id`) is
 * applied to what the index returns, so a plain HNSW scan (ef_search candidates from everyone's
 * entries) silently returns too few rows for a user who owns a small share; pgvector 0.8's iterative
 * scan keeps walking the graph until `limit` rows pass the filter (or hnsw.max_scan_tuples).
 * relaxed_order may return slightly out of order, so the rows are re-sorted by distance.
 *
 * The planner cannot be left to choose: it does not know that every distance of an exact scan
 * detoasts a 6 KB vector, so for a user with most of the table it picks a sequential scan + sort
 * (~1 s at 100k entries) over the index (~ms). So one bounded count (an index-only scan of at most
 * EXACT_SEARCH_MAX_ENTRIES + 1 rows) decides: small collections stay exact (the planner's own
 * choice: the user index + sort, complete and cheap); larger ones get sorts disabled for this one
 * statement, which leaves the index as the only ordered path, and JIT off (the disabled sort's
 * cost would otherwise trigger ~0.7 s of JIT compilation). The same round trip sets the scan
 * settings (transaction-local); enable_sort and jit are put back afterwards.
 */
export async function vectorCandidates(
  tx: Tx,
  userId: string,
  embedding: number[],
  limit: number,
  options: { iterativeScan?: boolean; efSearch?: number } = {},
) {
  const efSearch = String(Math.max(1, Math.min(1000, Math.trunc(options.efSearch ?? EF_SEARCH))));
  const iterative = (options.iterativeScan ?? true) ? "relaxed_order" : "off";
  const setup = await sql<{ exact: boolean; sort: string; jit: string }>`
    SELECT c.n <= ${EXACT_SEARCH_MAX_ENTRIES} AS exact,
           current_setting('enable_sort') AS sort, current_setting('jit') AS jit,
           set_config('hnsw.ef_search', ${efSearch}, true),
           set_config('hnsw.iterative_scan', ${iterative}, true),
           set_config('enable_sort', CASE WHEN c.n <= ${EXACT_SEARCH_MAX_ENTRIES} THEN current_setting('enable_sort') ELSE 'off' END, true),
           set_config('jit', CASE WHEN c.n <= ${EXACT_SEARCH_MAX_ENTRIES} THEN current_setting('jit') ELSE 'off' END, true)
      FROM (SELECT count(*)::int AS n
              FROM (SELECT 1 FROM knowledge_entries WHERE user_id = ${userId} LIMIT ${EXACT_SEARCH_MAX_ENTRIES + 1}) mine) c`.execute(
    tx,
  );
  const { exact, sort, jit } = setup.rows[0] ?? { exact: true, sort: "on", jit: "on" };
  // ORDER BY the output column is ORDER BY its expression (the planner still walks the index), and the
  // query vector travels once.
  const r = await sql<{ id: string; distance: number }>`
    WITH nearest AS MATERIALIZED (
      SELECT id, embedding <=> ${toVector(embedding)} AS distance
        FROM knowledge_entries
       WHERE user_id = ${userId} AND embedding IS NOT NULL
       ORDER BY distance
       LIMIT ${limit}
    )
    SELECT id, distance FROM nearest ORDER BY distance, id`.execute(tx);
  if (!exact) await sql`SELECT set_config('enable_sort', ${sort}, true), set_config('jit', ${jit}, true)`.execute(tx);
  return r.rows.map((row) => ({ id: row.id, distance: Number(row.distance) }));
}

/** At most this many full-text matches are ranked: a word in most of a large collection is no signal. */
export const KEYWORD_RANK_MAX = 2000;

/**
 * The query's words joined by OR for to_tsquery: an entry with any of them matches, and ts_rank_cd puts
 * those with more of them (closer together) first. websearch_to_tsquery ANDs every word, so a question
 * ("what do my readers want from marketing?") matched no entry that lacked one of its words, and an
 * entry showing the searched word highlighted was not counted as a keyword match. Words are reduced to
 * letters and digits, so the query text never reaches to_tsquery's syntax; null when none is left.
 */
export function anyWordQuery(query: string): string | null {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 32);
  return words.length ? words.join(" | ") : null;
}

/**
 * Full-text matches of any of the query's words (title weighted above content), best ts_rank_cd first.
 *
 * Run it as the system role with the caller's id (writer.service does): under RLS the planner may not
 * use the GIN index for `@@`, because `@@` is not leakproof and the policy's qual must be evaluated
 * first, so as the user it is a scan of all the caller's rows (~0.75 s at 90k entries). The ids it
 * returns are only candidates: the entries themselves are read as the user, under RLS.
 */
export async function keywordCandidates(tx: Tx, userId: string, query: string, limit: number) {
  const tsquery = anyWordQuery(query);
  if (!tsquery) return [];
  const r = await sql<{ id: string; rank: number }>`
    SELECT m.id, ts_rank_cd(m.search_tsv, m.q) AS rank
      FROM (SELECT e.id, e.search_tsv, q
              FROM knowledge_entries e, to_tsquery('english', ${tsquery}) q
             WHERE e.user_id = ${userId} AND e.search_tsv @@ q
             LIMIT ${KEYWORD_RANK_MAX}) m
     ORDER BY rank DESC, m.id
     LIMIT ${limit}`.execute(tx);
  return r.rows.map((row) => ({ id: row.id, rank: Number(row.rank) }));
}

// ---- embedding ----

export interface Claimed {
  id: string;
  title: string;
  content: string;
  content_version: number;
  embedding_attempts: number;
}

/** Takes up to `limit` of the caller's pending entries with attempts left and counts this attempt. */
export async function claimPending(tx: Tx, limit: number, maxAttempts: number) {
  const r = await sql<Claimed>`
    UPDATE knowledge_entries SET embedding_attempts = embedding_attempts + 1
     WHERE id IN (
       SELECT id FROM knowledge_entries
        WHERE embedding_status = 'pending' AND embedding_attempts < ${maxAttempts}
        ORDER BY updated_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING id, title, content, content_version, embedding_attempts`.execute(tx);
  return r.rows;
}

/**
 * Stores a batch of vectors in one statement, each unless its text changed meanwhile (then the newer
 * version is still pending); returns how many were stored. One round trip per batch instead of one
 * per entry.
 */
export async function saveEmbeddings(
  tx: Tx,
  rows: { id: string; version: number; embedding: number[] }[],
  model: string,
): Promise<number> {
  if (!rows.length) return 0;
  // A VALUES list rather than unnest of arrays: each vector is its own binary parameter (toVector).
  const values = rows.map((x) => sql`(${x.id}::uuid, ${x.version}::int, ${toVector(x.embedding)})`);
  const r = await sql<{ id: string }>`
    UPDATE knowledge_entries e
       SET embedding = v.embedding, embedding_model = ${model}, embedding_status = 'ready',
           embedding_error = NULL, embedding_attempts = 0, embedded_at = now()
      FROM (VALUES ${sql.join(values)}) AS v(id, version, embedding)
     WHERE e.id = v.id AND e.content_version = v.version
    RETURNING e.id`.execute(tx);
  return r.rows.length;
}

/** Records a failed attempt; entries out of attempts become 'failed'. */
export async function recordFailure(tx: Tx, ids: string[], error: string, maxAttempts: number) {
  if (!ids.length) return;
  await tx
    .updateTable("knowledge_entries")
    .set((eb) => ({
      embedding_error: error.slice(0, 2000),
      embedding_status: eb.case().when("embedding_attempts", ">=", maxAttempts).then("failed").else("pending").end(),
    }))
    .where("id", "in", ids)
    .where("embedding_status", "=", "pending")
    .execute();
}

// ---- re-embedding (system role) ----

/** Users with entries to (re-)embed: pending with attempts left, or ready with another model's vector. */
export async function usersToEmbed(tx: Tx, model: string, maxAttempts: number, limit: number) {
  const r = await sql<{ user_id: string }>`
    SELECT DISTINCT user_id FROM knowledge_entries
     WHERE (embedding_status = 'pending' AND embedding_attempts < ${maxAttempts})
        OR (embedding_status = 'ready' AND embedding_model IS DISTINCT FROM ${model})
     LIMIT ${limit}`.execute(tx);
  return r.rows.map((row) => row.user_id);
}

/** Marks up to `limit` of the caller's entries embedded by another model as pending (vectors kept). */
export async function markStale(tx: Tx, model: string, limit: number) {
  const r = await sql`
    UPDATE knowledge_entries SET embedding_status = 'pending', embedding_attempts = 0, embedding_error = NULL
     WHERE id IN (
       SELECT id FROM knowledge_entries
        WHERE embedding_status = 'ready' AND embedding_model IS DISTINCT FROM ${model}
        ORDER BY id LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}
