/**
 * The writer's knowledge base. Edits run in the caller's RLS transaction and enqueue the embedding job
 * in it (the row and its job commit together). Embedding runs in the worker with no transaction held
 * across the provider call: claim a batch (short transaction), embed it in one call, save (short
 * transaction). Search embeds the query first, then runs both candidate queries in one statement.
 */
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import type { AiProvider } from "../ai/index.ts";
import { notFound } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { type Actor, usage } from "../usage/index.ts";
import { reciprocalRankFusion } from "./knowledge.fusion.ts";
import { embedKnowledgeJob } from "./knowledge.jobs.ts";
import * as repo from "./knowledge.repository.ts";
import type {
  CreateKnowledgeInput,
  KnowledgeEntry,
  KnowledgeMatch,
  ListKnowledgeInput,
  SearchKnowledgeInput,
  UpdateKnowledgeInput,
} from "./knowledge.schemas.ts";

export interface WriterDeps {
  db: Database;
  ai: AiProvider;
  enqueue: Enqueue;
  log: Logger;
  rateLimits?: Parameters<typeof usage.takeRateLimit>[0]["rateLimits"];
}

/** Attempts per entry and version before it is marked failed (the job's retries use backoff). */
export const MAX_EMBED_ATTEMPTS = 3;
/** Entries per embedding call. */
export const EMBED_BATCH = 64;
/** Candidates taken from each signal before fusion. */
const CANDIDATES = 50;
/**
 * Vector candidates (at least twice the results asked for). Fewer than the full-text side: each one is a
 * tuple the filtered HNSW scan must find among other users' (its cost grows with the count), and RRF
 * (k = 60) gives rank 20 and rank 50 nearly the same weight anyway.
 */
export const VECTOR_CANDIDATES = 20;
/**
 * The relevance floor for an entry found by meaning alone (no word of the query in it): its cosine
 * similarity must reach this, and half the best one's. Nearest neighbours always exist, so without a
 * floor every entry came back for any query ("0% similar"). Measured with the offline embeddings:
 * unrelated texts score below 0.1, related ones 0.19 to 0.55; hosted models spread wider, and the
 * relative half keeps a weak neighbour out when a strong one is there.
 */
export const MIN_SIMILARITY = 0.15;
const RELATIVE_SIMILARITY = 0.5;

const embeddingText = (e: { title: string; content: string }) => `${e.title}\n\n${e.content}`;

// ---- entries (in the caller's transaction) ----

export async function createEntry(deps: Pick<WriterDeps, "enqueue">, tx: Tx, userId: string, input: CreateKnowledgeInput) {
  const entry = await repo.insertEntry(tx, userId, input);
  await deps.enqueue(tx, embedKnowledgeJob, { userId });
  return entry;
}

export async function updateEntry(deps: Pick<WriterDeps, "enqueue">, tx: Tx, userId: string, input: UpdateKnowledgeInput) {
  const current = await repo.findEntryForUpdate(tx, input.id);
  if (!current) throw notFound("Entry");
  const reembed =
    (input.title !== undefined && input.title !== current.title) ||
    (input.content !== undefined && input.content !== current.content) ||
    current.embedding_status === "failed";
  const patch = {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.content !== undefined ? { content: input.content } : {}),
    ...(input.category !== undefined ? { category: input.category } : {}),
  };
  const entry = await repo.updateEntry(tx, input.id, patch, reembed);
  if (!entry) throw notFound("Entry");
  if (reembed) await deps.enqueue(tx, embedKnowledgeJob, { userId });
  return entry;
}

export async function deleteEntry(tx: Tx, id: string) {
  if (!(await repo.deleteEntry(tx, id))) throw notFound("Entry");
}

export function listEntries(tx: Tx, input: ListKnowledgeInput): Promise<KnowledgeEntry[]> {
  return repo.listEntries(tx, input);
}

// ---- search ----

/**
 * Hybrid search inside a transaction the caller opened as the user: vector candidates (HNSW, iterative
 * scan) and full-text candidates, fused by RRF (k = 60). Both candidate lists come back in one round
 * trip (repo.searchCandidates), then the fused entries are read, under RLS. `iterativeScan: false` and
 * `vectorMode` exist for the test that shows why the iterative scan is needed.
 */
export async function hybridSearch(
  tx: Tx,
  userId: string,
  input: {
    query: string;
    embedding: number[];
    limit: number;
    iterativeScan?: boolean;
    vectorMode?: repo.VectorMode;
    signals?: ("vector" | "keyword")[];
    /** The floor for entries found by meaning alone (MIN_SIMILARITY); 0 keeps every nearest neighbour. */
    minSimilarity?: number;
  },
): Promise<KnowledgeMatch[]> {
  const signals = input.signals ?? ["vector", "keyword"];
  const { vector, keyword } = await repo.searchCandidates(tx, userId, {
    embedding: input.embedding,
    vectorLimit: Math.max(VECTOR_CANDIDATES, 2 * input.limit),
    query: input.query,
    keywordLimit: Math.max(CANDIDATES, input.limit),
    vector: signals.includes("vector"),
    keyword: signals.includes("keyword"),
    vectorOptions: { iterativeScan: input.iterativeScan ?? true, mode: input.vectorMode ?? "auto" },
  });
  const similarity = (distance: number) => 1 - distance;
  const best = Math.max(0, ...vector.map((v) => similarity(v.distance)));
  const min = input.minSimilarity ?? MIN_SIMILARITY;
  const floor = min > 0 ? Math.max(min, best * RELATIVE_SIMILARITY) : Number.NEGATIVE_INFINITY;
  const byKeyword = new Set(keyword.map((k) => k.id));
  // Found by meaning alone and below the floor: not relevant, so not a candidate at all.
  const relevant = vector.filter((v) => byKeyword.has(v.id) || similarity(v.distance) >= floor);
  const fused = reciprocalRankFusion({ vector: relevant.map((v) => v.id), keyword: keyword.map((k) => k.id) }).slice(
    0,
    input.limit,
  );
  const entries = new Map(
    (
      await repo.entriesByIds(
        tx,
        fused.map((f) => f.id),
      )
    ).map((e) => [e.id, e]),
  );
  const distance = new Map(vector.map((v) => [v.id, v.distance]));
  return fused.flatMap((f) => {
    const entry = entries.get(f.id);
    if (!entry) return [];
    const v = f.ranks.vector;
    const k = f.ranks.keyword;
    return [
      {
        entry,
        score: f.score,
        matched: {
          vector: v ? { rank: v, similarity: similarity(distance.get(f.id) ?? 1) } : null,
          keyword: k ? { rank: k } : null,
        },
      },
    ];
  });
}

export { anyWordQuery, EF_SEARCH, EXACT_SEARCH_MAX_ENTRIES, type VectorMode } from "./knowledge.repository.ts";

/**
 * The vector half of `hybridSearch` alone (the repository's query: HNSW with the iterative scan, the
 * user filter, re-sorted by distance), in a transaction the caller opened as the user. The benchmark
 * measures it and its recall against an exact scan.
 */
export function nearestEntries(
  tx: Tx,
  userId: string,
  embedding: number[],
  limit: number,
  options?: Parameters<typeof repo.vectorCandidates>[4],
): Promise<{ id: string; distance: number }[]> {
  return repo.vectorCandidates(tx, userId, embedding, limit, options);
}

/**
 * The hybrid search for an embedded query, in one short transaction as the user under RLS: both
 * candidate lists in one round trip (the full-text side through a function that runs as the system
 * role for this transaction's user, so it can use the GIN index; migration 0039), then the entries.
 */
export function searchEntries(
  db: Database,
  userId: string,
  input: { query: string; embedding: number[]; limit: number },
): Promise<KnowledgeMatch[]> {
  return asUser(db, userId, (tx) => hybridSearch(tx, userId, input));
}

/** The search procedure: rate-limited like other embedding calls (not charged); no transaction during the embed. */
export async function search(deps: WriterDeps, actor: Actor, input: SearchKnowledgeInput): Promise<KnowledgeMatch[]> {
  await usage.takeRateLimit(deps, actor, "writer.search-knowledge");
  const query = input.query.trim();
  const embedded = await deps.ai.embed([query]);
  return searchEntries(deps.db, actor.userId, { query, embedding: embedded.vectors[0] as number[], limit: input.limit ?? 10 });
}

/**
 * The entries a generation about `concept` should draw on: the top `k` of the hybrid search, their
 * ids (so the generation can record and say which it used) and a context block naming each by title.
 */
export async function retrieveForConcept(deps: Pick<WriterDeps, "db" | "ai">, userId: string, concept: string, k = 5) {
  const embedded = await deps.ai.embed([concept]);
  const matches = await searchEntries(deps.db, userId, { query: concept, embedding: embedded.vectors[0] as number[], limit: k });
  const context = matches.length
    ? "What the writer has told us, most relevant first. Use it where it helps:\n\n" +
      matches.map((m) => `[${m.entry.title}] (${m.entry.category})\n${m.entry.content}`).join("\n\n")
    : "";
  return {
    entries: matches,
    usedEntryIds: matches.map((m) => m.entry.id),
    context,
    embeddingTokens: embedded.usage.inputTokens,
  };
}

// ---- embedding (worker) ----

export interface EmbedOutcome {
  embedded: number;
  failed: number;
  retrying: number;
}

/**
 * Embeds the user's pending entries, batch by batch, one provider call per batch. A failed call records
 * the error on its entries (failed once out of attempts) and throws while any can still be retried, so
 * the job is retried with the queue's backoff.
 */
export async function embedPending(
  deps: { db: Database; ai: AiProvider; log: Logger },
  userId: string,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<EmbedOutcome> {
  const outcome: EmbedOutcome = { embedded: 0, failed: 0, retrying: 0 };
  const batchSize = options.batchSize ?? EMBED_BATCH;
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const batch = await asUser(deps.db, userId, (tx) => repo.claimPending(tx, batchSize, MAX_EMBED_ATTEMPTS));
    if (!batch.length) break;
    let result: Awaited<ReturnType<AiProvider["embed"]>>;
    try {
      result = await deps.ai.embed(batch.map(embeddingText));
      if (result.vectors.length !== batch.length) throw new Error("The embedding call returned the wrong number of vectors");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await asUser(deps.db, userId, (tx) =>
        repo.recordFailure(
          tx,
          batch.map((b) => b.id),
          message,
          MAX_EMBED_ATTEMPTS,
        ),
      );
      const retrying = batch.filter((b) => b.embedding_attempts < MAX_EMBED_ATTEMPTS).length;
      outcome.failed += batch.length - retrying;
      outcome.retrying += retrying;
      if (retrying) throw new Error(`Embedding failed for ${retrying} knowledge entries (will retry): ${message}`);
      continue;
    }
    outcome.embedded += await asUser(deps.db, userId, (tx) =>
      repo.saveEmbeddings(
        tx,
        batch.map((b, j) => ({ id: b.id, version: b.content_version, embedding: result.vectors[j] as number[] })),
        result.model,
      ),
    );
  }
  return outcome;
}

/**
 * Brings every entry to the configured embedding model (found by embedding a probe). Entries with
 * another model's vector are marked pending a batch at a time and re-embedded; their old vectors keep
 * serving search until each new one is saved, so there is no gap. Also picks up pending entries whose
 * job was lost. Runs on a schedule, so changing the model only needs a restart.
 */
export async function reembedAll(
  deps: { db: Database; ai: AiProvider; log: Logger },
  options: { onlyUsers?: string[]; maxUsers?: number } = {},
) {
  // The model is what the provider reports, never a parameter: a vector is saved with the model that
  // made it, so comparing with anything else would mark the same entries stale forever.
  const model = (await deps.ai.embed(["model probe"])).model;
  const users =
    options.onlyUsers ??
    (await asSystem(deps.db, (tx) => repo.usersToEmbed(tx, model, MAX_EMBED_ATTEMPTS, options.maxUsers ?? 200)));
  let embedded = 0;
  for (const userId of users) {
    for (;;) {
      const marked = await asUser(deps.db, userId, (tx) => repo.markStale(tx, model, EMBED_BATCH));
      const done = await embedPending(deps, userId, { maxBatches: 1 });
      embedded += done.embedded;
      if (!marked && !done.embedded) break;
    }
  }
  return { model, users: users.length, embedded };
}
