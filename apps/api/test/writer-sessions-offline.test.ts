/**
 * Writer sessions with the offline provider (the embedded default and the browser tests): every format
 * comes out ready and within its rules, grounded in the knowledge entries it reports.
 */
import { type DepsFor, runJob } from "@inkwell/domain/jobs/handlers";
import { embedKnowledgeJob } from "@inkwell/domain/knowledge";
import { readNewsletter, titleSessionJob, type WriterFormat, writerSessions, xWeightedLength } from "@inkwell/domain/writer";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await writerSessions.settled();
  await h.stop();
});

it("writes every format offline within its rules", async () => {
  const u = await h.signUp("writer-offline");
  await u.caller.writer.knowledge.create({
    title: "My bakery",
    content: "I run a small sourdough bakery in Leeds and bake before dawn.",
    category: "about_me",
  });
  const worker: DepsFor<"ai" | "mailer"> = { db: h.db, ai: h.deps.ai, mailer: undefined as never, log: h.deps.log };
  await runJob(embedKnowledgeJob, { userId: u.me.id }, worker);
  const formats: WriterFormat[] = ["linkedin_post", "x_thread", "threads_post", "blog_article", "newsletter"];
  const { sessionId } = await u.caller.writer.sessions.create({
    concept: "Why a sourdough bakery should post every morning",
    formats,
    style: "punchy",
    idempotencyKey: `offline-${Date.now()}`,
  });
  for await (const _ of (await u.caller.writer.sessions.stream({ sessionId })) as AsyncIterable<unknown>) {
    // until every output is settled
  }
  const detail = await u.caller.writer.sessions.get({ sessionId });
  expect(detail.knowledgeUsed.map((k) => k.title)).toEqual(["My bakery"]);
  const by = Object.fromEntries(detail.outputs.map((o) => [o.format, o.current?.content ?? ""]));
  for (const o of detail.outputs) expect(o.status, o.format).toBe("ready");
  expect([...(by.linkedin_post ?? "")].length).toBeLessThanOrEqual(3000);
  const thread = detail.outputs.find((o) => o.format === "x_thread")?.current?.parts ?? [];
  expect(thread.length).toBeGreaterThan(1);
  for (const [i, p] of thread.entries()) {
    expect(p.startsWith(`${i + 1}/${thread.length} `)).toBe(true);
    expect(xWeightedLength(p)).toBeLessThanOrEqual(280);
  }
  expect([...(by.threads_post ?? "")].length).toBeLessThanOrEqual(500);
  expect(by.blog_article).toMatch(/^# \S[\s\S]*\n## \S/);
  expect(readNewsletter(by.newsletter ?? "").subject).not.toBe("");
  // Notes about the writer are used, never cited: no "[1]" in any format.
  for (const o of detail.outputs) expect(o.current?.content, o.format).not.toMatch(/\[\d+\]/);

  // Titled after its concept, though five outputs finished together.
  await runJob(titleSessionJob, { userId: u.me.id, sessionId }, worker);
  expect((await u.caller.writer.sessions.get({ sessionId })).session.title).toBe("Why a sourdough bakery should post");
});

it("with phrases banned, writes every format clean: no instruction text, no broken sentence, the concept kept", async () => {
  const u = await h.signUp("writer-offline-banned");
  const banned = ["start small", "keep going", "day one"];
  await u.caller.voice.create({ name: "Plain", bannedPhrases: banned });
  const formats: WriterFormat[] = ["linkedin_post", "x_thread", "threads_post", "blog_article", "newsletter"];
  for (const style of ["natural", "polished", "punchy"] as const) {
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Why a sourdough bakery should post every morning",
      formats,
      style,
      idempotencyKey: `offline-banned-${style}-${Date.now()}`,
    });
    await writerSessions.settled();
    for (const o of (await u.caller.writer.sessions.get({ sessionId })).outputs) {
      const text = o.current?.content ?? "";
      expect(o.status, `${style} ${o.format}`).toBe("ready");
      expect(text).not.toMatch(/start small|keep going|day one/i);
      expect(text).not.toMatch(/rewrite it|which the writer never uses|without these phrases/i);
      expect(text).not.toMatch(/\s[.,;:!?](?:\s|$)|\bon\.$/m);
      expect(text.toLowerCase()).toContain("sourdough bakery");
    }
  }
});
