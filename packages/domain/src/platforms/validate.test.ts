import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markdownToText } from "./markdown-text.ts";
import { PLATFORM_LIMITS, validatePost, xWeightedLength } from "./validate.ts";

describe("per-platform limits", () => {
  it("X counts 280 weighted characters: URLs as 23, CJK and emoji as 2", () => {
    expect(xWeightedLength("hello")).toBe(5);
    expect(xWeightedLength("see https://example.com/a/very/long/path/indeed")).toBe(4 + 23);
    expect(xWeightedLength("日本語")).toBe(6);
    expect(xWeightedLength("🙂")).toBe(2);
  });

  it("counts X's way: a bare domain is a 23-character link, an emoji sequence (family, skin tone, flag) weighs 2", () => {
    expect(xWeightedLength("see bit.ly/abc now")).toBe(31);
    expect(xWeightedLength("👨‍👩‍👧‍👦")).toBe(2);
    expect(xWeightedLength("👍🏽")).toBe(2);
    expect(xWeightedLength("🇫🇷")).toBe(2);
    // The validator takes the same count: 257 letters and a bare link fill a post exactly.
    expect(validatePost("x", { parts: [`${"a".repeat(256)} bit.ly/abc`] })).toEqual([]);
    expect(validatePost("x", { parts: [`${"a".repeat(257)} bit.ly/abc`] })).toHaveLength(1);
    expect(validatePost("x", { parts: ["a".repeat(280)] })).toEqual([]);
    expect(validatePost("x", { parts: ["a".repeat(281)] })[0]?.message).toBe(
      "The post is 281 characters; X allows 280. Shorten it by 1.",
    );
    expect(validatePost("x", { parts: ["日".repeat(141)] })).toHaveLength(1);
  });

  it("Threads 500, LinkedIn 3000 in one post, WordPress needs a title", () => {
    expect(validatePost("threads", { parts: ["a".repeat(500)] })).toEqual([]);
    expect(validatePost("threads", { parts: ["a".repeat(501)] })).toHaveLength(1);
    expect(validatePost("linkedin", { parts: ["a".repeat(3000)] })).toEqual([]);
    expect(validatePost("linkedin", { parts: ["a".repeat(3001)] })).toHaveLength(1);
    expect(validatePost("linkedin", { parts: ["one", "two"] })[0]?.message).toBe(
      "LinkedIn takes a single post, not a thread of 2.",
    );
    expect(validatePost("wordpress", { parts: ["<p>body</p>"] })).toEqual([
      { field: "title", message: "A WordPress post needs a title." },
    ]);
    expect(validatePost("wordpress", { parts: ["<p>body</p>"], title: "t".repeat(201) })[0]?.field).toBe("title");
    const image = { kind: "image" as const, url: "https://img.invalid/a.png" };
    expect(validatePost("x", { parts: ["hi"], media: [image] })).toEqual([]);
    expect(validatePost("x", { parts: ["hi"], media: [image, image] })).toEqual([
      { field: "media", message: "X takes at most 1 image per post." },
    ]);
    expect(validatePost("threads", { parts: ["  "] })[0]?.message).toBe("The post is empty.");
    expect(validatePost("x", { parts: [] })).toHaveLength(1);
  });

  it("property: an X thread is accepted exactly when every part, as the plain text X gets, is non-blank and weighs at most 280", () => {
    const part = fc.oneof(
      fc.string({ maxLength: 320 }),
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc.webUrl().map((u) => `read ${u}`),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: PLATFORM_LIMITS.x.maxParts }), (parts) => {
        const issues = validatePost("x", { parts });
        const sent = parts.map((p) => markdownToText(p));
        const bad = sent.flatMap((p, i) => (!p.trim() || xWeightedLength(p) > 280 ? [i] : []));
        expect([...new Set(issues.map((i) => i.part))].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(bad);
        for (const issue of issues) expect(issue.message).toMatch(/^(Post \d+ of the thread|The post) is /);
      }),
      { numRuns: 300 },
    );
  });

  it("property: weighted length is at least the code point count and at most twice it (without URLs)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 100 }), (text) => {
        fc.pre(!/https?:\/\//.test(text));
        const points = [...text.normalize("NFC")].length;
        expect(xWeightedLength(text)).toBeGreaterThanOrEqual(points);
        expect(xWeightedLength(text)).toBeLessThanOrEqual(2 * points);
      }),
    );
  });
});
