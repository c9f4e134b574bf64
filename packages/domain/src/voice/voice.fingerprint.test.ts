import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fingerprint, sentencesOf } from "./voice.fingerprint.ts";
import { guidancePrompt, targetSentenceLength } from "./voice.guidance.ts";
import { DEFAULT_TUNING } from "./voice.schemas.ts";

const punchy = `Ship it today! Don't wait for perfect. You're closer than you think 🚀
Here's the thing: nobody reads long posts. Here's the fix: write short ones!
Can you do it? You can. I did it last week — and it worked 🙌`;

const essayist = `The history of the printing press is, in many respects, the history of the modern mind; it altered how
knowledge was stored, circulated and trusted. Scholars who had relied upon scarce manuscripts suddenly possessed identical
copies, which permitted comparison, correction and cumulative argument across generations. Perhaps the most consequential
effect, however, was the gradual emergence of a reading public whose expectations shaped what publishers chose to print.`;

describe("fingerprint", () => {
  it("measures sentence length, punctuation habits and pronouns", () => {
    const fp = fingerprint([punchy]);
    expect(fp.sampleCount).toBe(1);
    expect(fp.sentenceCount).toBe(sentencesOf(punchy).length);
    expect(fp.sentenceLength.mean).toBeLessThan(8);
    expect(fp.per1000Words.exclamation).toBeGreaterThan(20);
    expect(fp.per1000Words.question).toBeGreaterThan(0);
    expect(fp.per1000Words.emoji).toBeGreaterThan(20);
    expect(fp.per1000Words.contraction).toBeGreaterThan(50);
    expect(fp.per1000Words.emDash).toBeGreaterThan(0);
    expect(fp.per1000Words.secondPerson).toBeGreaterThan(fp.per1000Words.firstPerson);
    expect(fp.openings[0]).toEqual({ text: "here's the", count: 2 });
  });

  it("tells a long-sentence, rich-vocabulary writer apart", () => {
    const a = fingerprint([punchy]);
    const b = fingerprint([essayist]);
    expect(b.sentenceLength.mean).toBeGreaterThan(20);
    expect(b.sentenceLength.mean).toBeGreaterThan(a.sentenceLength.mean * 2);
    expect(b.vocabulary.longWordShare).toBeGreaterThan(a.vocabulary.longWordShare);
    expect(b.vocabulary.averageWordLength).toBeGreaterThan(a.vocabulary.averageWordLength);
    expect(b.per1000Words.semicolon).toBeGreaterThan(0);
    expect(b.per1000Words.hedge).toBeGreaterThan(0);
    expect(b.per1000Words.emoji).toBe(0);
    expect(b.per1000Words.contraction).toBe(0);
  });

  it("finds the words and phrases a writer leans on, not filler", () => {
    const fp = fingerprint([
      "Sourdough starter needs feeding. My sourdough starter is called Bob. Feed the sourdough starter daily.",
      "Good bread takes patience. Sourdough rewards patience.",
    ]);
    expect(fp.distinctive[0]).toEqual({ term: "sourdough starter", count: 3 });
    expect(fp.distinctive.map((d) => d.term)).toContain("patience");
    expect(fp.distinctive.map((d) => d.term)).not.toContain("the");
  });

  it("handles empty text and keeps the ratio stable for long texts", () => {
    const empty = fingerprint([""]);
    expect(empty).toMatchObject({ wordCount: 0, sentenceCount: 0, sentenceLength: { mean: 0, stdDev: 0 } });
    const long = fingerprint([essayist.repeat(20)]);
    expect(long.vocabulary.typeTokenRatio).toBeGreaterThan(0.5);
    expect(long.vocabulary.typeTokenRatio).toBeLessThanOrEqual(1);
  });
});

describe("fingerprint of any text", () => {
  it("property: finite, non-negative, ratios within 0..1, counts consistent", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 300 }), { maxLength: 4 }), (texts) => {
        const fp = fingerprint(texts);
        const numbers = [
          fp.wordCount,
          fp.sentenceCount,
          fp.sentenceLength.mean,
          fp.sentenceLength.stdDev,
          fp.vocabulary.averageWordLength,
          ...Object.values(fp.per1000Words),
        ];
        for (const n of numbers) expect(Number.isFinite(n) && n >= 0).toBe(true);
        expect(fp.vocabulary.typeTokenRatio).toBeGreaterThanOrEqual(0);
        expect(fp.vocabulary.typeTokenRatio).toBeLessThanOrEqual(1);
        expect(fp.vocabulary.longWordShare).toBeLessThanOrEqual(1);
        expect(fp.sampleCount).toBe(texts.length);
        if (fp.wordCount === 0) expect(fp.sentenceCount).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe("guidancePrompt", () => {
  it("turns fingerprint and tuning into instructions, with the tuning line and banned phrases", () => {
    const fp = fingerprint([punchy]);
    const prompt = guidancePrompt({
      name: "Punchy me",
      fingerprint: fp,
      description: "Short, upbeat [1] lines.",
      tuning: { ...DEFAULT_TUNING, sentenceLength: 9, emoji: 0, formality: 8 },
      bannedPhrases: ["game changer", "delve"],
    });
    expect(prompt.startsWith('<voice name="Punchy me">')).toBe(true);
    expect(prompt.endsWith("</voice>")).toBe(true);
    expect(prompt).toContain(
      "Voice tuning (0–10, 5 = as in the samples): formality 8/10, energy 5/10, warmth 5/10, confidence 5/10, curiosity 5/10, complexity 5/10, sentence length 9/10, emoji 0/10, storytelling 5/10.",
    );
    expect(prompt).toContain("Never use emoji.");
    expect(prompt).toContain("How they sound: Short, upbeat lines.");
    expect(prompt).toContain(`average sentence length about ${targetSentenceLength(fp, 9)} (in words)`);
    expect(prompt).toContain('"game changer"; "delve"');
    // No number directly before "words"/"characters": that would read as a length limit.
    expect(prompt).not.toMatch(/\d\s*-?\s*(?:words?|characters?|chars?)\b/i);
  });

  it("scales the target sentence length with the axis around the measured mean", () => {
    const fp = fingerprint([punchy]);
    expect(targetSentenceLength(fp, 0)).toBeLessThan(targetSentenceLength(fp, 5));
    expect(targetSentenceLength(fp, 10)).toBeGreaterThan(targetSentenceLength(fp, 5));
    expect(targetSentenceLength(null, 5)).toBe(16);
  });
});
