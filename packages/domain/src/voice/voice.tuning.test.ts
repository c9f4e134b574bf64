/**
 * "The tuning measurably changes the output": the offline provider generates from the same request
 * with two tunings, and the voice fingerprint (the same function that measures a writer's samples)
 * must move in the direction each axis promises.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createAiProvider } from "../ai/index.ts";
import { fingerprint } from "./voice.fingerprint.ts";
import { guidancePrompt } from "./voice.guidance.ts";
import { DEFAULT_TUNING, VOICE_AXIS_IDS, type VoiceAxis, type VoiceFingerprint, type VoiceTuning } from "./voice.schemas.ts";

const ai = createAiProvider({ provider: "offline" });
const samples = fingerprint([
  "I write about remote teams. Short posts, plain words. What works for you? It's simpler than it looks.",
]);

const REQUESTS = [
  "Write a LinkedIn post about onboarding remote engineers.",
  "Write a short post about sourdough starters for beginners.",
  "Write a polished blog article about pricing a freelance design business.",
];

async function generate(request: string, tuning: Partial<VoiceTuning>): Promise<{ text: string; fp: VoiceFingerprint }> {
  const system = guidancePrompt({
    name: "Test voice",
    fingerprint: samples,
    description: "Plain and direct.",
    tuning: { ...DEFAULT_TUNING, ...tuning },
    bannedPhrases: [],
  });
  const { text } = await ai.chat({
    messages: [
      { role: "system", content: system },
      { role: "user", content: request },
    ],
  });
  return { text, fp: fingerprint([text]) };
}

type Measure = (fp: VoiceFingerprint) => number;
const cases: [VoiceAxis, Measure, "up" | "down"][] = [
  ["sentenceLength", (fp) => fp.sentenceLength.mean, "up"],
  ["emoji", (fp) => fp.per1000Words.emoji, "up"],
  ["formality", (fp) => fp.per1000Words.contraction, "down"],
  ["energy", (fp) => fp.per1000Words.exclamation, "up"],
  ["warmth", (fp) => fp.per1000Words.secondPerson, "up"],
  ["confidence", (fp) => fp.per1000Words.hedge, "down"],
  ["curiosity", (fp) => fp.per1000Words.question, "up"],
  ["complexity", (fp) => fp.vocabulary.longWordShare, "up"],
  ["storytelling", (fp) => fp.per1000Words.firstPerson, "up"],
];

describe("the tuning measurably changes offline output", () => {
  for (const [axis, measure, direction] of cases) {
    it(`${axis}: 1 → 9 moves the measured feature ${direction}`, async () => {
      for (const request of REQUESTS) {
        const low = measure((await generate(request, { [axis]: 1 })).fp);
        const high = measure((await generate(request, { [axis]: 9 })).fp);
        if (direction === "up") expect(high, `${axis} on "${request}"`).toBeGreaterThan(low);
        else expect(high, `${axis} on "${request}"`).toBeLessThan(low);
      }
    });
  }

  it("emoji 0 leaves none and 10 puts one in most sentences", async () => {
    const none = await generate(REQUESTS[0] as string, { emoji: 0 });
    const lots = await generate(REQUESTS[0] as string, { emoji: 10 });
    expect(none.fp.per1000Words.emoji).toBe(0);
    expect(lots.fp.per1000Words.emoji * (lots.fp.wordCount / 1000)).toBeGreaterThanOrEqual(lots.fp.sentenceCount / 2);
  });

  it("the default tuning leaves the offline text as it is without a guide, and the guide never sets the format", async () => {
    const request = REQUESTS[0] as string;
    const plain = await ai.chat({ messages: [{ role: "user", content: request }] });
    const tuned = await generate(request, {});
    // The template choice depends on the whole request, so compare the layout, not the words.
    expect(tuned.text.split("\n\n").length).toBe(plain.text.split("\n\n").length);
    // A guide quoting format words (thread, e-mail) keeps the asked-for LinkedIn layout, with hashtags.
    const system = guidancePrompt({
      name: "thread email blog",
      fingerprint: null,
      description: "Writes X threads and newsletters, bullet lists, punchy.",
      tuning: DEFAULT_TUNING,
      bannedPhrases: ["thread"],
    });
    const { text } = await ai.chat({
      messages: [
        { role: "system", content: system },
        { role: "user", content: request },
      ],
    });
    expect(text).not.toMatch(/^1\/\d/m);
    expect(text).not.toMatch(/^Subject:/m);
    expect(text).toMatch(/#\w+/);
  });

  it("property: any tuning keeps the request's length limits and thread posts within 280", async () => {
    const tuningArb = fc.record(
      Object.fromEntries(VOICE_AXIS_IDS.map((id) => [id, fc.integer({ min: 0, max: 10 })])) as Record<
        VoiceAxis,
        fc.Arbitrary<number>
      >,
    );
    await fc.assert(
      fc.asyncProperty(tuningArb, fc.constantFrom("ship early", "remote onboarding for engineers"), async (tuning, topic) => {
        const system = guidancePrompt({ name: "P", fingerprint: samples, description: null, tuning, bannedPhrases: [] });
        const ask = async (content: string) =>
          (
            await ai.chat({
              messages: [
                { role: "system", content: system },
                { role: "user", content },
              ],
            })
          ).text;
        expect((await ask(`Write a LinkedIn post about ${topic}, max 300 characters.`)).length).toBeLessThanOrEqual(300);
        const thread = await ask(`Write an X thread about ${topic}.`);
        for (const post of thread.split("\n\n")) expect(post.length).toBeLessThanOrEqual(280);
        expect(thread).toMatch(/^1\/\d+ /);
      }),
      { numRuns: 60 },
    );
  });
});
