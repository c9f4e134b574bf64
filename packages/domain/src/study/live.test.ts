import { describe, expect, it } from "vitest";
import { LIVE_CODE_ALPHABET, liveCodeSchema, liveJoinInput } from "./live.schemas.ts";
import { newCode, pointsFor, snapshotQuiz } from "./live.service.ts";

describe("live quiz rules", () => {
  it("gives 1000 for an instant right answer, 500 at the buzzer, nothing for a wrong one", () => {
    expect(pointsFor(true, 0, 20, 1)).toBe(1000);
    expect(pointsFor(true, 10_000, 20, 1)).toBe(750);
    expect(pointsFor(true, 20_000, 20, 1)).toBe(500);
    expect(pointsFor(true, 99_000, 20, 1)).toBe(500);
    expect(pointsFor(false, 0, 20, 0)).toBe(0);
  });

  it("adds 100 per answer in a streak from the second on, at most 500", () => {
    expect(pointsFor(true, 0, 20, 2)).toBe(1100);
    expect(pointsFor(true, 0, 20, 4)).toBe(1300);
    expect(pointsFor(true, 0, 20, 40)).toBe(1500);
  });

  it("plays multiple choice and true/false, and counts the short answers it skips", () => {
    const { questions, skipped } = snapshotQuiz({
      questions: [
        { id: "a", kind: "multiple_choice", prompt: "2+2?", choices: ["3", "4"], answerIndex: 1, explanation: "", cites: [] },
        { id: "b", kind: "short_answer", prompt: "Why?", expected: "Because", explanation: "", cites: [] },
        { id: "c", kind: "true_false", prompt: "Sky is blue", answer: false, explanation: "x", cites: [] },
      ],
    });
    expect(skipped).toBe(1);
    expect(questions.map((q) => [q.id, q.choices, q.answerIndex])).toEqual([
      ["a", ["3", "4"], 1],
      ["c", ["True", "False"], 1],
    ]);
  });

  it("draws codes from the unambiguous alphabet and reads typed codes forgivingly", () => {
    for (let i = 0; i < 200; i++) {
      const code = newCode();
      expect(code).toMatch(new RegExp(`^[${LIVE_CODE_ALPHABET}]{6}$`));
      expect(code).not.toMatch(/[01ILO]/);
    }
    expect(liveCodeSchema.parse(" abc-def ")).toBe("ABCDEF");
    expect(liveCodeSchema.safeParse("ABCDE0").success).toBe(false);
    expect(liveJoinInput.safeParse({ code: "ABCDEF", nickname: "   " }).success).toBe(false);
  });
});
