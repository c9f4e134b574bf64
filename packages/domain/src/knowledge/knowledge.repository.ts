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
 * candidates, full-precision index (migration 0017, ef_construction 128): recall@10 1.000 at 200 and
 * 0.990 at 64 and 100 for a user with 90% of the entries, 0.999–1.000 for one with 10%. On the halfvec
 * index of migration 0039 (re-ranked at full precision) see bench/README.md for the sweep behind 100.
 */
export const EF_SEARCH = 100;

/** How the vector side searches: by entry count (the search), always exact, or always the index (tests). */
export type VectorMode = "auto" | "exact" | "index";

/**
 * The caller's entries nearest to `embedding` by cosine distance, in one statement
 * (`app.knowledge_nearest`, migration 0039).
 *
 * Large collections go through the HNSW index (over `embedding::halfvec(1536)`, re-ranked by the exact
 * distance). The user filter (RLS, and the explicit `user_id`) is applied to what the index returns, so
 * a plain HNSW scan (ef_search candidates from everyone's entries) silently returns too few rows for a
 * user who owns a small share; pgvector 0.8's iterative scan keeps walking the graph until `limit` rows
 * pass the filter (or hnsw.max_scan_tuples).
 *
 * The planner cannot be left to choose: it does not know that every distance of an exact scan
 * detoasts a 6 KB vector, so for a user with most of the table it picks a sequential scan + sort
 * (~1 s at 100k entries) over the index (~ms). So the function counts (an index-only scan of at most
 * EXACT_SEARCH_MAX_ENTRIES + 1 rows): small collections get the exact query (full precision, the user
 * index + sort, complete and cheap); larger ones the ANN query with sorts and JIT off for the function
 * (the index is then the only ordered path; a disabled sort's cost would trigger ~0.7 s of JIT).
 */
export async function vectorCandidates(
  tx: Tx,
  userId: string,
  embedding: number[],
  limit: number,
  options: { iterativeScan?: boolean; efSearch?: number; mode?: VectorMode } = {},
) {
  const r = await sql<{ id: string; distance: number }>`
    SELECT id, distance FROM ${nearestCall(userId, embedding, limit, options)}`.execute(tx);
  return r.rows.map((row) => ({ id: row.id, distance: Number(row.distance) }));
}

function nearestCall(
  userId: string,
  embedding: number[],
  limit: number,
  options: { iterativeScan?: boolean; efSearch?: number; mode?: VectorMode },
) {
  const efSearch = Math.max(1, Math.min(1000, Math.trunc(options.efSearch ?? EF_SEARCH)));
  const iterative = (options.iterativeScan ?? true) ? "relaxed_order" : "off";
  const mode = options.mode ?? "auto";
  const exactMax = mode === "index" ? 0 : EXACT_SEARCH_MAX_ENTRIES;
  return sql`app.knowledge_nearest(${userId}::uuid, ${toVector(embedding)}, ${limit}::int, ${efSearch}::int,
    ${iterative}::text, ${exactMax}::int, ${mode === "exact"})`;
}

/**
 * Both candidate lists of a hybrid search in one round trip, as the user: the vector side
 * (`vectorCandidates`) and the full-text side (`keywordCandidates`), each in its own order.
 */
export async function searchCandidates(
  tx: Tx,
  userId: string,
  input: {
    embedding: number[];
    vectorLimit: number;
    query: string;
    keywordLimit: number;
    vector: boolean;
    keyword: boolean;
    vectorOptions?: { iterativeScan?: boolean; efSearch?: number; mode?: VectorMode };
  },
) {
  const tsquery = input.keyword ? anyWordQuery(input.query) : null;
  if (!input.vector && !tsquery) return { vector: [], keyword: [] };
  const parts = [
    ...(input.vector
      ? [
          sql`SELECT 'v' AS kind, n.id, n.distance AS score, n.ord
                FROM ${nearestCall(userId, input.embedding, input.vectorLimit, input.vectorOptions ?? {})}
                     WITH ORDINALITY AS n(id, distance, ord)`,
        ]
      : []),
    ...(tsquery
      ? [
          sql`SELECT 'k' AS kind, k.id, k.rank::double precision AS score, k.ord
                FROM app.knowledge_keyword_candidates(${tsquery}, ${input.keywordLimit}::int, ${KEYWORD_RANK_MAX}::int)
                     WITH ORDINALITY AS k(id, rank, ord)`,
        ]
      : []),
  ];
  const r = await sql<{ kind: "v" | "k"; id: string; score: number; ord: number }>`
    SELECT kind, id, score, ord FROM (${sql.join(parts, sql` UNION ALL `)}) c ORDER BY kind, ord`.execute(tx);
  const vector: { id: string; distance: number }[] = [];
  const keyword: { id: string; rank: number }[] = [];
  for (const row of r.rows) {
    if (row.kind === "v") vector.push({ id: row.id, distance: Number(row.score) });
    else keyword.push({ id: row.id, rank: Number(row.score) });
  }
  return { vector, keyword };
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
 * As the user under RLS the planner may not use the GIN index for `@@` (not leakproof: the policy's
 * qual runs first, a scan of all the caller's rows, ~0.75 s at 90k entries); the search therefore
 * takes its full-text candidates from `app.knowledge_keyword_candidates` (searchCandidates), the same
 * query run as the system role for the transaction's user. This one stays for the comparison in tests.
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
