import { describe, expect, it } from "vitest";
import {
  isSettled,
  sessionName,
  shownText,
  streamingKey,
  unwrapSnapshot,
  type WriterOutput,
  withSnapshot,
} from "./writer-session.ts";

describe("sessionName", () => {
  it("shows a pinned session by its project's name, not its title (the sidebar showed 'New draft ★')", () => {
    expect(sessionName({ title: "New draft", concept: "Bread", projectName: "Bakery launch" })).toBe("Bakery launch");
    expect(sessionName({ title: "Morning bread posts", concept: "Bread", projectName: "Bakery launch" })).toBe("Bakery launch");
  });
  it("shows its title once named, and its concept while it is still untitled", () => {
    expect(sessionName({ title: "Morning bread posts", concept: "Why bakeries post", projectName: null })).toBe(
      "Morning bread posts",
    );
    expect(sessionName({ title: "New draft", concept: "  Why   bakeries post  ", projectName: null })).toBe("Why bakeries post");
  });
  it("cuts a long concept between graphemes, never inside an emoji", () => {
    const family = "👨‍👩‍👧‍👦";
    const name = sessionName({ title: "New draft", concept: `${"a".repeat(8)}${family} and more`, projectName: null }, 10);
    expect(name).toBe(`${"a".repeat(8)}${family}…`);
    expect(sessionName({ title: "New draft", concept: "ab🇬🇧🇫🇷cd", projectName: null }, 4)).toBe("ab🇬🇧…");
    expect(sessionName({ title: "New draft", concept: "short", projectName: null }, 10)).toBe("short");
  });
});

const version = (over: Partial<NonNullable<WriterOutput["current"]>> = {}) =>
  ({
    id: "v1",
    outputId: "o1",
    number: 1,
    content: "First text",
    parts: null,
    source: "generated",
    instruction: null,
    charCount: 10,
    createdAt: "2026-11-23T05:00:00.000Z",
    ...over,
  }) as NonNullable<WriterOutput["current"]>;

const output = (over: Partial<WriterOutput> = {}) =>
  ({
    id: "o1",
    format: "linkedin_post",
    status: "ready",
    error: null,
    current: version(),
    versionCount: 1,
    draft: "",
    ...over,
  }) as WriterOutput;

const snap = (over: Record<string, unknown>) => ({
  outputId: "o1",
  format: "linkedin_post" as const,
  versionId: null,
  status: "streaming" as const,
  content: "",
  parts: null,
  error: null,
  ...over,
});

describe("withSnapshot", () => {
  it("shows the streamed text as the draft while writing, keeping the current version", () => {
    const next = withSnapshot(output({ status: "streaming" }), snap({ versionId: "v1", content: "Shorter te" }));
    expect(next.status).toBe("streaming");
    expect(shownText(next)).toBe("Shorter te");
    expect(next.current?.content).toBe("First text");
  });

  it("settles a first generation into version 1", () => {
    const first = output({ status: "streaming", current: null, versionCount: 0, draft: "Hel" });
    const next = withSnapshot(first, snap({ status: "ready", versionId: "v1", content: "Hello", parts: null }));
    expect(next).toMatchObject({ status: "ready", draft: "", versionCount: 1 });
    expect(next.current).toMatchObject({ id: "v1", number: 1, content: "Hello", source: "generated" });
    expect(shownText(next)).toBe("Hello");
  });

  it("settles a revision into the next version, with a thread's posts", () => {
    const next = withSnapshot(
      output({ status: "streaming", format: "x_thread" }),
      snap({ status: "ready", versionId: "v2", content: "1/2 a\n\n2/2 b", parts: ["1/2 a", "2/2 b"] }),
    );
    expect(next.current).toMatchObject({ id: "v2", number: 2, parts: ["1/2 a", "2/2 b"], source: "iteration" });
    expect(next.versionCount).toBe(2);
  });

  it("marks a failure with its error and ignores other outputs' events", () => {
    expect(withSnapshot(output({ status: "streaming" }), snap({ status: "failed", error: "Provider down" }))).toMatchObject({
      status: "failed",
      error: "Provider down",
    });
    const other = output({ id: "o2" });
    expect(withSnapshot(other, snap({ content: "x" }))).toBe(other);
  });
});

describe("streaming rounds", () => {
  it("keys a round by the outputs still streaming, and is null once all settled", () => {
    const outputs = [output({ id: "a", status: "streaming" }), output({ id: "b" })];
    expect(streamingKey(outputs)).toBe("a:1");
    expect(isSettled(outputs)).toBe(false);
    expect(streamingKey([output()])).toBeNull();
    expect(isSettled([output(), output({ status: "failed" })])).toBe(true);
  });
});

describe("unwrapSnapshot", () => {
  it("reads a tracked event ({ id, data }) and a bare one; rejects anything else", () => {
    const event = snap({ content: "hi" });
    expect(unwrapSnapshot({ id: "7", data: event })).toEqual(event);
    expect(unwrapSnapshot(event)).toEqual(event);
    expect(unwrapSnapshot({ id: "7", data: { nope: true } })).toBeNull();
    expect(unwrapSnapshot(null)).toBeNull();
  });
});
