import { describe, expect, it } from "vitest";
import {
  excerpt,
  highlight,
  highlightTerms,
  matchReasons,
  PENDING_POLL_MS,
  pollWhilePending,
  similarityLabel,
} from "./writer-knowledge.ts";

describe("pollWhilePending", () => {
  it("polls only while an entry waits for the worker", () => {
    const entry = (status: "pending" | "ready" | "failed") => ({ embedding: { status } });
    expect(pollWhilePending(undefined)).toBe(false);
    expect(pollWhilePending([entry("ready"), entry("failed")])).toBe(false);
    expect(pollWhilePending([entry("ready"), entry("pending")])).toBe(PENDING_POLL_MS);
  });
});

describe("matchReasons", () => {
  it("marks the best keyword match as such, then says how close in meaning, in words (never '0% similar')", () => {
    expect(matchReasons({ keyword: { rank: 1 }, vector: { rank: 3, similarity: 0.8249 } })).toEqual([
      { label: "Best match for your words", best: true },
      { label: "Very close in meaning", best: false },
    ]);
    expect(matchReasons({ keyword: { rank: 4 }, vector: null })).toEqual([{ label: "Has your words", best: false }]);
    expect(matchReasons({ keyword: null, vector: { rank: 1, similarity: 0.31 } })).toEqual([
      { label: "Close in meaning", best: false },
    ]);
    expect(matchReasons({ keyword: null, vector: { rank: 2, similarity: 0.18 } })).toEqual([
      { label: "Related in meaning", best: false },
    ]);
    expect(matchReasons({ keyword: null, vector: null })).toEqual([]);
    for (const similarity of [0, 0.001, 0.2, 0.4, 0.9]) {
      expect(similarityLabel(similarity)).not.toMatch(/%/);
    }
  });
});

describe("excerpt", () => {
  it("keeps short text, flattening whitespace", () => {
    expect(excerpt("  two\n\nlines  ")).toBe("two lines");
  });
  it("cuts long text at a word and marks the cut", () => {
    const text = "alpha beta gamma delta epsilon zeta eta theta";
    const cut = excerpt(text, 20);
    expect(cut).toBe("alpha beta gamma…");
    expect(cut.length).toBeLessThanOrEqual(21);
  });
});

describe("highlight", () => {
  it("marks every occurrence of the query's words, case-insensitively, keeping the text intact", () => {
    const terms = highlightTerms("Founders of SaaS, founders!");
    expect(terms).toEqual(["founders", "saas"]);
    const pieces = highlight("I write for SaaS founders and Founders-to-be.", terms);
    expect(pieces.map((p) => p.text).join("")).toBe("I write for SaaS founders and Founders-to-be.");
    expect(pieces.filter((p) => p.hit).map((p) => p.text)).toEqual(["SaaS", "founders", "Founders"]);
  });
  it("escapes regex characters and ignores words under three letters", () => {
    expect(highlightTerms("a c++ (test)")).toEqual(["test"]);
    expect(highlight("x", [])).toEqual([{ text: "x", hit: false }]);
  });
});
