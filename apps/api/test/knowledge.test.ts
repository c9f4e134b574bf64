/**
 * The writer's knowledge base end to end on a real Postgres (pgvector): entries are embedded by the
 * worker's job handler and become ready; hybrid search finds them by meaning and by keyword; a user
 * with few entries among many still gets all their vector matches (HNSW iterative scan); failures are
 * retried and then marked failed; a model change re-embeds while old vectors keep serving.
 */
import { asUser } from "@inkwell/db";
import type { AiProvider } from "@inkwell/domain/ai";
import { type DepsFor, runJob } from "@inkwell/domain/jobs/handlers";
import { embedKnowledgeJob, knowledge } from "@inkwell/domain/knowledge";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
let worker: DepsFor<"ai" | "mailer">;
beforeAll(async () => {
  // The global setup created every API queue (apiQueues), so the harness's pg-boss has them cached.
  h = await startHarness();
  worker = { db: h.db, ai: h.deps.ai, mailer: undefined as never, log: h.deps.log };
});
afterAll(() => h.stop());

const runEmbedJob = (userId: string, deps: DepsFor<"ai" | "mailer"> = worker) => runJob(embedKnowledgeJob, { userId }, deps);

describe("knowledge entries", () => {
  it("are created pending with a job enqueued, embedded by the worker and become ready", async () => {
    const a = await h.signUp("kb-writer");
    const e1 = await a.caller.writer.knowledge.create({
      title: "Who reads me",
      content: "My readers are busy startup founders who want practical marketing advice.",
      category: "audience",
    });
    await a.caller.writer.knowledge.create({
      title: "How I write",
      content: "Short sentences, plain words, one idea per paragraph, a little dry humour.",
      category: "writing_style",
    });
    await a.caller.writer.knowledge.create({
      title: "About me",
      content: "I bake sourdough bread every weekend and used to be a nurse.",
      category: "about_me",
    });
    expect(e1.embedding).toMatchObject({ status: "pending", model: null, attempts: 0 });
    const jobs = await h.raw(
      sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'writer.embed-knowledge' AND data->>'userId' = ${a.me.id}`,
    );
    expect((jobs.rows[0] as { n: number }).n).toBe(3);

    await runEmbedJob(a.me.id);
    const list = await a.caller.writer.knowledge.list();
    expect(list).toHaveLength(3);
    for (const e of list) expect(e.embedding).toMatchObject({ status: "ready", model: "offline-lexical-v1", error: null });
    expect((await a.caller.writer.knowledge.list({ category: "audience" })).map((e) => e.id)).toEqual([e1.id]);

    // Found by keyword (both signals), and by meaning alone when the words are misspelt (no full-text match).
    const byKeyword = await a.caller.writer.knowledge.search({ query: "sourdough", limit: 3 });
    expect(byKeyword[0]?.entry.title).toBe("About me");
    expect(byKeyword[0]?.matched.keyword).toEqual({ rank: 1 });
    expect(byKeyword[0]?.matched.vector?.rank).toBe(1);
    // (Every word misspelt: any one word spelt right is a keyword match.)
    const byMeaning = await a.caller.writer.knowledge.search({ query: "startupp founderz marketng advise", limit: 3 });
    expect(byMeaning[0]?.entry.id).toBe(e1.id);
    expect(byMeaning[0]?.matched.keyword).toBeNull();
    expect(byMeaning[0]?.matched.vector?.similarity).toBeGreaterThan(0);

    // Generation context: the top entries, and which ones were used.
    // Only what is relevant: the two entries about baking and writing style are not fed to the writer.
    const used = await knowledge.retrieveForConcept(h.deps, a.me.id, "marketing advice for founders", 2);
    expect(used.usedEntryIds).toEqual([e1.id]);
    expect(used.context).toContain("[Who reads me]");
  });

  it("returns only relevant entries: nothing for an unrelated query, and a keyword match ranked best", async () => {
    const a = await h.signUp("kb-floor");
    const readers = await a.caller.writer.knowledge.create({
      title: "Who reads me",
      content: "My readers are busy startup founders who want practical marketing advice.",
      category: "audience",
    });
    const bread = await a.caller.writer.knowledge.create({
      title: "About me",
      content: "I bake sourdough bread every weekend and used to be a nurse.",
      category: "about_me",
    });
    await a.caller.writer.knowledge.create({
      title: "How I write",
      content: "Short sentences, plain words, one idea per paragraph, a little dry humour.",
      category: "writing_style",
    });
    await runEmbedJob(a.me.id);

    // Nearest neighbours always exist; unrelated ones are not results (every entry came back, "0% similar").
    expect(await a.caller.writer.knowledge.search({ query: "quantum physics lecture", limit: 10 })).toEqual([]);
    expect(await a.caller.writer.knowledge.search({ query: "garden tomatoes compost", limit: 10 })).toEqual([]);

    // A question that has one of the entry's words is a keyword match, ranked first (was AND: no match).
    const question = await a.caller.writer.knowledge.search({ query: "what do founders want from me?", limit: 10 });
    expect(question.map((m) => m.entry.id)).toEqual([readers.id]);
    expect(question[0]?.matched.keyword).toEqual({ rank: 1 });

    // Every result clears the floor: a keyword match, or close enough in meaning.
    for (const query of ["sourdough weekends", "bread", "startup marketing", "nurse"]) {
      const found = await a.caller.writer.knowledge.search({ query, limit: 10 });
      expect(found.length, query).toBeGreaterThan(0);
      for (const m of found) {
        expect(m.matched.keyword !== null || (m.matched.vector?.similarity ?? 0) >= knowledge.MIN_SIMILARITY, query).toBe(true);
      }
    }
    expect((await a.caller.writer.knowledge.search({ query: "bread", limit: 10 }))[0]?.entry.id).toBe(bread.id);
  });

  it("editing the text re-embeds it (old vector kept until then); a category change does not", async () => {
    const a = await h.signUp("kb-editor");
    const e = await a.caller.writer.knowledge.create({ title: "Voice", content: "Warm and chatty.", category: "writing_style" });
    await runEmbedJob(a.me.id);
    const moved = await a.caller.writer.knowledge.update({ id: e.id, category: "about_me" });
    expect(moved.embedding.status).toBe("ready");
    const edited = await a.caller.writer.knowledge.update({ id: e.id, content: "Formal and precise, never chatty." });
    expect(edited.embedding).toMatchObject({ status: "pending", model: "offline-lexical-v1" });
    // Still searchable by vector while pending.
    expect((await a.caller.writer.knowledge.search({ query: "warm chatty" }))[0]?.matched.vector).not.toBeNull();
    await runEmbedJob(a.me.id);
    expect((await a.caller.writer.knowledge.list())[0]?.embedding.status).toBe("ready");
    expect((await a.caller.writer.knowledge.search({ query: "formal precise" }))[0]?.entry.content).toContain("Formal");
    await a.caller.writer.knowledge.delete({ id: e.id });
    expect(await a.caller.writer.knowledge.list()).toEqual([]);
    await expectTrpcError(a.caller.writer.knowledge.delete({ id: e.id }), "NOT_FOUND");
  });

  it("retries a failing embedding and marks the entries failed after the last attempt", async () => {
    const a = await h.signUp("kb-failing");
    const e = await a.caller.writer.knowledge.create({ title: "Doomed", content: "This will not embed.", category: "about_me" });
    const broken: AiProvider = {
      ...h.deps.ai,
      embed: async () => {
        throw new Error("provider down");
      },
    };
    const failing = { ...worker, ai: broken };
    await expect(runEmbedJob(a.me.id, failing)).rejects.toThrow(/will retry/);
    expect((await a.caller.writer.knowledge.list())[0]?.embedding).toMatchObject({
      status: "pending",
      attempts: 1,
      error: "provider down",
    });
    await expect(runEmbedJob(a.me.id, failing)).rejects.toThrow(/will retry/);
    await runEmbedJob(a.me.id, failing); // the last attempt: marked failed, the job itself completes
    expect((await a.caller.writer.knowledge.list())[0]?.embedding).toMatchObject({
      status: "failed",
      attempts: 3,
      error: "provider down",
    });
    // Saving it again (the UI's retry) sends it back to pending, and a healthy provider embeds it.
    await a.caller.writer.knowledge.update({ id: e.id, title: "Doomed" });
    await runEmbedJob(a.me.id);
    expect((await a.caller.writer.knowledge.list())[0]?.embedding.status).toBe("ready");
  });

  it("re-embeds entries made by another model, in the background", async () => {
    const a = await h.signUp("kb-reembed");
    await a.caller.writer.knowledge.create({ title: "Old", content: "Embedded by last year's model.", category: "about_me" });
    await runEmbedJob(a.me.id);
    await h.raw(sql`UPDATE knowledge_entries SET embedding_model = 'old-model' WHERE user_id = ${a.me.id}`);
    const done = await knowledge.reembedAll(worker, { onlyUsers: [a.me.id] });
    expect(done).toMatchObject({ model: "offline-lexical-v1", embedded: 1 });
    expect((await a.caller.writer.knowledge.list())[0]?.embedding).toMatchObject({
      status: "ready",
      model: "offline-lexical-v1",
    });
  });

  it("refuses bad input", async () => {
    const a = await h.signUp("kb-bad");
    const k = a.caller.writer.knowledge;
    await expectTrpcError(k.create({ title: "x".repeat(201), content: "c", category: "about_me" }), "BAD_REQUEST");
    await expectTrpcError(k.create({ title: "t", content: "c".repeat(20_001), category: "about_me" }), "BAD_REQUEST");
    await expectTrpcError(k.create({ title: "  ", content: "c", category: "about_me" }), "BAD_REQUEST");
    await expectTrpcError(k.create({ title: "t", content: "c", category: "diary" as never }), "BAD_REQUEST");
    await expectTrpcError(k.update({ id: crypto.randomUUID() } as never), "BAD_REQUEST");
    await expectTrpcError(k.update({ id: crypto.randomUUID(), title: "t" }), "NOT_FOUND");
    await expectTrpcError(k.delete({ id: "not-a-uuid" }), "BAD_REQUEST");
    await expectTrpcError(k.search({ query: "" }), "BAD_REQUEST");
    await expectTrpcError(k.search({ query: "q", limit: 0 }), "BAD_REQUEST");
    await expectTrpcError(k.search({ query: "q".repeat(501) }), "BAD_REQUEST");
    expect(await k.search({ query: "the and of" })).toEqual([]); // stop words only, no entries
  });
});

describe("vector search filtered to one user (HNSW iterative scan)", () => {
  it("returns all 5 of a user's entries from among 400 closer entries of other users", async () => {
    const me = await h.signUp("kb-few");
    const others = [await h.signUp("kb-many-1"), await h.signUp("kb-many-2")];
    const topic = "garden tomatoes compost watering seedlings greenhouse";
    // Other users' entries all sit right on the query's topic, so a plain HNSW scan's candidates are theirs:
    // ten times the scan's candidate list (hnsw.ef_search, 40) is plenty to crowd mine out. (It was 2,000,
    // most of this file's time on the embedded database, for no more proof.)
    const texts = Array.from({ length: 400 }, (_, i) => `${topic} variety ${i} tomato garden notes`);
    const { vectors } = await h.deps.ai.embed(texts);
    for (let start = 0; start < texts.length; start += 200) {
      const owner = others[(start / 200) % 2]!.me.id;
      const slice = texts.slice(start, start + 200);
      await h.raw(sql`
        INSERT INTO knowledge_entries (user_id, title, content, category, embedding, embedding_model, embedding_status)
        SELECT ${owner}::uuid, 'Garden ' || t, t, 'about_me', v::vector, 'offline-lexical-v1', 'ready'
          FROM unnest(${slice}::text[], ${vectors.slice(start, start + 200).map((v) => JSON.stringify(v))}::text[]) AS x(t, v)`);
    }
    for (const [i, text] of [
      "Poetry about the sea",
      "Invoices and tax deadlines",
      "My cat sleeps all day",
      "Jazz records I love",
      "Mountain running in winter",
    ].entries()) {
      await me.caller.writer.knowledge.create({ title: `Mine ${i}`, content: text, category: "about_me" });
    }
    await runEmbedJob(me.me.id);
    const [query] = (await h.deps.ai.embed([topic])).vectors as [number[]];

    const vectorSearch = (iterativeScan: boolean, forceIndex: boolean) =>
      asUser(h.db, me.me.id, async (tx) => {
        // Forcing the HNSW path (no seq scan, no sort over the user_id index) is what a large table gets.
        if (forceIndex)
          await sql`SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off`.execute(tx);
        const plan = await sql<{ "QUERY PLAN": string }>`
          EXPLAIN SELECT id FROM knowledge_entries WHERE user_id = ${me.me.id} AND embedding IS NOT NULL
           ORDER BY embedding <=> ${JSON.stringify(query)}::vector LIMIT 50`.execute(tx);
        const usesHnsw = plan.rows.some((r) => r["QUERY PLAN"].includes("knowledge_entries_embedding_idx"));
        const found = await knowledge.hybridSearch(tx, me.me.id, {
          query: topic,
          embedding: query,
          limit: 10,
          iterativeScan,
          signals: ["vector"],
          // The index's recall is measured on every nearest neighbour, relevant or not.
          minSimilarity: 0,
        });
        return { usesHnsw, found: found.map((m) => m.entry.title).sort() };
      });

    const mine = ["Mine 0", "Mine 1", "Mine 2", "Mine 3", "Mine 4"];
    const forced = await vectorSearch(true, true);
    expect(forced.usesHnsw).toBe(true);
    expect(forced.found).toEqual(mine);
    // Without the iterative scan the same index path returns (almost) none of them: the bug it fixes.
    const plain = await vectorSearch(false, true);
    expect(plain.found.length).toBeLessThan(5);
    // And whatever plan the planner picks on its own, the user gets all 5.
    expect((await vectorSearch(true, false)).found).toEqual(mine);
    // Through the API the relevance floor applies: none of mine is about gardens, so none is a result;
    // a query about one of them finds it among the 400 of others'.
    expect(await me.caller.writer.knowledge.search({ query: topic, limit: 10 })).toEqual([]);
    const jazz = await me.caller.writer.knowledge.search({ query: "jazz records", limit: 10 });
    expect(jazz.map((m) => m.entry.title)).toEqual(["Mine 3"]);
  }, 120_000);
});
