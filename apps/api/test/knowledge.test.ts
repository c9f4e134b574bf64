/**
 * The writer's knowledge base end to end on a real Postgres (pgvector): entries are embedded by the
 * worker's job handler and become ready; hybrid search finds them by meaning and by keyword; failures
 * are retried and then marked failed; a model change re-embeds while old vectors keep serving. (A user
 * with few entries among many: packages/domain/src/knowledge/knowledge.search.test.ts.)
 */
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
