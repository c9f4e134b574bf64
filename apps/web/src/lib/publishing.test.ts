import { describe, expect, it } from "vitest";
import {
  channelParts,
  checkChannel,
  countPart,
  customise,
  emptyComposer,
  insertPart,
  issueTarget,
  movePart,
  partsForPlatform,
  partsFromWriterOutput,
  placeIssues,
  queuePollInterval,
  removePart,
  renumberThread,
  resetToShared,
  splitIntoThread,
  threadPartLabel,
  toggleChannel,
} from "./publishing.ts";

describe("a numbered thread from the writer", () => {
  const thread = ["1/3 First point.", "2/3 Second point.", "3/3 Last point."];

  it("is shown in the queue and history with its own numbers, not numbered twice", () => {
    expect(thread.map((p, i) => [threadPartLabel(p, i, thread.length), p].filter(Boolean).join(" "))).toEqual(thread);
    // Posts without numbers are labelled; a single post is not.
    expect(threadPartLabel("Second point.", 1, 3)).toBe("2/3");
    expect(threadPartLabel("Only post.", 0, 1)).toBeNull();
  });

  it("loses its numbers when joined into one post for a platform without threads", () => {
    expect(partsForPlatform(thread, "linkedin")).toEqual(["First point.\n\nSecond point.\n\nLast point."]);
    expect(partsForPlatform(thread, "x")).toEqual(thread);
  });
});

const x = { id: "c-x", platform: "x" as const };
const linkedin = { id: "c-li", platform: "linkedin" as const };

describe("composer channels and variants", () => {
  it("a thread stays a thread on X and becomes one post on LinkedIn", () => {
    let state = emptyComposer(["First.", "Second."]);
    state = toggleChannel(toggleChannel(state, x, true), linkedin, true);
    const [onX, onLinkedIn] = state.channels;
    expect(channelParts(state, onX!)).toEqual(["First.", "Second."]);
    expect(channelParts(state, onLinkedIn!)).toEqual(["First.\n\nSecond."]);
    expect(partsForPlatform(["", " a ", ""], "linkedin")).toEqual(["a"]);
  });

  it("a variant keeps its own text while the shared text changes, until reset", () => {
    let state = toggleChannel(toggleChannel(emptyComposer(["Hello"]), x, true), linkedin, true);
    state = customise(state, "c-li");
    state = {
      ...state,
      shared: ["Hello world"],
      channels: state.channels.map((c) => (c.connectionId === "c-li" ? { ...c, parts: ["Dear network"] } : c)),
    };
    expect(channelParts(state, state.channels[0]!)).toEqual(["Hello world"]);
    expect(channelParts(state, state.channels[1]!)).toEqual(["Dear network"]);
    state = resetToShared(state, "c-li");
    expect(channelParts(state, state.channels[1]!)).toEqual(["Hello world"]);
    state = toggleChannel(state, x, false);
    expect(state.channels.map((c) => c.connectionId)).toEqual(["c-li"]);
  });

  it("adds, removes and moves thread parts (never fewer than one)", () => {
    expect(insertPart(["a", "b"], 0)).toEqual(["a", "", "b"]);
    expect(removePart(["a", "b"], 0)).toEqual(["b"]);
    expect(removePart(["a"], 0)).toEqual([""]);
    expect(movePart(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(movePart(["a", "b"], 0, -1)).toEqual(["a", "b"]);
  });
});

describe("thread markers", () => {
  it("renumbers a numbered thread after a post is removed, added or moved", () => {
    const thread = ["1/3 Paper wins.", "2/3 Ship it.", "3/3 Your move."];
    expect(renumberThread(thread, removePart(thread, 1))).toEqual(["1/2 Paper wins.", "2/2 Your move."]);
    expect(renumberThread(thread, insertPart(thread, 0))).toEqual(["1/4 Paper wins.", "2/4 ", "3/4 Ship it.", "4/4 Your move."]);
    expect(renumberThread(thread, movePart(thread, 2, -1))).toEqual(["1/3 Paper wins.", "2/3 Your move.", "3/3 Ship it."]);
  });

  it("leaves a thread without markers alone", () => {
    expect(renumberThread(["a", "b"], ["a"])).toEqual(["a"]);
    expect(renumberThread(["1/2 a", "b"], ["1/2 a"])).toEqual(["1/2 a"]);
  });
});

describe("per-platform counts and checks", () => {
  it("counts as the platform does and flags the part over the limit", () => {
    expect(countPart("x", "see https://example.com/a/very/long/path")).toMatchObject({ length: 27, limit: 280, over: false });
    expect(countPart("x", "a".repeat(281))).toMatchObject({ over: true });
    expect(countPart("threads", "a".repeat(460))).toMatchObject({ limit: 500, near: true, over: false });
    const check = checkChannel("x", ["fine", "b".repeat(300)]);
    expect(check.ok).toBe(false);
    expect(check.parts.get(1)?.[0]).toMatch(/Post 2 of the thread is 300 characters; X allows 280/);
    expect(checkChannel("linkedin", ["one", "two"]).post[0]).toMatch(/single post/);
    expect(checkChannel("wordpress", ["body"], "").title[0]).toMatch(/needs a title/);
    expect(checkChannel("wordpress", ["body"], "A title").ok).toBe(true);
  });

  it("splits a long text into posts that each fit, without losing words", () => {
    const sentence = "This sentence is about forty characters. ";
    const text = `${sentence.repeat(10)}\n\n${sentence.repeat(3)}`;
    const parts = splitIntoThread(text, "x");
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(countPart("x", part).over).toBe(false);
    expect(parts.join(" ").replace(/\s+/g, " ").trim()).toBe(text.replace(/\s+/g, " ").trim());
    expect(splitIntoThread("short", "x")).toEqual(["short"]);
    expect(splitIntoThread("z".repeat(600), "x").map((p) => p.length)).toEqual([280, 280, 40]);
  });
});

describe("server issues and other helpers", () => {
  it("maps issue paths onto the composer's fields", () => {
    expect(issueTarget("channels.1.parts.0")).toEqual({ kind: "part", channel: 1, part: 0 });
    expect(issueTarget("channels.0.connectionId")).toEqual({ kind: "channel", channel: 0 });
    expect(issueTarget("when.local")).toEqual({ kind: "when" });
    expect(issueTarget("idempotencyKey")).toEqual({ kind: "form" });
  });

  it("puts server issues under their account, part or the schedule, the rest above the buttons", () => {
    const placed = placeIssues(
      [
        { path: "channels.1.parts.0", message: "Too long for LinkedIn" },
        { path: "channels.0.connectionId", message: "Not found" },
        { path: "when", message: "02:30 does not exist in Europe/Berlin" },
        { path: "idempotencyKey", message: "Too short" },
      ],
      ["c-x", "c-li"],
      "ignored",
    );
    expect(placed.parts.get("c-li")?.get(0)).toEqual(["Too long for LinkedIn"]);
    expect(placed.channels.get("c-x")).toEqual(["Not found"]);
    expect(placed.when).toBe("02:30 does not exist in Europe/Berlin");
    expect(placed.form).toBe("Too short");
    expect(placeIssues([], ["c-x"], "That time has passed.").when).toBe("That time has passed.");
    expect(placeIssues([], ["c-x"], "Reconnect X to schedule on it.").form).toBe("Reconnect X to schedule on it.");
  });

  it("polls fast near a due post or while publishing, slowly otherwise, not at all when nothing is due", () => {
    const now = Date.UTC(2026, 10, 23, 12);
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(queuePollInterval([{ status: "published", scheduledAt: at(-1000) }], now)).toBe(false);
    expect(queuePollInterval([{ status: "pending", scheduledAt: at(60_000) }], now)).toBe(1_000);
    expect(queuePollInterval([{ status: "pending", scheduledAt: at(3_600_000) }], now)).toBe(15_000);
    expect(queuePollInterval([{ status: "publishing", scheduledAt: null }], now)).toBe(1_000);
  });

  it("prefills from a writer output's thread posts or its content", () => {
    expect(partsFromWriterOutput({ content: "1/2 a\n\n2/2 b", parts: ["1/2 a", "2/2 b"] })).toEqual(["1/2 a", "2/2 b"]);
    expect(partsFromWriterOutput({ content: "A post", parts: null })).toEqual(["A post"]);
  });
});
