/**
 * Writer sessions end to end: tRPC → domain → a real Postgres, with the openai SDK talking to the local
 * OpenAI-compatible server. Every chosen format is generated detached from the request, streams in,
 * and is stored with its rules enforced; knowledge retrieved for the concept is in the prompt and
 * reported; the brand kit and voice shape the prompt and banned phrases never reach a reader.
 * Refusals and money: writer-sessions-refusals.test.ts; versions, streams and lists:
 * writer-sessions-versions.test.ts.
 */

import { runJob } from "@inkwell/domain/jobs/handlers";
import { embedKnowledgeJob } from "@inkwell/domain/knowledge";
import { readNewsletter, titleSessionJob, type WriterFormat, writerSessions, xWeightedLength } from "@inkwell/domain/writer";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness } from "./harness.ts";
import { available, collect, formatOf, key, startWriterEnv, type WriterEnv } from "./writer-sessions-env.ts";

let env: WriterEnv;
let h: Harness;
let worker: WriterEnv["worker"];
beforeAll(async () => {
  env = await startWriterEnv();
  ({ h, worker } = env);
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

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
    const bodies = env.bodiesAbout(concept);
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
    const [body] = env.bodiesAbout(concept);
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
    expect(String(env.bodiesAbout(concept2)[0]?.messages[0]?.content)).not.toContain("Crumb & Co");
  });

  it("replays a retried create instead of generating twice", async () => {
    const u = await h.signUp("writer-retry");
    const k = key();
    const input = { concept: "Retry me once", formats: ["threads_post" as const], style: "polished" as const, idempotencyKey: k };
    const first = await u.caller.writer.sessions.create(input);
    await collect(u.caller, first.sessionId);
    const calls = env.chatRequests().length;
    expect(await u.caller.writer.sessions.create(input)).toEqual(first);
    expect(env.chatRequests().length).toBe(calls);
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
    const [first, retry] = env.bodiesAbout(concept);
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
