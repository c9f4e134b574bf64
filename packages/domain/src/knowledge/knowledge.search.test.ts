/**
 * Vector search filtered to one user on a real Postgres (pgvector's HNSW index): a user with few entries
 * among many closer entries of other users still gets all their nearest neighbours (the iterative scan),
 * which a plain index scan does not; the search service's relevance floor then keeps the unrelated ones
 * out. (Moved here from the API tests: it needs the module and the database, not the API.)
 */
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createAiProvider } from "../ai/index.ts";
import { runJob } from "../jobs/handlers.ts";
import type { Logger } from "../platform/index.ts";
import { embedKnowledgeJob } from "./knowledge.jobs.ts";
import * as knowledge from "./knowledge.service.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 4 });
afterAll(() => db.destroy());
const ai = createAiProvider({ provider: "offline" });
const log: Logger = { info() {}, warn() {}, error: (obj, msg) => console.error(msg, obj) };

let n = 0;
const newUser = () =>
  asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `knowledge-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return u.id;
  });

describe("vector search filtered to one user (HNSW iterative scan)", () => {
  it("returns all 5 of a user's entries from among twice the index's candidate list of closer entries of others", async () => {
    const me = await newUser();
    const others = [await newUser(), await newUser()];
    const topic = "garden tomatoes compost watering seedlings greenhouse";
    // Other users' entries all sit right on the query's topic, so a plain HNSW scan's candidates (the
    // ef_search nearest) are all theirs; twice that many is plenty to crowd mine out. (The API test this
    // was used 2,000: most of its file's time on the embedded database, for no more proof.)
    const crowd = 2 * knowledge.EF_SEARCH;
    const texts = Array.from({ length: crowd }, (_, i) => `${topic} variety ${i} tomato garden notes`);
    const { vectors } = await ai.embed(texts);
    const half = crowd / 2;
    for (const [i, owner] of others.entries()) {
      const slice = texts.slice(i * half, (i + 1) * half);
      await sql`
        INSERT INTO knowledge_entries (user_id, title, content, category, embedding, embedding_model, embedding_status)
        SELECT ${owner}::uuid, 'Garden ' || t, t, 'about_me', v::vector, 'offline-lexical-v1', 'ready'
          FROM unnest(${slice}::text[], ${vectors.slice(i * half, (i + 1) * half).map((v) => JSON.stringify(v))}::text[]) AS x(t, v)`.execute(
        db,
      );
    }
    // Mine are saved as the user, pending, and embedded by the job's handler.
    const mineTexts = [
      "Poetry about the sea",
      "Invoices and tax deadlines",
      "My cat sleeps all day",
      "Jazz records I love",
      "Mountain running in winter",
    ];
    await asUser(db, me, (tx) =>
      tx
        .insertInto("knowledge_entries")
        .values(mineTexts.map((content, i) => ({ user_id: me, title: `Mine ${i}`, content, category: "about_me" })))
        .execute(),
    );
    await runJob(embedKnowledgeJob, { userId: me }, { db, ai, log, mailer: undefined as never });
    const [query] = (await ai.embed([topic])).vectors as [number[]];

    const vectorSearch = (iterativeScan: boolean, forceIndex: boolean) =>
      asUser(db, me, async (tx) => {
        // The index path is what a large collection gets (a user with 5 entries is searched exactly); with
        // sorts off, as the search's function has them, the halfvec index serves the ANN query's order.
        await sql`SET LOCAL enable_sort = off`.execute(tx);
        const plan = await sql<{ "QUERY PLAN": string }>`
          EXPLAIN SELECT id FROM knowledge_entries WHERE user_id = ${me} AND embedding IS NOT NULL
           ORDER BY embedding::halfvec(1536) <=> ${JSON.stringify(query)}::vector::halfvec(1536) LIMIT 50`.execute(tx);
        const indexable = plan.rows.some((r) => r["QUERY PLAN"].includes("knowledge_entries_embedding_idx"));
        await sql`RESET enable_sort`.execute(tx);
        const found = await knowledge.hybridSearch(tx, me, {
          query: topic,
          embedding: query,
          limit: 10,
          iterativeScan,
          vectorMode: forceIndex ? "index" : "auto",
          signals: ["vector"],
          // The index's recall is measured on every nearest neighbour, relevant or not.
          minSimilarity: 0,
        });
        return { indexable, found: found.map((m) => m.entry.title).sort() };
      });

    const mine = ["Mine 0", "Mine 1", "Mine 2", "Mine 3", "Mine 4"];
    const forced = await vectorSearch(true, true);
    expect(forced.indexable).toBe(true);
    expect(forced.found).toEqual(mine);
    // Without the iterative scan the same index path returns (almost) none of them: the bug it fixes.
    const plain = await vectorSearch(false, true);
    expect(plain.found.length).toBeLessThan(5);
    // And whatever plan the planner picks on its own, the user gets all 5.
    expect((await vectorSearch(true, false)).found).toEqual(mine);
    // The search the procedure runs applies the relevance floor: none of mine is about gardens, so none
    // is a result; a query about one of them finds it among the others'.
    const deps = { db, ai, log, enqueue: undefined as never };
    const actor = { userId: me, ip: "10.7.0.1" };
    expect(await knowledge.search(deps, actor, { query: topic, limit: 10 })).toEqual([]);
    const jazz = await knowledge.search(deps, actor, { query: "jazz records", limit: 10 });
    expect(jazz.map((m) => m.entry.title)).toEqual(["Mine 3"]);
  }, 120_000);
});

describe("full-text candidates through the system-role function (migration 0039)", () => {
  it("gives the transaction's user only their own entries' ids, and nobody's without a user", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const word = `sourdough${Date.now().toString(36)}`;
    const mine = await asUser(db, a, (tx) =>
      tx
        .insertInto("knowledge_entries")
        .values({ user_id: a, title: `Bread ${word}`, content: `${word} starter notes`, category: "about_me" })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    const candidates = (tx: Parameters<Parameters<typeof asSystem>[1]>[0]) =>
      sql<{ id: string }>`SELECT id FROM app.knowledge_keyword_candidates(${word}, 50, 2000)`.execute(tx);
    expect((await asUser(db, a, candidates)).rows.map((r) => r.id)).toEqual([mine.id]);
    expect((await asUser(db, b, candidates)).rows).toEqual([]);
    // B's hybrid search by that word finds nothing of A's.
    const [embedding] = (await ai.embed([word])).vectors as [number[]];
    expect(await asUser(db, b, (tx) => knowledge.hybridSearch(tx, b, { query: word, embedding, limit: 10 }))).toEqual([]);
    expect(
      (await asUser(db, a, (tx) => knowledge.hybridSearch(tx, a, { query: word, embedding, limit: 10 }))).map((m) => m.entry.id),
    ).toEqual([mine.id]);
    // The system role runs with no app.user_id: no candidates at all.
    expect((await asSystem(db, candidates)).rows).toEqual([]);
  });
});
