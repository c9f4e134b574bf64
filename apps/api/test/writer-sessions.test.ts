/**
 * Writer sessions end to end: tRPC → domain → a real Postgres, with the openai SDK talking to the local
 * OpenAI-compatible server. Every chosen format is generated detached from the request, streams in,
 * and is stored with its rules enforced; knowledge retrieved for the concept is in the prompt and
 * reported; iterations, edits and restores make versions; credits and bad inputs are refused before any
 * model call; another user's ids are NOT_FOUND.
 */

import { getEventListeners } from "node:events";
import { asUser } from "@inkwell/db";
import type { ChatBody } from "@inkwell/domain/ai/testing";
import { type DepsFor, runJob } from "@inkwell/domain/jobs/handlers";
import { embedKnowledgeJob } from "@inkwell/domain/knowledge";
import {
  readNewsletter,
  titleSessionJob,
  type WriterFormat,
  type WriterStreamEvent,
  writerSessions,
  xWeightedLength,
} from "@inkwell/domain/writer";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { createCaller } from "../src/router.ts";
import { expectTrpcError, type Harness, startHarnessWithLocalModel } from "./harness.ts";

type Caller = ReturnType<typeof createCaller>;

let env: Awaited<ReturnType<typeof startHarnessWithLocalModel>>;
let h: Harness;
let worker: DepsFor<"ai" | "mailer">;
beforeAll(async () => {
  env = await startHarnessWithLocalModel();
  h = env.h;
  worker = { db: h.db, ai: h.deps.ai, mailer: undefined as never, log: h.deps.log };
});
afterAll(async () => {
  await writerSessions.settled();
  await env.stop();
});

let counter = 0;
const key = () => `writer-key-${Date.now()}-${++counter}`;
const words = (n: number, word = "word") => Array.from({ length: n }, (_, i) => `${word}${i}`).join(" ");

/** What the local model writes, by the format named in the system prompt (deliberately breaking each format's rules). */
function formatOf(body: ChatBody): WriterFormat | null {
  const system = String(body.messages[0]?.content ?? "");
  if (system.includes("Write a LinkedIn post")) return "linkedin_post";
  if (system.includes("Write an X thread")) return "x_thread";
  if (system.includes("post for Threads")) return "threads_post";
  if (system.includes("Write a blog article")) return "blog_article";
  if (system.includes("Write an email newsletter")) return "newsletter";
  return null;
}

const RULE_BREAKING: Record<WriterFormat, string> = {
  // Markdown and over 3,000 characters.
  linkedin_post: `## Big news\n\n**Bold** opener. ${"A sentence about bakeries and mornings. ".repeat(90)}`,
  // Unnumbered posts, one far over 280.
  x_thread: `Hook: bakeries win mornings.\n\n${"Fresh bread sells itself when people see it early. ".repeat(12)}\n\nThat is the whole trick.`,
  threads_post: `${"Short thought about bread. ".repeat(30)}`,
  // No headings at all.
  blog_article: "Bakeries that post daily sell more.\n\nThey show up in feeds every morning.\n\nCustomers remember them.",
  newsletter: "Subject: Bread week\n\nHi there,\n\nThis week we bake.",
};

const chatRequests = () => env.server.requests.filter((r) => r.path.endsWith("/chat/completions"));
const bodiesAbout = (concept: string) =>
  chatRequests()
    .map((r) => r.body as ChatBody)
    .filter((b) => JSON.stringify(b.messages).includes(concept) && formatOf(b));

/** Drains the session's stream to the end. */
async function collect(caller: Caller, sessionId: string) {
  const events: WriterStreamEvent[] = [];
  const iterable = (await caller.writer.sessions.stream({ sessionId })) as AsyncIterable<unknown>;
  // Each event is tracked (an [id, data] envelope) for SSE reconnects.
  for await (const envelope of iterable) events.push((envelope as [string, WriterStreamEvent])[1]);
  return events;
}

const available = async (caller: Caller) => (await caller.credits.balance()).available;

beforeEach(() => {
  env.server.setReply((body) => {
    const format = formatOf(body);
    return format ? RULE_BREAKING[format] : "Bakery mornings";
  });
  env.server.setTokenDelayMs(0);
  env.server.setFirstTokenDelayMs(0);
});

describe("generation", () => {
  it("generates every chosen format detached, streams them in, enforces each format's rules and charges each", async () => {
    const u = await h.signUp("writer-all");
    const before = await available(u.caller);
    env.server.setTokenDelayMs(2);
    const formats: WriterFormat[] = ["linkedin_post", "x_thread", "threads_post", "blog_article", "newsletter"];
    const concept = "Why small bakeries should post every morning";
    const { sessionId } = await u.caller.writer.sessions.create({ concept, formats, style: "punchy", idempotencyKey: key() });

    // Right away: the session and its outputs exist, streaming.
    const early = await u.caller.writer.sessions.get({ sessionId });
    expect(early.session).toMatchObject({ concept, style: "punchy", pinned: false, title: "New draft", projectName: null });
    // The title is asked for with the session, once, however many outputs finish together (with several
    // formats the "first stored version" check raced and no session was ever titled).
    const titleJobs = () =>
      h.raw(
        sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'writer.title-session' AND data->>'sessionId' = ${sessionId}`,
      );
    expect(((await titleJobs()).rows[0] as { n: number }).n).toBe(1);
    expect(early.outputs.map((o) => o.format)).toEqual(formats);
    expect(early.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(early.messages[0]?.content).toBe(concept);

    const events = await collect(u.caller, sessionId);
    // Partial text arrived before the stored versions.
    const partial = events.filter((e) => e.status === "streaming" && e.content.length > 0);
    expect(partial.length).toBeGreaterThan(0);
    const finals = events.filter((e) => e.status !== "streaming");
    expect(new Set(finals.map((e) => e.outputId)).size).toBe(5);
    expect(finals.every((e) => e.status === "ready" && e.versionId)).toBe(true);

    const { outputs } = await u.caller.writer.sessions.get({ sessionId });
    const by = Object.fromEntries(outputs.map((o) => [o.format, o]));
    for (const o of outputs) expect(o).toMatchObject({ status: "ready", error: null, versionCount: 1, draft: "" });

    const linkedin = by.linkedin_post?.current;
    expect(linkedin?.source).toBe("generated");
    expect([...(linkedin?.content ?? "")].length).toBeLessThanOrEqual(3000);
    expect(linkedin?.content).not.toMatch(/^#|\*\*/m);

    const thread = by.x_thread?.current;
    const parts = thread?.parts ?? [];
    expect(parts.length).toBeGreaterThan(3);
    parts.forEach((p, i) => {
      expect(p.startsWith(`${i + 1}/${parts.length} `)).toBe(true);
      expect(xWeightedLength(p)).toBeLessThanOrEqual(280);
    });
    expect(thread?.content).toBe(parts.join("\n\n"));

    expect([...(by.threads_post?.current?.content ?? "")].length).toBeLessThanOrEqual(500);
    const article = by.blog_article?.current?.content ?? "";
    expect(article).toMatch(/^# \S/);
    expect(article).toMatch(/^## \S/m);
    expect(readNewsletter(by.newsletter?.current?.content ?? "").subject).toBe("Bread week");

    // The final event carries the stored text.
    const threadFinal = finals.find((e) => e.outputId === by.x_thread?.id);
    expect(threadFinal?.parts).toEqual(parts);

    // One metered generation per output (10 credits each).
    expect(await available(u.caller)).toBe(before - 50);
    const generations = await u.caller.usage.generations({});
    expect(generations.filter((g) => g.operation === "writer.generate")).toHaveLength(5);

    // The style is in every request, once per format.
    const bodies = bodiesAbout(concept);
    expect(bodies).toHaveLength(5);
    for (const b of bodies) expect(String(b.messages[0]?.content)).toContain("Style: punchy");

    // The title job names the session after its concept; finishing outputs asked for no second one.
    expect(((await titleJobs()).rows[0] as { n: number }).n).toBe(1);
    await runJob(titleSessionJob, { userId: u.me.id, sessionId }, worker);
    expect((await u.caller.writer.sessions.get({ sessionId })).session.title).toBe("Bakery mornings");
    expect((await u.caller.writer.sessions.list())[0]).toMatchObject({ id: sessionId, title: "Bakery mornings" });
  });

  it("puts the retrieved knowledge in the prompt and reports which entries it used", async () => {
    const u = await h.signUp("writer-kb");
    const sourdough = await u.caller.writer.knowledge.create({
      title: "My bakery",
      content: "I run a small sourdough bakery in Leeds called Crumb & Co, open since 2019.",
      category: "about_me",
    });
    await u.caller.writer.knowledge.create({
      title: "My readers",
      content: "Local families and office workers who buy bread on their way to work.",
      category: "audience",
    });
    await runJob(embedKnowledgeJob, { userId: u.me.id }, worker);

    const concept = "Sourdough bakery mornings for office workers";
    const { sessionId } = await u.caller.writer.sessions.create({
      concept,
      formats: ["linkedin_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const detail = await u.caller.writer.sessions.get({ sessionId });
    expect(detail.knowledgeUsed.map((k) => k.id)).toContain(sourdough.id);
    expect(detail.knowledgeUsed.find((k) => k.id === sourdough.id)).toEqual({
      id: sourdough.id,
      title: "My bakery",
      category: "about_me",
    });
    const [body] = bodiesAbout(concept);
    const system = String(body?.messages[0]?.content);
    expect(system).toContain("Crumb & Co");
    expect(system).toContain("My bakery");

    // Without knowledge: nothing retrieved, nothing reported.
    const concept2 = "Sourdough bakery mornings without notes";
    const plain = await u.caller.writer.sessions.create({
      concept: concept2,
      formats: ["threads_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, plain.sessionId);
    expect((await u.caller.writer.sessions.get({ sessionId: plain.sessionId })).knowledgeUsed).toEqual([]);
    expect(String(bodiesAbout(concept2)[0]?.messages[0]?.content)).not.toContain("Crumb & Co");
  });

  it("replays a retried create instead of generating twice", async () => {
    const u = await h.signUp("writer-retry");
    const k = key();
    const input = { concept: "Retry me once", formats: ["threads_post" as const], style: "polished" as const, idempotencyKey: k };
    const first = await u.caller.writer.sessions.create(input);
    await collect(u.caller, first.sessionId);
    const calls = chatRequests().length;
    expect(await u.caller.writer.sessions.create(input)).toEqual(first);
    expect(chatRequests().length).toBe(calls);
    await expectTrpcError(u.caller.writer.sessions.create({ ...input, concept: "Something else" }), "CONFLICT");
  });

  it("marks an output failed when the model fails, charging nothing for it", async () => {
    const u = await h.signUp("writer-fail");
    const before = await available(u.caller);
    env.server.failNext(1, { status: 500 });
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "A failing generation",
      formats: ["linkedin_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    const events = await collect(u.caller, sessionId);
    expect(events.at(-1)).toMatchObject({ status: "failed", versionId: null });
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(o).toMatchObject({ status: "failed", current: null, versionCount: 0 });
    expect(o?.error).toBeTruthy();
    expect(await available(u.caller)).toBe(before);
  });
});

describe("brand and voice", () => {
  it("writes with the brand kit and the default voice, and never stores a banned phrase (regenerated once, then scrubbed)", async () => {
    const u = await h.signUp("writer-voice");
    await u.caller.brand.save({ brandName: "Crumb & Co", tagline: "Bread before breakfast" });
    const profile = await u.caller.voice.create({ name: "Baker voice", bannedPhrases: ["game changer", "delve"] });

    // The model uses a banned phrase; told once, it complies.
    env.server.setReply((body) => {
      const last = String(body.messages.at(-1)?.content);
      if (last.startsWith("Rewrite it without these phrases")) return "Fresh bread every morning changes a small bakery.";
      return formatOf(body) ? "Posting daily is a Game-Changer for a small bakery." : "Title";
    });
    const concept = "Daily posting for my bakery";
    const { sessionId } = await u.caller.writer.sessions.create({
      concept,
      formats: ["threads_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    const events = await collect(u.caller, sessionId);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(o?.current?.content).toBe("Fresh bread every morning changes a small bakery.");
    expect(events.at(-1)?.content).not.toMatch(/game.changer/i);
    const [first, retry] = bodiesAbout(concept);
    const system = String(first?.messages[0]?.content);
    expect(system).toContain("Crumb & Co");
    expect(system).toContain("Baker voice");
    expect(system).toContain('Never use these phrases: "game changer", "delve".');
    expect(String(retry?.messages.at(-1)?.content)).toContain('"game changer"');
    // One charge for the generation and its retry.
    const generations = (await u.caller.usage.generations({})).filter((g) => g.operation === "writer.generate");
    expect(generations).toHaveLength(1);

    // The model insists: the phrase is scrubbed before anything is stored.
    env.server.setReply((body) => (formatOf(body) ? "We delve into bread. Bread is good." : "Title"));
    const again = await u.caller.writer.sessions.create({
      concept: "Insisting model",
      formats: ["linkedin_post"],
      style: "natural",
      voiceProfileId: profile.id,
      idempotencyKey: key(),
    });
    await collect(u.caller, again.sessionId);
    const [o2] = (await u.caller.writer.sessions.get({ sessionId: again.sessionId })).outputs;
    expect(o2?.status).toBe("ready");
    expect(o2?.current?.content).not.toMatch(/delve/i);
    expect(o2?.current?.content).toContain("Bread is good.");

    // Edits and restores are held to the same rule.
    await expectTrpcError(
      u.caller.writer.sessions.editOutput({ outputId: o2?.id as string, content: "Let us delve in." }),
      "BAD_REQUEST",
    );
    // A phrase banned after a version was written: that version cannot be restored.
    await u.caller.voice.update({ profileId: profile.id, bannedPhrases: ["game changer", "delve", "fresh bread"] });
    await u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: "Warm loaves every morning." });
    const restore = await expectTrpcError(
      u.caller.writer.sessions.restoreVersion({ versionId: o?.current?.id as string }),
      "BAD_REQUEST",
    );
    expect(restore.message).toContain('"fresh bread"');
    const versions = await h.raw(sql`SELECT content FROM writer_output_versions WHERE user_id = ${u.me.id}`);
    for (const v of versions.rows as { content: string }[]) expect(v.content).not.toMatch(/delve|game.changer/i);
    expect((await u.caller.writer.sessions.versions({ outputId: o?.id as string })).map((v) => v.source)).toEqual([
      "edit",
      "generated",
    ]);

    // Another user's voice profile is NOT_FOUND.
    const other = await h.signUp("writer-voice-other");
    await expectTrpcError(
      other.caller.writer.sessions.create({
        concept: "Borrowed voice",
        formats: ["threads_post"],
        style: "natural",
        voiceProfileId: profile.id,
        idempotencyKey: key(),
      }),
      "NOT_FOUND",
    );
  });
});

describe("banned phrases while streaming", () => {
  it("never shows or saves one, not even in the draft of a text still being written", async () => {
    const u = await h.signUp("writer-draft-banned");
    await u.caller.voice.create({ name: "Plain", bannedPhrases: ["delve"] });
    env.server.setReply((body) =>
      formatOf(body) ? `${"Bread sells itself early. We delve into why. ".repeat(12)}The end.` : "Title",
    );
    env.server.setTokenDelayMs(3);
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Streaming a banned phrase",
      formats: ["linkedin_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    const shown: string[] = [];
    const drafts: string[] = [];
    for await (const e of await writerSessions.openStream({ db: h.db }, u.me.id, sessionId)) {
      shown.push(e.content);
      if (e.status !== "streaming") continue;
      const r = await h.raw(sql`SELECT draft FROM writer_outputs WHERE session_id = ${sessionId}`);
      drafts.push((r.rows[0] as { draft: string }).draft);
      drafts.push((await u.caller.writer.sessions.get({ sessionId })).outputs[0]?.draft ?? "");
    }
    expect(drafts.filter((d) => d.includes("Bread sells")).length).toBeGreaterThan(2);
    for (const text of [...shown, ...drafts]) expect(text).not.toMatch(/delve/i);
    expect((await u.caller.writer.sessions.get({ sessionId })).outputs[0]?.current?.content).toContain("Bread sells itself");
  });
});

describe("banned phrases in threads", () => {
  it("finds a banned phrase running from one post into the next, in an edit and in a generation", async () => {
    const u = await h.signUp("writer-thread-banned");
    await u.caller.voice.create({ name: "Plain", bannedPhrases: ["game changer"] });
    // The model's one long post is split mid-phrase: "...game" ends post 1, "changer..." opens post 2.
    const split = `${"x".repeat(268)} game changer for bakeries.`;
    env.server.setReply((body) => {
      const last = String(body.messages.at(-1)?.content);
      if (last.startsWith("Rewrite it without these phrases")) return "1/2 Bread sells itself.\n\n2/2 Post it early.";
      return formatOf(body) ? split : "Title";
    });
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Split phrase",
      formats: ["x_thread"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(o?.current?.parts).toEqual(["1/2 Bread sells itself.", "2/2 Post it early."]);

    const e = await expectTrpcError(
      u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: "1/2 Posting daily is a game\n\n2/2 changer." }),
      "BAD_REQUEST",
    );
    expect(e.message).toContain('"game changer"');
    expect((await u.caller.writer.sessions.versions({ outputId: o?.id as string })).length).toBe(1);
  });
});

describe("refusals", () => {
  it("refuses with PAYMENT_REQUIRED before any model call when credits do not cover every format", async () => {
    const u = await h.signUp("writer-broke");
    await h.raw(sql`UPDATE credit_grants SET remaining = 15 WHERE user_id = ${u.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 15 WHERE user_id = ${u.me.id}`);
    const calls = chatRequests().length;
    const e = await expectTrpcError(
      u.caller.writer.sessions.create({
        concept: "Two formats, credits for one",
        formats: ["linkedin_post", "x_thread"],
        style: "natural",
        idempotencyKey: key(),
      }),
      "PAYMENT_REQUIRED",
    );
    expect(e.message).toContain("20 credits");
    expect(chatRequests().length).toBe(calls);
    expect(await u.caller.writer.sessions.list()).toEqual([]);
  });

  it("surfaces rate limits: all refused is RATE_LIMITED with no trace; a partial refusal fails only that output", async () => {
    const u = await h.signUp("writer-limited");
    const actor = { userId: u.me.id, ip: "10.9.9.9" };
    const deps = {
      ...h.deps,
      rateLimits: { "writer.generate": { perUser: { limit: 1, windowSeconds: 60 }, perIp: { limit: 100, windowSeconds: 60 } } },
    };
    const input = { concept: "Rate limited", style: "natural" as const, useKnowledge: true };
    const { sessionId } = await writerSessions.create(deps, actor, {
      ...input,
      formats: ["linkedin_post", "x_thread"],
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const outputs = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(outputs.map((o) => o.status).sort()).toEqual(["failed", "ready"]);
    expect(outputs.find((o) => o.status === "failed")?.error).toMatch(/faster than allowed/);

    const refused = await writerSessions
      .create(deps, actor, { ...input, formats: ["threads_post"], idempotencyKey: key() })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "RATE_LIMITED" });
    expect((await u.caller.writer.sessions.list()).map((s) => s.id)).toEqual([sessionId]);
  });

  it("validates inputs", async () => {
    const u = await h.signUp("writer-bad");
    const base = { concept: "Fine", formats: ["linkedin_post"], style: "natural", idempotencyKey: key() };
    const create = (over: Record<string, unknown>) => u.caller.writer.sessions.create({ ...base, ...over } as never);
    await expectTrpcError(create({ concept: "   " }), "BAD_REQUEST");
    await expectTrpcError(create({ concept: "x".repeat(5001) }), "BAD_REQUEST");
    await expectTrpcError(create({ formats: [] }), "BAD_REQUEST");
    await expectTrpcError(create({ formats: ["tiktok_video"] }), "BAD_REQUEST");
    await expectTrpcError(create({ formats: ["x_thread", "x_thread"] }), "BAD_REQUEST");
    await expectTrpcError(create({ style: "sarcastic" }), "BAD_REQUEST");
    await expectTrpcError(create({ idempotencyKey: "short" }), "BAD_REQUEST");
    await expectTrpcError(create({ voiceProfileId: "not-a-uuid" }), "BAD_REQUEST");
    expect(await u.caller.writer.sessions.list()).toEqual([]);

    const { sessionId } = await u.caller.writer.sessions.create({ ...base, formats: ["linkedin_post"] } as never);
    await collect(u.caller, sessionId);
    const iterate = (over: Record<string, unknown>) =>
      u.caller.writer.sessions.iterate({ sessionId, instruction: "Shorter", idempotencyKey: key(), ...over } as never);
    await expectTrpcError(iterate({ instruction: " " }), "BAD_REQUEST");
    await expectTrpcError(iterate({ formats: ["blog_article"] }), "BAD_REQUEST");
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    await expectTrpcError(u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: "  " }), "BAD_REQUEST");
    await expectTrpcError(u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: words(700) }), "BAD_REQUEST");
  });

  it("refuses to iterate while an output is still being written", async () => {
    const u = await h.signUp("writer-busy");
    env.server.setTokenDelayMs(30);
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Slow one",
      formats: ["linkedin_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await expectTrpcError(
      u.caller.writer.sessions.iterate({ sessionId, instruction: "Shorter", idempotencyKey: key() }),
      "PRECONDITION_FAILED",
    );
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    await expectTrpcError(
      u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: "Mine" }),
      "PRECONDITION_FAILED",
    );
    // Deleting the session stops its generation.
    await u.caller.writer.sessions.delete({ sessionId });
    await writerSessions.settled();
    await expectTrpcError(u.caller.writer.sessions.get({ sessionId }), "NOT_FOUND");
  });

  it("keeps another user's sessions, outputs and versions NOT_FOUND", async () => {
    const a = await h.signUp("writer-owner");
    const b = await h.signUp("writer-other");
    const { sessionId } = await a.caller.writer.sessions.create({
      concept: "Private concept",
      formats: ["threads_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(a.caller, sessionId);
    const [o] = (await a.caller.writer.sessions.get({ sessionId })).outputs;
    const outputId = o?.id as string;
    await expectTrpcError(b.caller.writer.sessions.get({ sessionId }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.stream({ sessionId }), "NOT_FOUND");
    await expectTrpcError(
      b.caller.writer.sessions.iterate({ sessionId, instruction: "Mine", idempotencyKey: key() }),
      "NOT_FOUND",
    );
    await expectTrpcError(b.caller.writer.sessions.versions({ outputId }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.output({ outputId }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.editOutput({ outputId, content: "Mine" }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.restoreVersion({ versionId: o?.current?.id as string }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.projects.pin({ sessionId, name: "Mine" }), "NOT_FOUND");
    expect(await b.caller.writer.sessions.list({ query: "private" })).toEqual([]);
  });
});

describe("a process that dies mid-generation", () => {
  it("leaves outputs streaming that the sweep marks failed", async () => {
    const u = await h.signUp("writer-stale");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Interrupted",
      formats: ["threads_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    // As if the API process died while writing an hour ago: left streaming, no draft write since. (The
    // touch trigger is off for this one transaction, so the row can be dated: no sleeping, and a sweep
    // threshold no output of another test file — they share the database — can reach.)
    await h.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`UPDATE writer_outputs SET status = 'streaming', draft = 'Half a sen', updated_at = now() - interval '1 hour'
                 WHERE session_id = ${sessionId}`.execute(trx);
    });
    expect((await u.caller.writer.sessions.get({ sessionId })).outputs[0]).toMatchObject({
      status: "streaming",
      draft: "Half a sen",
    });
    // Quiet for less than the threshold: left alone.
    await writerSessions.failStaleOutputs(h.db, 7200);
    expect((await u.caller.writer.sessions.get({ sessionId })).outputs[0]?.status).toBe("streaming");
    expect(await writerSessions.failStaleOutputs(h.db, 1800)).toBeGreaterThanOrEqual(1);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(o).toMatchObject({ status: "failed", draft: "", versionCount: 1 });
    expect(o?.error).toMatch(/interrupted/);
  });
});

describe("money and versions stay together", () => {
  it("charges nothing when the finished text cannot be saved (the session was deleted through another instance)", async () => {
    const u = await h.signUp("writer-lost-save");
    const before = await available(u.caller);
    env.server.setFirstTokenDelayMs(300);
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Deleted elsewhere",
      formats: ["threads_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    // Another API process deletes it: this one's generation is not told and runs to the end.
    await h.raw(sql`DELETE FROM writer_sessions WHERE id = ${sessionId}`);
    await writerSessions.settled();
    expect(await available(u.caller)).toBe(before);
    const gens = await h.raw(sql`SELECT status FROM generations WHERE user_id = ${u.me.id} AND operation = 'writer.generate'`);
    expect(gens.rows).toEqual([{ status: "failed" }]);
  });

  it("answers a create sent twice at once (a double submit) with one session and one charge", async () => {
    const u = await h.signUp("writer-create-race");
    const before = await available(u.caller);
    const input = {
      concept: "Sent twice",
      formats: ["threads_post" as const],
      style: "natural" as const,
      useKnowledge: false,
      idempotencyKey: key(),
    };
    const [a, b] = await Promise.all([u.caller.writer.sessions.create(input), u.caller.writer.sessions.create(input)]);
    expect(b).toEqual(a);
    await collect(u.caller, a.sessionId);
    expect((await u.caller.writer.sessions.list()).map((s) => s.id)).toEqual([a.sessionId]);
    expect(await available(u.caller)).toBe(before - 10);
  });

  it("answers a retried iterate racing the first with the same run: one message, one charge", async () => {
    const u = await h.signUp("writer-iter-race");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Race the retry",
      formats: ["threads_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const before = await available(u.caller);
    const input = { sessionId, instruction: "Shorter", idempotencyKey: key() };
    const [a, b] = await Promise.all([u.caller.writer.sessions.iterate(input), u.caller.writer.sessions.iterate(input)]);
    expect(b).toEqual(a);
    await collect(u.caller, sessionId);
    const detail = await u.caller.writer.sessions.get({ sessionId });
    expect(detail.messages.filter((m) => m.content === "Shorter")).toHaveLength(1);
    expect(detail.outputs[0]?.versionCount).toBe(2);
    expect(await available(u.caller)).toBe(before - 4);
  });

  it("applies the format rules to a restore too: an old text over today's limit is refused, not stored", async () => {
    const u = await h.signUp("writer-restore-rules");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Restore under the rules",
      formats: ["linkedin_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    // A version stored under older, looser rules (or written around the app): 3,500 characters.
    const old = await h.raw(sql`
      INSERT INTO writer_output_versions (output_id, user_id, number, content, source, char_count)
      VALUES (${o?.id}, ${u.me.id}, 2, ${"a".repeat(3500)}, 'edit', 3500) RETURNING id`);
    const versionId = (old.rows[0] as { id: string }).id;
    const e = await expectTrpcError(u.caller.writer.sessions.restoreVersion({ versionId }), "BAD_REQUEST");
    expect(e.message).toBe("A LinkedIn post can be at most 3000 characters; this is 3500.");
    expect((await u.caller.writer.sessions.versions({ outputId: o?.id as string })).length).toBe(2);
  });

  it("refuses an edited thread longer than X takes instead of storing it", async () => {
    const u = await h.signUp("writer-edit-long-thread");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Long thread edit",
      formats: ["x_thread"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    const content = Array.from({ length: 30 }, (_, i) => `Post ${i + 1} of my own thread.`).join("\n\n");
    const e = await expectTrpcError(u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content }), "BAD_REQUEST");
    expect(e.message).toBe("This thread has 30 posts; X takes at most 25. Shorten it.");
    expect((await u.caller.writer.sessions.versions({ outputId: o?.id as string })).length).toBe(1);
  });
});

describe("the stream", () => {
  it("ends when outputs settle, here or on another instance, without piling up abort listeners", async () => {
    const u = await h.signUp("writer-stream-listeners");
    env.server.setTokenDelayMs(5);
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Many snapshots",
      formats: ["linkedin_post", "x_thread"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    const follow = async (onEvent?: (e: WriterStreamEvent) => Promise<void>) => {
      const controller = new AbortController();
      const stream = await writerSessions.openStream({ db: h.db }, u.me.id, sessionId, controller.signal);
      let events = 0;
      let most = 0;
      for await (const e of stream) {
        events++;
        most = Math.max(most, getEventListeners(controller.signal, "abort").length);
        await onEvent?.(e);
      }
      return { events, most, after: getEventListeners(controller.signal, "abort").length };
    };
    // Followed through this process's live bus: many snapshots, one listener.
    const here = await follow();
    expect(here.events).toBeGreaterThan(10);
    expect(here.most).toBeLessThanOrEqual(2);
    expect(here.after).toBe(0);

    // Followed by polling the rows (as if another instance were writing), until the row settles.
    await h.raw(sql`UPDATE writer_outputs SET status = 'streaming', draft = 'Half' WHERE session_id = ${sessionId}`);
    let polls = 0;
    const there = await follow(async (e) => {
      if (e.status !== "streaming") return;
      // Each poll re-reads the rows; settle them after a few.
      if (++polls === 1)
        setTimeout(
          () => void h.raw(sql`UPDATE writer_outputs SET status = 'ready', draft = '' WHERE session_id = ${sessionId}`),
          1500,
        );
    });
    expect(there.most).toBeLessThanOrEqual(2);
    expect(there.after).toBe(0);
  });
});

describe("the tables' own guarantees", () => {
  it("RLS keeps rows under another user's session out, and the current version must be the output's own", async () => {
    const a = await h.signUp("writer-rls-a");
    const b = await h.signUp("writer-rls-b");
    const mk = async (u: typeof a) => {
      const { sessionId } = await u.caller.writer.sessions.create({
        concept: "RLS",
        formats: ["threads_post"],
        style: "natural",
        idempotencyKey: key(),
      });
      await collect(u.caller, sessionId);
      const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
      return { sessionId, outputId: o?.id as string, versionId: o?.current?.id as string };
    };
    const ra = await mk(a);
    const rb = await mk(b);
    // B writes with B's own user_id under A's session / output: refused by the insert policies.
    const asB = <T>(fn: (tx: Parameters<Parameters<typeof asUser>[2]>[0]) => Promise<T>) => asUser(h.db, b.me.id, fn);
    await expect(
      asB((tx) =>
        tx
          .insertInto("writer_messages")
          .values({ session_id: ra.sessionId, user_id: b.me.id, seq: 99, role: "user", content: "x" })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asB((tx) =>
        tx
          .insertInto("writer_output_versions")
          .values({ output_id: ra.outputId, user_id: b.me.id, number: 9, content: "x", source: "edit", char_count: 1 })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asB((tx) => tx.insertInto("writer_projects").values({ session_id: ra.sessionId, user_id: b.me.id, name: "x" }).execute()),
    ).rejects.toThrow(/row-level security/);
    // Nor may B's own session name A's voice profile (a foreign key alone is checked without RLS).
    const aVoice = await a.caller.voice.create({ name: "A's voice" });
    const session = (voiceProfileId: string) =>
      asB((tx) =>
        tx
          .insertInto("writer_sessions")
          .values({ user_id: b.me.id, concept: "x", style: "natural", voice_profile_id: voiceProfileId, idempotency_key: key() })
          .execute(),
      );
    await expect(session(aVoice.id)).rejects.toThrow(/row-level security/);
    await session((await b.caller.voice.create({ name: "B's voice" })).id);
    // B's output cannot point at another output's version, even B's own.
    const other = await mk(b);
    await expect(
      asB((tx) =>
        tx.updateTable("writer_outputs").set({ current_version_id: other.versionId }).where("id", "=", rb.outputId).execute(),
      ),
    ).rejects.toThrow(/writer_outputs_current_version_fk/);
  });
});

describe("iterating, versions and the composer's prefill", () => {
  it("iterates chosen formats into new versions, edits, restores an earlier version and keeps the history", async () => {
    const u = await h.signUp("writer-iterate");
    const concept = "Morning bread drops for a small bakery";
    const { sessionId } = await u.caller.writer.sessions.create({
      concept,
      formats: ["linkedin_post", "x_thread"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const first = await u.caller.writer.sessions.get({ sessionId });
    const linkedin = first.outputs.find((o) => o.format === "linkedin_post");
    const thread = first.outputs.find((o) => o.format === "x_thread");
    const v1 = linkedin?.current;

    env.server.setReply((body) => (formatOf(body) ? "Shorter post about morning bread. #bread" : "title"));
    const before = await available(u.caller);
    const it1 = await u.caller.writer.sessions.iterate({
      sessionId,
      instruction: "Make it much shorter",
      formats: ["linkedin_post"],
      idempotencyKey: key(),
    });
    expect(it1.outputIds).toEqual([linkedin?.id]);
    await collect(u.caller, sessionId);

    // The revision request carried the previous text and the instruction.
    const revision = bodiesAbout(concept).at(-1);
    expect(revision?.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(revision?.messages[2]?.content).toBe(v1?.content);
    expect(String(revision?.messages[3]?.content)).toContain("Make it much shorter");

    const after = await u.caller.writer.sessions.get({ sessionId });
    const revised = after.outputs.find((o) => o.id === linkedin?.id);
    expect(revised?.current).toMatchObject({
      number: 2,
      source: "iteration",
      instruction: "Make it much shorter",
      content: "Shorter post about morning bread. #bread",
    });
    expect(revised?.versionCount).toBe(2);
    expect(after.outputs.find((o) => o.id === thread?.id)?.versionCount).toBe(1);
    expect(after.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", concept],
      ["assistant", "Writing your LinkedIn post and X thread in a natural style."],
      ["user", "Make it much shorter"],
      ["assistant", "Revising your LinkedIn post."],
    ]);
    expect(await available(u.caller)).toBe(before - 4);

    // Edit, then restore the first version: each is a new current version; nothing is lost.
    const edited = await u.caller.writer.sessions.editOutput({ outputId: linkedin?.id as string, content: "My own words." });
    expect(edited.current).toMatchObject({ number: 3, source: "edit", content: "My own words." });
    const restored = await u.caller.writer.sessions.restoreVersion({ versionId: v1?.id as string });
    expect(restored.current).toMatchObject({
      number: 4,
      source: "restore",
      content: v1?.content,
      instruction: "Restored version 1",
    });
    const versions = await u.caller.writer.sessions.versions({ outputId: linkedin?.id as string });
    expect(versions.map((v) => [v.number, v.source])).toEqual([
      [4, "restore"],
      [3, "edit"],
      [2, "iteration"],
      [1, "generated"],
    ]);

    // An edited thread is split and numbered again.
    const threadEdit = await u.caller.writer.sessions.editOutput({
      outputId: thread?.id as string,
      content: `${"Crumbs everywhere and nobody minds at all. ".repeat(10)}`,
    });
    expect(threadEdit.current?.parts?.length).toBeGreaterThan(1);
    for (const p of threadEdit.current?.parts ?? []) expect(xWeightedLength(p)).toBeLessThanOrEqual(280);

    // The composer's prefill: the thread's posts, ready for X.
    const prefill = await u.caller.writer.sessions.output({ outputId: thread?.id as string });
    expect(prefill.current?.id).toBe(threadEdit.current?.id);
    expect(prefill.prefill).toEqual({ platform: "x", parts: threadEdit.current?.parts, title: null });

    // A retried iterate is a replay, not a second run.
    const k = key();
    await u.caller.writer.sessions.iterate({ sessionId, instruction: "Warmer", formats: ["x_thread"], idempotencyKey: k });
    await collect(u.caller, sessionId);
    const calls = chatRequests().length;
    const replay = await u.caller.writer.sessions.iterate({
      sessionId,
      instruction: "Warmer",
      formats: ["x_thread"],
      idempotencyKey: k,
    });
    expect(replay.outputIds).toEqual([thread?.id]);
    expect(chatRequests().length).toBe(calls);
  });

  it("keeps the current version when an iteration fails", async () => {
    const u = await h.signUp("writer-iter-fail");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Iteration that fails",
      formats: ["threads_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const [before] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    env.server.failNext(1, { status: 500 });
    await u.caller.writer.sessions.iterate({ sessionId, instruction: "Punchier", idempotencyKey: key() });
    await collect(u.caller, sessionId);
    const [after] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(after?.status).toBe("failed");
    expect(after?.current).toEqual(before?.current);
    expect(after?.versionCount).toBe(1);
  });
});

describe("listing, search and projects", () => {
  it("lists newest first with full-text search (prefix as you type) and keyset pages; renames and deletes", async () => {
    const u = await h.signUp("writer-list");
    const ids: string[] = [];
    for (const concept of ["Sourdough starters explained", "Croissant lamination tips", "Pricing for market stalls"]) {
      const { sessionId } = await u.caller.writer.sessions.create({
        concept,
        formats: ["threads_post"],
        style: "natural",
        idempotencyKey: key(),
      });
      await collect(u.caller, sessionId);
      ids.push(sessionId);
    }
    const all = await u.caller.writer.sessions.list();
    expect(all.map((s) => s.id)).toEqual([...ids].reverse());
    expect(all[0]).toMatchObject({ formats: ["threads_post"], projectId: null, pinned: false });

    expect((await u.caller.writer.sessions.list({ query: "croiss" })).map((s) => s.id)).toEqual([ids[1]]);
    expect((await u.caller.writer.sessions.list({ query: "lamination croissant" })).map((s) => s.id)).toEqual([ids[1]]);
    expect(await u.caller.writer.sessions.list({ query: "baguette" })).toEqual([]);
    expect(await u.caller.writer.sessions.list({ query: "!!!" })).toEqual([]);

    const page1 = await u.caller.writer.sessions.list({ limit: 2 });
    const last = page1.at(-1);
    const page2 = await u.caller.writer.sessions.list({
      limit: 2,
      cursor: { createdAt: last?.createdAt as Date, id: last?.id as string },
    });
    expect([...page1, ...page2].map((s) => s.id)).toEqual([...ids].reverse());

    const renamed = await u.caller.writer.sessions.rename({ sessionId: ids[0] as string, title: "Starter guide" });
    expect(renamed.title).toBe("Starter guide");
    expect((await u.caller.writer.sessions.list({ query: "guide" })).map((s) => s.id)).toEqual([ids[0]]);
    // The worker never renames a session the user named.
    await runJob(titleSessionJob, { userId: u.me.id, sessionId: ids[0] as string }, worker);
    expect((await u.caller.writer.sessions.get({ sessionId: ids[0] as string })).session.title).toBe("Starter guide");

    await u.caller.writer.sessions.delete({ sessionId: ids[2] as string });
    expect((await u.caller.writer.sessions.list()).map((s) => s.id)).toEqual([ids[1], ids[0]]);
    await expectTrpcError(u.caller.writer.sessions.delete({ sessionId: ids[2] as string }), "NOT_FOUND");
  });

  it("pins a session as a project, lists projects by tag, updates and unpins it", async () => {
    const u = await h.signUp("writer-projects");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Holiday bake schedule",
      formats: ["linkedin_post", "newsletter"],
      style: "polished",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const project = await u.caller.writer.projects.pin({
      sessionId,
      name: "Holidays",
      description: "Everything for December",
      tags: ["Seasonal", "seasonal", "december"],
    });
    expect(project).toMatchObject({
      sessionId,
      name: "Holidays",
      tags: ["seasonal", "december"],
      session: { concept: "Holiday bake schedule", formats: ["linkedin_post", "newsletter"] },
    });
    await expectTrpcError(u.caller.writer.projects.pin({ sessionId, name: "Again" }), "CONFLICT");
    // A pinned session carries its project's name, which the sidebar shows (it showed "New draft ★").
    expect((await u.caller.writer.sessions.get({ sessionId })).session).toMatchObject({ pinned: true, projectName: "Holidays" });
    expect((await u.caller.writer.sessions.list())[0]).toMatchObject({ projectId: project.id, projectName: "Holidays" });

    expect((await u.caller.writer.projects.list({ tag: "december" })).map((p) => p.id)).toEqual([project.id]);
    expect(await u.caller.writer.projects.list({ tag: "summer" })).toEqual([]);
    const updated = await u.caller.writer.projects.update({ projectId: project.id, name: "Christmas", tags: ["xmas"] });
    expect(updated).toMatchObject({ name: "Christmas", description: "Everything for December", tags: ["xmas"] });
    expect((await u.caller.writer.sessions.list())[0]?.projectName).toBe("Christmas");
    await expectTrpcError(u.caller.writer.projects.update({ projectId: project.id } as never), "BAD_REQUEST");

    await u.caller.writer.projects.unpin({ projectId: project.id });
    expect(await u.caller.writer.projects.list()).toEqual([]);
    expect((await u.caller.writer.sessions.get({ sessionId })).session).toMatchObject({ pinned: false, projectName: null });
    await expectTrpcError(u.caller.writer.projects.unpin({ projectId: project.id }), "NOT_FOUND");
  });
});
