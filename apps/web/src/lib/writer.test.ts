import { describe, expect, it } from "vitest";
import { describeVersion, measure, parseTags, splitPostNumber, splitThread } from "./writer.ts";

describe("splitThread", () => {
  it("splits at numbered posts, keeping blank lines inside a post", () => {
    const text = "1/3 Hook line.\n\nStill the hook.\n\n2/3 The middle.\n\n3/3 The end. #tag";
    expect(splitThread(text)).toEqual(["1/3 Hook line.\n\nStill the hook.", "2/3 The middle.", "3/3 The end. #tag"]);
  });
  it("splits unnumbered text at blank lines", () => {
    expect(splitThread("First post\n\n\nSecond post\n \nThird")).toEqual(["First post", "Second post", "Third"]);
    expect(splitThread("  ")).toEqual([]);
  });
});

describe("splitPostNumber", () => {
  it("separates the number from the text, or numbers a post that has none", () => {
    expect(splitPostNumber("2/5 The middle", 1, 5)).toEqual({ number: "2/5", text: "The middle" });
    expect(splitPostNumber("(3/5) Third", 2, 5)).toEqual({ number: "3/5", text: "Third" });
    expect(splitPostNumber("No number", 0, 2)).toEqual({ number: "1/2", text: "No number" });
  });
});

describe("measure", () => {
  it("counts a LinkedIn post in characters (an emoji is one) against 3,000", () => {
    const report = measure("linkedin_post", "Hello 👋");
    expect(report).toMatchObject({ count: 7, max: 3000, over: false, parts: null, label: "7 / 3,000 characters" });
    expect(measure("linkedin_post", "x".repeat(3001)).over).toBe(true);
  });
  it("measures an X thread per post, the way X counts (URLs 23, emoji 2)", () => {
    const parts = ["1/2 See https://example.com/a/very/long/path/that/is/long", "2/2 Done 👋"];
    const report = measure("x_thread", parts.join("\n\n"), parts);
    expect(report.parts?.map((p) => p.count)).toEqual([8 + 23, 4 + 4 + 1 + 2]);
    expect(report.label).toBe("2 posts · longest 31 / 280");
    expect(report.over).toBe(false);
  });
  it("flags a post over 280 and splits an edited thread from its text", () => {
    const text = `1/2 ${"a".repeat(280)}\n\n2/2 short`;
    const report = measure("x_thread", text);
    expect(report.parts).toHaveLength(2);
    expect(report.parts?.[0]?.over).toBe(true);
    expect(report.over).toBe(true);
  });
  it("has no limit for articles and newsletters", () => {
    expect(measure("blog_article", "# Title\n\n## Part\n\nText")).toMatchObject({ max: null, over: false });
    expect(measure("newsletter", "Subject: Hi\n\nBody").label).toBe("17 characters");
  });
});

describe("describeVersion", () => {
  it("says where each version came from", () => {
    expect(describeVersion({ number: 1, source: "generated", instruction: null })).toEqual({
      title: "Version 1",
      detail: "Generated",
    });
    expect(describeVersion({ number: 2, source: "iteration", instruction: "shorter" }).detail).toBe("Revised: “shorter”");
    expect(describeVersion({ number: 3, source: "edit", instruction: null }).detail).toBe("Edited by you");
    expect(describeVersion({ number: 4, source: "restore", instruction: null }).detail).toBe("Restored an earlier version");
    expect(describeVersion({ number: 5, source: "restore", instruction: "Restored version 2" }).detail).toBe(
      "Restored version 2",
    );
  });
});

describe("parseTags", () => {
  it("trims, drops empties and case-insensitive duplicates, and caps the count", () => {
    expect(parseTags(" launch, b2b  saas,,Launch ")).toEqual(["launch", "b2b saas"]);
    expect(parseTags("a,b,c", 2)).toEqual(["a", "b"]);
  });
});
