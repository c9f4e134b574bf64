/** The offline writing scorer: length against the minimum and the rubric's key words; labelled, deterministic. */
import { describe, expect, it } from "vitest";
import { countWords, PLACEHOLDER_SCORE_NOTE, scoreByRubricWords } from "./writing.service.ts";

const prompt = {
  id: "p1",
  prompt: "Explain why the sky is blue.",
  minWords: 20,
  rubric: [
    { criterion: "Scattering", description: "Rayleigh scattering of sunlight", points: 4 },
    { criterion: "Clarity", description: "", points: 2 },
  ],
};

describe("scoreByRubricWords", () => {
  it("scores a long, on-topic response above a short, off-topic one, never over the rubric", () => {
    const good = scoreByRubricWords(
      prompt,
      "Sunlight is scattered by the air. Rayleigh scattering affects short blue wavelengths most, so blue light reaches our eyes from every direction; this scattering explains the sky's clarity of colour.",
    );
    const poor = scoreByRubricWords(prompt, "Because it is.");
    const total = (s: typeof good) => s.criteria.reduce((n, c) => n + c.points, 0);
    expect(total(good)).toBeGreaterThan(total(poor));
    for (const c of good.criteria) expect(c.points).toBeLessThanOrEqual(c.maxPoints);
    expect(good.criteria.map((c) => c.maxPoints)).toEqual([4, 2]);
    expect(good.feedback).toContain(PLACEHOLDER_SCORE_NOTE);
    expect(scoreByRubricWords(prompt, "Because it is.")).toEqual(poor);
  });

  it("counts words", () => {
    expect(countWords("  It's a well-known fact — 42 times.  ")).toBe(6);
    expect(countWords("")).toBe(0);
  });
});
