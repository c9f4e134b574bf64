/**
 * Voice profiles end to end on a real Postgres: profiles and the default, samples enqueueing the
 * analysis in the same transaction, the worker's job measuring the fingerprint and writing a metered
 * description, retries then failure, guidance for generations, and bad input.
 * (Cross-user isolation of every id-bearing voice procedure is the inventory sweep's job.)
 */
import { asUser } from "@inkwell/db";
import type { AiProvider } from "@inkwell/domain/ai";
import { runJob as runRegisteredJob, type WorkerDeps } from "@inkwell/domain/jobs/handlers";
import { analyzeProfileJob, findBannedPhrases, voice } from "@inkwell/domain/voice";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
let worker: WorkerDeps;
beforeAll(async () => {
  h = await startHarness();
  worker = { db: h.db, ai: h.deps.ai, mailer: undefined as never, log: h.deps.log };
});
afterAll(() => h.stop());

const SAMPLE = `Here's the thing about shipping: nobody waits for perfect. I ship small, I ship often, and I learn fast!
Do you really need another meeting? Probably not. Write it down, send it, move on.
Here's what I tell every new founder: your first version will embarrass you — that's the point.`;

const runJob = (userId: string, profileId: string, deps: WorkerDeps = worker) =>
  runRegisteredJob(analyzeProfileJob, { userId, profileId, ip: "10.9.9.9" }, deps);

async function jobsFor(profileId: string) {
  const r = await h.raw(
    sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'voice.analyze-profile' AND data->>'profileId' = ${profileId}`,
  );
  return (r.rows[0] as { n: number }).n;
}

describe("voice profiles", () => {
  it("creates profiles (the first is the default), merges tuning edits and keeps banned phrases", async () => {
    const a = await h.signUp("voice-owner");
    const first = await a.caller.voice.create({ name: "Founder voice" });
    expect(first).toMatchObject({ isDefault: true, status: "empty", sampleCount: 0, fingerprint: null, bannedPhrases: [] });
    expect(Object.values(first.tuning)).toEqual(Array(9).fill(5));
    const second = await a.caller.voice.create({ name: "Formal", tuning: { formality: 9 }, bannedPhrases: ["synergy"] });
    expect(second).toMatchObject({ isDefault: false, bannedPhrases: ["synergy"] });
    expect(second.tuning.formality).toBe(9);

    const updated = await a.caller.voice.update({
      profileId: second.id,
      tuning: { emoji: 0 },
      bannedPhrases: ["Game changer", "game  CHANGER", "delve"],
    });
    expect(updated.tuning).toMatchObject({ formality: 9, emoji: 0, energy: 5 });
    // Duplicates (ignoring case and spacing) are dropped.
    expect(updated.bannedPhrases).toEqual(["Game changer", "delve"]);

    expect((await a.caller.voice.list()).map((p) => [p.name, p.isDefault])).toEqual([
      ["Founder voice", true],
      ["Formal", false],
    ]);
    await a.caller.voice.setDefault({ profileId: second.id });
    expect((await a.caller.voice.list()).map((p) => p.isDefault)).toEqual([false, true]);
    // Deleting the default hands it to the oldest remaining profile.
    await a.caller.voice.delete({ profileId: second.id });
    expect((await a.caller.voice.list()).map((p) => [p.name, p.isDefault])).toEqual([["Founder voice", true]]);
    await expectTrpcError(a.caller.voice.get({ profileId: second.id }), "NOT_FOUND");
  });

  it("a sample enqueues the analysis; the job measures it and writes a charged description", async () => {
    const a = await h.signUp("voice-sampler");
    const p = await a.caller.voice.create({ name: "Mine" });
    const before = await a.caller.credits.balance();
    const withSample = await a.caller.voice.addSample({ profileId: p.id, source: "paste", content: SAMPLE });
    expect(withSample).toMatchObject({ status: "pending", sampleCount: 1 });
    expect(withSample.samples[0]).toMatchObject({ source: "paste", filename: null, content: SAMPLE });
    expect(withSample.wordCount).toBeGreaterThan(40);
    expect(await jobsFor(p.id)).toBe(1);
    // Started a moment later, so a burst of uploads is analysed (and charged) once.
    const delayed = await h.raw(
      sql`SELECT bool_and(start_after >= created_on + interval '1 second') AS ok FROM pgboss.job WHERE name = 'voice.analyze-profile' AND data->>'profileId' = ${p.id}`,
    );
    expect((delayed.rows[0] as { ok: boolean }).ok).toBe(true);

    await runJob(a.me.id, p.id);
    const ready = await a.caller.voice.get({ profileId: p.id });
    expect(ready.status).toBe("ready");
    expect(ready.error).toBeNull();
    expect(ready.analyzedAt).toBeInstanceOf(Date);
    expect(ready.description?.length).toBeGreaterThan(20);
    expect(ready.fingerprint).toMatchObject({ version: 1, sampleCount: 1 });
    expect(ready.fingerprint?.per1000Words.exclamation).toBeGreaterThan(0);
    expect(ready.fingerprint?.per1000Words.contraction).toBeGreaterThan(0);
    expect(ready.fingerprint?.openings[0]?.text).toBe("here's");

    // Metered like every AI call: one voice.analyze generation, its price captured.
    const gens = await a.caller.usage.generations({ operation: "voice.analyze" });
    expect(gens).toHaveLength(1);
    expect(gens[0]).toMatchObject({ status: "succeeded", credits: 15, topic: "Mine" });
    expect((await a.caller.credits.balance()).available).toBe(before.available - 15);

    // A second run of the same job finds nothing pending and charges nothing.
    await runJob(a.me.id, p.id);
    expect(await a.caller.usage.generations({ operation: "voice.analyze" })).toHaveLength(1);

    // An upload (text read in the browser) is a second sample; the analysis is pending again.
    const two = await a.caller.voice.addSample({
      profileId: p.id,
      source: "upload",
      filename: "newsletter.md",
      content: "# Notes\n\nShort lines. Plain words. No fluff, ever.",
    });
    expect(two).toMatchObject({ status: "pending", sampleCount: 2 });
    await runJob(a.me.id, p.id);
    expect((await a.caller.voice.get({ profileId: p.id })).fingerprint?.sampleCount).toBe(2);

    // Removing a sample re-analyses; removing the last empties the profile.
    const after = await a.caller.voice.removeSample({ sampleId: two.samples[1]?.id as string });
    expect(after).toMatchObject({ status: "pending", sampleCount: 1 });
    const empty = await a.caller.voice.removeSample({ sampleId: two.samples[0]?.id as string });
    expect(empty).toMatchObject({ status: "empty", sampleCount: 0, fingerprint: null, description: null });
    await runJob(a.me.id, p.id); // the queued job finds nothing to do
    expect((await a.caller.voice.get({ profileId: p.id })).status).toBe("empty");
    await expectTrpcError(a.caller.voice.analyze({ profileId: p.id }), "PRECONDITION_FAILED");
  });

  it("retries a failing description, then marks the analysis failed but keeps the measured fingerprint", async () => {
    const a = await h.signUp("voice-failing");
    const p = await a.caller.voice.create({ name: "Doomed" });
    await a.caller.voice.addSample({ profileId: p.id, source: "paste", content: SAMPLE });
    const broken: AiProvider = {
      ...h.deps.ai,
      chat: async () => {
        throw new Error("model down");
      },
    };
    const failing = { ...worker, ai: broken };
    await expect(runJob(a.me.id, p.id, failing)).rejects.toThrow(/will retry/);
    expect(await a.caller.voice.get({ profileId: p.id })).toMatchObject({ status: "pending", error: "model down" });
    await expect(runJob(a.me.id, p.id, failing)).rejects.toThrow(/will retry/);
    await runJob(a.me.id, p.id, failing); // the last attempt: failed, the job completes
    const failed = await a.caller.voice.get({ profileId: p.id });
    expect(failed).toMatchObject({ status: "failed", error: "model down", description: null });
    expect(failed.fingerprint?.wordCount).toBeGreaterThan(40);
    // Failed attempts cost nothing.
    expect((await a.caller.usage.generations({ operation: "voice.analyze" })).map((g) => [g.status, g.credits])).toEqual([
      ["failed", 0],
      ["failed", 0],
      ["failed", 0],
    ]);
    // "Analyze" again with a healthy model.
    expect(await a.caller.voice.analyze({ profileId: p.id })).toMatchObject({ status: "pending", error: null });
    await runJob(a.me.id, p.id);
    expect((await a.caller.voice.get({ profileId: p.id })).status).toBe("ready");
  });

  it("an analysis overtaken by a sample change is discarded and not charged; the next one is", async () => {
    const a = await h.signUp("voice-overtaken");
    const p = await a.caller.voice.create({ name: "Moving" });
    await a.caller.voice.addSample({ profileId: p.id, source: "paste", content: SAMPLE });
    const before = (await a.caller.credits.balance()).available;
    // The user adds a second sample while the model is describing the first.
    const overtaken: AiProvider = {
      ...h.deps.ai,
      chat: async (request, options) => {
        await a.caller.voice.addSample({ profileId: p.id, source: "paste", content: "A second sample, added meanwhile." });
        return h.deps.ai.chat(request, options);
      },
    };
    await runJob(a.me.id, p.id, { ...worker, ai: overtaken });
    expect(await a.caller.voice.get({ profileId: p.id })).toMatchObject({ status: "pending", description: null });
    expect((await a.caller.credits.balance()).available).toBe(before);
    await runJob(a.me.id, p.id);
    expect(await a.caller.voice.get({ profileId: p.id })).toMatchObject({ status: "ready", sampleCount: 2 });
    expect((await a.caller.usage.generations({ operation: "voice.analyze" })).map((g) => [g.status, g.credits])).toEqual([
      ["succeeded", 15],
      ["failed", 0],
    ]);
    expect((await a.caller.credits.balance()).available).toBe(before - 15);
  });

  it("out of credits: the analysis fails at once with the reason, keeps the fingerprint and charges nothing", async () => {
    const a = await h.signUp("voice-broke");
    const p = await a.caller.voice.create({ name: "Broke" });
    await a.caller.voice.addSample({ profileId: p.id, source: "paste", content: SAMPLE });
    await h.raw(sql`UPDATE credit_grants SET remaining = 0 WHERE user_id = ${a.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 0 WHERE user_id = ${a.me.id}`);
    await runJob(a.me.id, p.id); // final: no retry is thrown
    const failed = await a.caller.voice.get({ profileId: p.id });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/credits/i);
    expect(failed.fingerprint?.sampleCount).toBe(1);
    expect(await a.caller.usage.generations({ operation: "voice.analyze" })).toEqual([]);
  });

  it("gives generations guidance: the default (or a chosen) profile as instructions, tuning and banned phrases", async () => {
    const a = await h.signUp("voice-guided");
    const other = await h.signUp("voice-other");
    expect(await asUser(h.db, a.me.id, (tx) => voice.guidanceFor(tx, a.me.id, null))).toBeNull();
    const p = await a.caller.voice.create({ name: "Guided", tuning: { sentenceLength: 2 }, bannedPhrases: ["game changer"] });
    await a.caller.voice.addSample({ profileId: p.id, source: "paste", content: SAMPLE });
    await runJob(a.me.id, p.id);
    const g = await asUser(h.db, a.me.id, (tx) => voice.guidanceFor(tx, a.me.id, null));
    expect(g).toMatchObject({ profileId: p.id, name: "Guided", bannedPhrases: ["game changer"] });
    expect(g?.tuning.sentenceLength).toBe(2);
    expect(g?.prompt).toContain("sentence length 2/10");
    expect(g?.prompt).toContain("Measured in their samples");
    expect(g?.prompt).toContain('"game changer"');
    expect((await asUser(h.db, a.me.id, (tx) => voice.guidanceFor(tx, a.me.id, p.id)))?.profileId).toBe(p.id);
    // Someone else's profile id is not found, even asked for explicitly.
    await expect(asUser(h.db, other.me.id, (tx) => voice.guidanceFor(tx, other.me.id, p.id))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // Generating with the guidance through the (offline) provider, then checking for banned phrases.
    const out = await h.deps.ai.chat({
      messages: [
        { role: "system", content: g?.prompt ?? "" },
        { role: "user", content: "Write a LinkedIn post about shipping early." },
      ],
    });
    expect(findBannedPhrases(out.text, g?.bannedPhrases ?? [])).toEqual([]);
  });
});

describe("bad input", () => {
  it("refuses out-of-range tuning, unknown axes, oversized banned phrase lists and bad samples", async () => {
    const a = await h.signUp("voice-bad");
    const p = await a.caller.voice.create({ name: "Target" });
    const bad: unknown[] = [
      { profileId: p.id, tuning: { formality: 11 } },
      { profileId: p.id, tuning: { formality: -1 } },
      { profileId: p.id, tuning: { formality: 2.5 } },
      { profileId: p.id, tuning: { sarcasm: 3 } },
      { profileId: p.id, bannedPhrases: ["x".repeat(101)] },
      { profileId: p.id, bannedPhrases: Array.from({ length: 201 }, (_, i) => `phrase ${i}`) },
      { profileId: p.id, bannedPhrases: [" "] },
      { profileId: p.id, bannedPhrases: ["two\nlines"] },
      { profileId: p.id },
      { profileId: "not-a-uuid", name: "x" },
      { profileId: p.id, name: "" },
      { profileId: p.id, name: "n".repeat(81) },
    ];
    for (const input of bad) {
      await expectTrpcError(a.caller.voice.update(input as never), "BAD_REQUEST").catch((e) => {
        throw new Error(`${JSON.stringify(input).slice(0, 80)}: ${(e as Error).message}`);
      });
    }
    // At the limits it is fine.
    const ok = await a.caller.voice.update({
      profileId: p.id,
      tuning: { formality: 0, storytelling: 10 },
      bannedPhrases: Array.from({ length: 200 }, (_, i) => `phrase ${i} ${"y".repeat(80)}`),
    });
    expect(ok.bannedPhrases).toHaveLength(200);

    const badSamples: unknown[] = [
      { profileId: p.id, source: "paste", content: "too short" },
      { profileId: p.id, source: "paste", content: "x".repeat(20_001) },
      { profileId: p.id, source: "upload", content: SAMPLE },
      { profileId: p.id, source: "upload", filename: "photo.png", content: SAMPLE },
      { profileId: p.id, source: "paste", filename: "notes.txt", content: SAMPLE },
      { profileId: p.id, source: "email", content: SAMPLE },
      { profileId: p.id, source: "paste", content: `binary\u0000${SAMPLE}` },
    ];
    for (const input of badSamples) {
      await expectTrpcError(a.caller.voice.addSample(input as never), "BAD_REQUEST").catch((e) => {
        throw new Error(`${JSON.stringify(input).slice(0, 80)}: ${(e as Error).message}`);
      });
    }
    await expectTrpcError(a.caller.voice.create({ name: "x", tuning: { emoji: 42 } }), "BAD_REQUEST");
    await expectTrpcError(a.caller.voice.removeSample({ sampleId: p.id }), "NOT_FOUND");
    expect((await a.caller.voice.get({ profileId: p.id })).sampleCount).toBe(0);
  });

  it("limits profiles per user and samples per profile", async () => {
    const a = await h.signUp("voice-limits");
    const p = await a.caller.voice.create({ name: "Full" });
    for (let i = 0; i < 20; i++) {
      await a.caller.voice.addSample({ profileId: p.id, source: "paste", content: `Sample number ${i}, written plainly.` });
    }
    await expectTrpcError(
      a.caller.voice.addSample({ profileId: p.id, source: "paste", content: "One sample too many, refused." }),
      "PRECONDITION_FAILED",
    );
    for (let i = 1; i < 20; i++) await a.caller.voice.create({ name: `Voice ${i}` });
    await expectTrpcError(a.caller.voice.create({ name: "One too many" }), "PRECONDITION_FAILED");
  });
});
