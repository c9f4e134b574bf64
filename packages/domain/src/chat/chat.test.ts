import { describe, expect, it } from "vitest";
import { contextMessages, SYSTEM_PROMPTS } from "./chat.context.ts";
import { type ChatMessageView, MAX_MESSAGE_CHARS, messageText } from "./chat.schemas.ts";
import { chunkText, cleanTitle, partialCredits, REPLY_MAX_TOKENS } from "./chat.service.ts";
import { breathingExercise, quizFromPassages } from "./chat.tools.ts";

const msg = (seq: number, over: Partial<ChatMessageView>): ChatMessageView => ({
  id: `m${seq}`,
  conversationId: "c",
  seq,
  role: "user",
  content: `message ${seq}`,
  status: "complete",
  metadata: {},
  feedback: null,
  safety: false,
  error: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

describe("message text", () => {
  it("is trimmed and must be 1..8,000 characters", () => {
    expect(messageText.parse("  hi  ")).toBe("hi");
    expect(messageText.safeParse("   \n ").success).toBe(false);
    expect(messageText.safeParse("x".repeat(MAX_MESSAGE_CHARS)).success).toBe(true);
    expect(messageText.safeParse("x".repeat(MAX_MESSAGE_CHARS + 1)).success).toBe(false);
  });
});

describe("model context", () => {
  it("starts with the assistant's system prompt and leaves out safety, failed, empty and later messages", () => {
    const history = [
      msg(1, { content: "hello" }),
      msg(2, { role: "assistant", content: "hi!" }),
      msg(3, { content: "I want to kill myself", safety: true }),
      msg(4, { role: "assistant", content: "fixed reply", safety: true }),
      msg(5, { content: "again" }),
      msg(6, { role: "assistant", content: "half", status: "failed" }),
      msg(7, { role: "assistant", content: "", status: "stopped" }),
      msg(8, { content: "now" }),
      msg(9, { role: "assistant", content: "", status: "streaming" }),
      msg(10, { content: "future" }),
    ];
    expect(contextMessages("tutor", history, 9)).toEqual([
      { role: "system", content: SYSTEM_PROMPTS.tutor },
      { role: "user", content: "hello" },
      { role: "assistant", content: "hi!" },
      { role: "user", content: "again" },
      { role: "user", content: "now" },
    ]);
  });
});

describe("charging a stopped reply", () => {
  it("is nothing for nothing, at least 1 for something, never more than the price", () => {
    expect(partialCredits(0, 2)).toBe(0);
    expect(partialCredits(1, 2)).toBe(1);
    expect(partialCredits(REPLY_MAX_TOKENS, 2)).toBe(2);
    expect(partialCredits(REPLY_MAX_TOKENS * 5, 2)).toBe(2);
  });
});

describe("titles", () => {
  it("takes the first line, strips quotes and punctuation, falls back to the message, caps the length", () => {
    expect(cleanTitle('"Walks by the sea."\nmore', "x")).toBe("Walks by the sea");
    expect(cleanTitle("Title: Photosynthesis basics", "x")).toBe("Photosynthesis basics");
    expect(cleanTitle("  ", "one two three four five six seven")).toBe("one two three four five six");
    expect(cleanTitle("a".repeat(200), "x").length).toBeLessThanOrEqual(80);
  });

  it("never cuts an emoji in half: family, flag and skin-tone emoji at every cut point stay whole or go", () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    const split = (s: string) => [...segmenter.segment(s)].map((g) => g.segment);
    for (const emoji of ["👨‍👩‍👧‍👦", "🇫🇷", "👍🏽", "🧑🏾‍💻", "😀"]) {
      // Slide the emoji across the cut (77 units before the ellipsis) one unit at a time.
      for (let pad = 60; pad <= 80; pad++) {
        const source = `${"a".repeat(pad)}${emoji}${"b".repeat(40)}`;
        const title = cleanTitle(source, "x");
        expect(title.length).toBeLessThanOrEqual(80);
        expect(title.endsWith("…")).toBe(true);
        const kept = split(title.slice(0, -1));
        // Every character kept is a whole character of the source, in order: no stray half or partial family.
        expect(kept).toEqual(split(source).slice(0, kept.length));
        expect(title).not.toMatch(/\p{Cs}/u);
      }
    }
  });
});

describe("chunking documents", () => {
  it("covers the whole text in overlapping windows cut at spaces", () => {
    const text = Array.from({ length: 500 }, (_, i) => `w${i}`).join(" ");
    const chunks = chunkText(text, 300, 50);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(300);
    for (const w of text.split(" ")) expect(chunks.some((c) => c.split(" ").includes(w))).toBe(true);
    expect(chunkText("   ")).toEqual([]);
    expect(chunkText("short note")).toEqual(["short note"]);
  });
});

describe("tool steps in the model context", () => {
  it("keeps a call with its stored result, drops calls without one and results without their call", () => {
    const history = [
      msg(1, { role: "user", content: "breathe" }),
      msg(2, {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "a", name: "breathing_exercise", arguments: "{}" },
          { id: "b", name: "breathing_exercise", arguments: "{}" },
        ],
      }),
      msg(3, { role: "tool", content: '{"ok":1}', toolCallId: "a", toolName: "breathing_exercise" }),
      msg(4, { role: "assistant", content: "Done." }),
      msg(5, { role: "tool", content: "{}", toolCallId: "zzz", toolName: "breathing_exercise" }),
      msg(6, { role: "assistant", content: "", toolCalls: [{ id: "c", name: "x", arguments: "{}" }], status: "complete" }),
    ];
    expect(contextMessages("companion", history, 7).slice(1)).toEqual([
      { role: "user", content: "breathe" },
      { role: "assistant", content: "", toolCalls: [{ id: "a", name: "breathing_exercise", arguments: "{}" }] },
      { role: "tool", toolCallId: "a", content: '{"ok":1}' },
      { role: "assistant", content: "Done." },
    ]);
  });
});

describe("tools", () => {
  it("breathing exercises have timed steps per round", () => {
    const e = breathingExercise("coherent", 6);
    expect(e.steps.map((s) => s.seconds)).toEqual([5, 5]);
    expect(e.totalSeconds).toBe(60);
    expect(breathingExercise("4-7-8", 1).secondsPerRound).toBe(19);
  });

  it("a quiz from passages is deterministic, 4 choices with the answer among them, only from the passages", () => {
    const passages = [
      { title: "Bio", content: "Mitochondria produce energy for the cell. Ribosomes assemble proteins from amino acids." },
      { title: "Chem", content: "Catalysts lower the activation energy of reactions." },
    ];
    const quiz = quizFromPassages("cells", passages, 5);
    expect(quizFromPassages("cells", passages, 5)).toEqual(quiz);
    expect(quiz.questions).toHaveLength(3);
    for (const q of quiz.questions) {
      expect(q.choices).toHaveLength(4);
      expect(q.question).toContain("_____");
      expect(["Bio", "Chem"]).toContain(q.source);
    }
    expect(quiz.sources).toEqual(["Bio", "Chem"]);
    expect(quizFromPassages("x", [], 3).questions).toEqual([]);
  });
});
