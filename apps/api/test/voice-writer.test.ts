/**
 * The tuning measurably changes what the writer produces, through the real product path: a trained
 * voice, writer sessions generated with it (offline provider), the outputs measured with the voice
 * fingerprint — before and after the user moves the sliders.
 */
import { runJob } from "@inkwell/domain/jobs/handlers";
import { analyzeProfileJob, fingerprint, type VoiceFingerprint, type VoiceTuning } from "@inkwell/domain/voice";
import { writerSessions } from "@inkwell/domain/writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await writerSessions.settled();
  await h.stop();
});

type User = Awaited<ReturnType<Harness["signUp"]>>;

const SAMPLE = `I run a tiny bakery. Most mornings start at four. I post a photo of the first loaf, every single day.
It's not fancy. People notice anyway, and they come in asking about the sourdough they saw.`;

async function generate(u: User, profileId: string, concept: string): Promise<VoiceFingerprint> {
  const { sessionId } = await u.caller.writer.sessions.create({
    concept,
    formats: ["linkedin_post", "blog_article"],
    style: "natural",
    voiceProfileId: profileId,
    idempotencyKey: `voice-writer-${crypto.randomUUID()}`,
  });
  await writerSessions.settled();
  const { outputs } = await u.caller.writer.sessions.get({ sessionId });
  expect(outputs.map((o) => o.status)).toEqual(["ready", "ready"]);
  return fingerprint(outputs.map((o) => o.current?.content ?? ""));
}

describe("voice tuning through the writer", () => {
  it("moves sentence length, emoji, contractions and exclamation marks the way the sliders say", async () => {
    const u = await h.signUp("voice-writer");
    const p = await u.caller.voice.create({ name: "Baker" });
    await u.caller.voice.addSample({ profileId: p.id, source: "paste", content: SAMPLE });
    await runJob(
      analyzeProfileJob,
      { userId: u.me.id, profileId: p.id, ip: "10.1.1.1" },
      { db: h.db, ai: h.deps.ai, mailer: undefined as never, log: h.deps.log },
    );
    const concepts = ["Why small bakeries should post every morning", "Pricing a sourdough subscription"];

    const tune = (tuning: Partial<VoiceTuning>) => u.caller.voice.update({ profileId: p.id, tuning });
    await tune({ sentenceLength: 1, emoji: 0, formality: 9, energy: 1 });
    const low = await Promise.all(concepts.map((c) => generate(u, p.id, c)));
    await tune({ sentenceLength: 9, emoji: 10, formality: 1, energy: 9 });
    const high = await Promise.all(concepts.map((c) => generate(u, p.id, c)));

    for (const [i, concept] of concepts.entries()) {
      const a = low[i] as VoiceFingerprint;
      const b = high[i] as VoiceFingerprint;
      expect(b.sentenceLength.mean, concept).toBeGreaterThan(a.sentenceLength.mean);
      expect(a.per1000Words.emoji, concept).toBe(0);
      expect(b.per1000Words.emoji, concept).toBeGreaterThan(0);
      expect(b.per1000Words.contraction, concept).toBeGreaterThan(a.per1000Words.contraction);
      expect(a.per1000Words.exclamation, concept).toBe(0);
      expect(b.per1000Words.exclamation, concept).toBeGreaterThan(0);
    }
  });
});
