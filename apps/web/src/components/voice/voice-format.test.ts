import type { VoiceFingerprint } from "@inkwell/domain/voice/schemas";
import { describe, expect, it } from "vitest";
import { confidenceNote, frequency, habits, sentenceSummary, vocabularySummary } from "./voice-format.ts";

const fp: VoiceFingerprint = {
  version: 1,
  sampleCount: 1,
  wordCount: 22,
  sentenceCount: 6,
  sentenceLength: { mean: 3.7, stdDev: 1.9 },
  vocabulary: { typeTokenRatio: 0.86, averageWordLength: 3.9, longWordShare: 0.05 },
  per1000Words: {
    exclamation: 90.9,
    question: 45.5,
    emDash: 0,
    semicolon: 0,
    ellipsis: 0,
    emoji: 0,
    contraction: 136.4,
    firstPerson: 0,
    secondPerson: 136.4,
    hedge: 0,
  },
  openings: [],
  distinctive: [],
};
const empty: VoiceFingerprint = { ...fp, wordCount: 0, sentenceCount: 0, sentenceLength: { mean: 0, stdDev: 0 } };

describe("the fingerprint in human terms", () => {
  it("describes sentence length, vocabulary and habits in words", () => {
    expect(sentenceSummary(fp)).toMatch(/^Sentences average \d+ words \(short and punchy\), usually \d+ to \d+\.$/);
    expect(vocabularySummary(fp)).toContain("type/token");
    const list = habits(fp);
    expect(list[0]?.per1000).toBeGreaterThanOrEqual(list.at(-1)?.per1000 ?? 0);
    expect(list.find((h) => h.label === "Exclamation marks")?.words).toBe("very often");
    expect(list.find((h) => h.label === "Semicolons")?.words).toBe("never");
    expect(confidenceNote(fp)).toMatch(/only \d+ words/);
  });

  it("names frequencies per 1,000 words", () => {
    expect([0, 1, 5, 10, 40].map(frequency)).toEqual(["never", "rarely", "sometimes", "often", "very often"]);
    expect(sentenceSummary(empty)).toBe("No full sentences to measure yet.");
  });
});
