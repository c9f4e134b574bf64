/**
 * The pure parts of quiz grading: exact MC/TF scoring, the offline short-answer grader (deterministic,
 * labelled), and the summary (partial counts half, streaks of consecutive correct answers).
 */
import { describe, expect, it } from "vitest";
import type { QuizQuestion } from "./library.schemas.ts";
import { gradeByOverlap, PLACEHOLDER_GRADE_NOTE, scoreObjective, summarize } from "./quiz.service.ts";

const mc: QuizQuestion = {
  id: "q1",
  kind: "multiple_choice",
  prompt: "Which organelle makes ATP?",
  choices: ["Nucleus", "Mitochondrion", "Ribosome"],
  answerIndex: 1,
  explanation: "",
  cites: [],
};
const tf: QuizQuestion = {
  id: "q2",
  kind: "true_false",
  prompt: "Plants photosynthesise.",
  answer: true,
  explanation: "",
  cites: [],
};
const short: QuizQuestion = {
  id: "q3",
  kind: "short_answer",
  prompt: "What do plants make in photosynthesis?",
  expected: "Glucose and oxygen from carbon dioxide and water",
  explanation: "",
  cites: [],
};

describe("scoreObjective", () => {
  it("is exact for multiple choice and true/false", () => {
    expect(scoreObjective(mc, 1)).toBe("correct");
    expect(scoreObjective(mc, 0)).toBe("incorrect");
    expect(scoreObjective(mc, null)).toBe("incorrect");
    expect(scoreObjective(mc, true)).toBe("incorrect");
    expect(scoreObjective(tf, true)).toBe("correct");
    expect(scoreObjective(tf, false)).toBe("incorrect");
    expect(scoreObjective(tf, 1)).toBe("incorrect");
    expect(scoreObjective(short, "Glucose and oxygen from carbon dioxide and water")).toBe("incorrect");
  });
});

describe("the offline short-answer grader", () => {
  it("grades by key words shared with the expected answer, and says it is a placeholder", () => {
    if (short.kind !== "short_answer") throw new Error("fixture");
    const full = gradeByOverlap(short.expected, "They produce glucose and oxygen, using water and carbon dioxide.");
    expect(full.verdict).toBe("correct");
    expect(full.placeholder).toBe(true);
    expect(full.feedback).toContain(PLACEHOLDER_GRADE_NOTE);
    expect(gradeByOverlap(short.expected, "glucose and oxygen").verdict).toBe("partial");
    expect(gradeByOverlap(short.expected, "energy from the sun").verdict).toBe("incorrect");
    // Deterministic: the same answer, the same verdict and words.
    expect(gradeByOverlap(short.expected, "glucose and oxygen")).toEqual(gradeByOverlap(short.expected, "glucose and oxygen"));
  });
});

describe("summarize", () => {
  it("counts partial answers half, keeps the best run of correct answers and the mean time", () => {
    const s = summarize([
      { verdict: "correct", timeMs: 1000 },
      { verdict: "correct", timeMs: 3000 },
      { verdict: "partial", timeMs: 2000 },
      { verdict: "correct", timeMs: 1000 },
      { verdict: "correct", timeMs: 1000 },
      { verdict: "correct", timeMs: 1000 },
      { verdict: "incorrect", timeMs: 5000 },
    ]);
    expect(s).toEqual({
      score: 5.5,
      total: 7,
      accuracy: 5.5 / 7,
      correct: 5,
      partial: 1,
      incorrect: 1,
      bestStreak: 3,
      avgTimePerQuestion: 2000,
    });
    expect(summarize([])).toMatchObject({ score: 0, total: 0, accuracy: 0, bestStreak: 0, avgTimePerQuestion: 0 });
  });
});
