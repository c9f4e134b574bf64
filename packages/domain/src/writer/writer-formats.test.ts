/**
 * The format rules hold for any text a model could write: property-based over arbitrary strings
 * (including emoji, CJK, URLs and words longer than a post), plus examples of what models really send.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lengthOn, PLATFORM_LIMITS, xWeightedLength as publishingXLength, validatePost } from "../platforms/index.ts";
import {
  charLength,
  enforceFormat,
  lengthIn,
  partsForPublishing,
  readArticle,
  readNewsletter,
  threadPostsFrom,
  WRITER_FORMATS,
  xWeightedLength,
} from "./writer-formats.ts";

const noSpace = (s: string) => s.replace(/\s+/g, "");
const word = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz") }),
  fc.string({ minLength: 1, maxLength: 400, unit: fc.constantFrom(..."abc") }), // longer than a post
  fc.constantFrom("你好世界", "🚀", "👩‍💻", "café", "naïve", "https://example.com/a/very/long/path?q=1"),
);
/** Prose-like text: words, sentence ends, line breaks and blank lines. */
const prose = fc
  .array(fc.tuple(word, fc.constantFrom(" ", " ", " ", ". ", "! ", "\n", "\n\n", ", ")), { maxLength: 300 })
  .map((pairs) => pairs.map(([w, s]) => w + s).join(""));
const anyText = fc.oneof(prose, fc.string({ maxLength: 2000 }), fc.string({ unit: "grapheme", maxLength: 800 }));
const runs = { numRuns: 300 };

describe("X threads", () => {
  it("every post is within 280 (as X counts) including its number, numbered 1/n..n/n", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { parts, content } = enforceFormat("x_thread", text);
        expect(parts).not.toBeNull();
        const n = parts?.length ?? 0;
        parts?.forEach((part, i) => {
          expect(part.startsWith(`${i + 1}/${n} `)).toBe(true);
          expect(xWeightedLength(part)).toBeLessThanOrEqual(280);
          expect(publishingXLength(part)).toBe(xWeightedLength(part));
          expect(part.slice(`${i + 1}/${n} `.length).trim()).not.toBe("");
        });
        expect(content).toBe((parts ?? []).join("\n\n"));
      }),
      runs,
    );
  });

  it("loses no text but whitespace (beyond the model's own numbering and separators)", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { parts } = enforceFormat("x_thread", text);
        const bodies = (parts ?? []).map((p, i, all) => p.slice(`${i + 1}/${all.length} `.length));
        expect(noSpace(bodies.join(""))).toBe(noSpace(threadPostsFrom(text).join("")));
      }),
      runs,
    );
  });

  it("keeps every character of text that has no numbering of its own", () => {
    fc.assert(
      fc.property(prose, (text) => {
        fc.pre(!/^[ \t]*(?:\(?\d|post|tweet|-{3}|\*{3}|_{3})/im.test(text));
        const { parts } = enforceFormat("x_thread", text);
        const bodies = (parts ?? []).map((p, i, all) => p.slice(`${i + 1}/${all.length} `.length));
        expect(noSpace(bodies.join(""))).toBe(noSpace(text.replace(/^```[\w-]*\n|\n```$/g, "")));
      }),
      runs,
    );
  });

  it("splits at sentences, then words; never inside a word that fits in a post", () => {
    fc.assert(
      fc.property(prose, (text) => {
        const { parts } = enforceFormat("x_thread", text);
        const words = new Set(noSpace(text) ? text.split(/\s+/).filter((w) => w && xWeightedLength(`99/99 ${w}`) <= 280) : []);
        const bodyWords = (parts ?? []).flatMap((p) => p.split(/\s+/).slice(1));
        // Every whole word that could fit appears whole in some post.
        for (const w of words) expect(bodyWords.some((b) => b.includes(w))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("is stable: enforcing a thread again changes nothing", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = enforceFormat("x_thread", text);
        expect(enforceFormat("x_thread", once.content).parts).toEqual(once.parts);
      }),
      runs,
    );
  });

  it("passes the publishing composer's validation", () => {
    fc.assert(
      fc.property(prose, (text) => {
        const { parts } = enforceFormat("x_thread", text);
        fc.pre(!!parts?.length);
        expect(parts?.length).toBeLessThanOrEqual(PLATFORM_LIMITS.x.maxParts);
        expect(validatePost("x", { parts: parts ?? [] })).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("counts a post as X gets it: a list's '•' bullets weigh 2 and it stands apart from the line before, so a part near 280 still passes the composer", () => {
    // 3 list lines under an intro: as Markdown ("- ") the part "1/2 …" weighs 279; rendered as sent ("• ",
    // and a blank line before the list) it weighs 279 + 3 + 1 = 283 and the composer refused the part.
    const item = "a".repeat(80);
    const post = `Three rules I always keep:\n- ${item}\n- ${item}\n- ${item}`;
    const { parts } = enforceFormat("x_thread", `${post}\n\nThe end of this short thread.`);
    expect(validatePost("x", { parts: parts ?? [] })).toEqual([]);
    // Nothing is lost: every item is still in the thread.
    expect(parts?.join("\n").split(item).length).toBe(4);
  });

  it("shows the editor the length the composer counts for a post with a list", () => {
    const post = "1/2 Three rules:\n- one\n- two\n- three";
    expect(lengthIn("x_thread", post)).toBe(lengthOn("x", post));
  });

  it("keeps a thread within X's 25 posts, numbered out of what is kept, and says so", () => {
    const text = Array.from({ length: 40 }, (_, i) => `${i + 1}/40 Post number ${i + 1} of a long thread.`).join("\n\n");
    const { parts, content, violations } = enforceFormat("x_thread", text);
    expect(parts).toHaveLength(25);
    expect(parts?.[0]).toBe("1/25 Post number 1 of a long thread.");
    expect(parts?.at(-1)).toBe("25/25 Post number 25 of a long thread.");
    expect(content).toBe(parts?.join("\n\n"));
    expect(violations.find((v) => v.code === "too_many_posts")?.message).toBe("This thread has 40 posts; X takes at most 25.");
    expect(validatePost("x", { parts: parts ?? [] })).toEqual([]);
    // Stable: the kept thread enforced again is unchanged and has nothing to report.
    expect(enforceFormat("x_thread", content)).toEqual({ content, parts, violations: [] });
  });

  it("re-numbers a model's own numbering and splits an over-long post at a sentence", () => {
    const long = `${"This sentence is about forty characters. ".repeat(8)}End.`;
    const text = `Here's your thread:\n\n1/3 Hook line here.\n\n2/3 ${long}\n\n3/3 Wrap up. #growth`;
    const { parts, violations } = enforceFormat("x_thread", text);
    expect(parts?.[0]).toBe("1/4 Hook line here.");
    expect(parts?.[1]?.endsWith("characters.")).toBe(true);
    expect(parts?.at(-1)).toBe("4/4 Wrap up. #growth");
    expect(violations.map((v) => v.code)).toEqual(["split_post"]);
    // Unnumbered posts separated by blank lines, and "---" separators.
    expect(enforceFormat("x_thread", "First post\n---\nSecond post\n\nThird").parts).toEqual([
      "1/3 First post",
      "2/3 Second post",
      "3/3 Third",
    ]);
    expect(enforceFormat("x_thread", "  \n ").violations[0]?.code).toBe("empty");
  });

  it("makes room for a wider number when the thread reaches ten posts", () => {
    const text = Array.from({ length: 12 }, (_, i) => `${"x".repeat(272)}${i}`).join("\n\n");
    const { parts } = enforceFormat("x_thread", text);
    expect(parts?.length).toBeGreaterThanOrEqual(12);
    for (const p of parts ?? []) expect(xWeightedLength(p)).toBeLessThanOrEqual(280);
    expect(parts?.[0]?.startsWith(`1/${parts.length} `)).toBe(true);
  });
});

describe("LinkedIn and Threads posts", () => {
  it("are never over the platform's limit, and never empty when the model wrote something", () => {
    for (const format of ["linkedin_post", "threads_post"] as const) {
      const max = WRITER_FORMATS.find((f) => f.id === format)?.maxChars as number;
      fc.assert(
        fc.property(
          fc.oneof(
            anyText,
            prose.map((p) => p.repeat(8)),
          ),
          (text) => {
            const { content, parts } = enforceFormat(format, text);
            expect(parts).toBeNull();
            expect(charLength(content)).toBeLessThanOrEqual(max);
            if (text.replace(/[#*_\s]/g, "")) expect(content.trim()).not.toBe("");
          },
        ),
        { numRuns: 100 },
      );
    }
  });

  it("cut at a sentence end when one is near the limit, and lose their Markdown", () => {
    const text = `## A heading\n\n**Bold** opener. ${"Another full sentence here. ".repeat(30)}`;
    const { content, violations } = enforceFormat("threads_post", text);
    expect(content.startsWith("A heading\n\nBold opener.")).toBe(true);
    expect(content.endsWith("here.")).toBe(true);
    expect(charLength(content)).toBeLessThanOrEqual(500);
    expect(violations.map((v) => v.code)).toEqual(["stripped_markdown", "truncated"]);
    expect(enforceFormat("linkedin_post", "Short and fine. #ai").content).toBe("Short and fine. #ai");
  });
});

describe("blog articles", () => {
  it("always have one H1 title first and at least one H2 section heading", () => {
    fc.assert(
      fc.property(anyText, fc.option(fc.string({ maxLength: 40 })), (text, title) => {
        const { content, violations } = enforceFormat("blog_article", text, title ? { title } : {});
        if (violations.some((v) => v.code === "empty")) {
          expect(content).toBe("");
          return;
        }
        const lines = content.split("\n");
        expect(lines[0]).toMatch(/^# \S/);
        expect(lines.filter((l) => /^# /.test(l))).toHaveLength(1);
        expect(lines.some((l) => /^## \S/.test(l))).toBe(true);
        expect(readArticle(content).title).not.toBe("");
      }),
      runs,
    );
  });

  it("keeps a good article as written and repairs common slips", () => {
    const good = "# Sourdough for beginners\n\nIntro.\n\n## Starter\n\nFeed it.\n\n## Baking\n\nBake it.";
    expect(enforceFormat("blog_article", good)).toEqual({ content: good, parts: null, violations: [] });
    const setext = "Sourdough for beginners\n=======================\n\nIntro.\n\n**Starter**\n\nFeed it.";
    expect(enforceFormat("blog_article", setext).content).toBe("# Sourdough for beginners\n\nIntro.\n\n## Starter\n\nFeed it.");
    const flat = enforceFormat("blog_article", "Just one paragraph of prose. And another sentence.", { title: "Bread" });
    expect(flat.content).toBe("# Bread\n\n## Overview\n\nJust one paragraph of prose. And another sentence.");
    expect(flat.violations.map((v) => v.code)).toEqual(["added_title", "added_headings"]);
    expect(enforceFormat("blog_article", "# T\n\nIntro\n\n### Deep\n\nText").content).toBe("# T\n\nIntro\n\n## Deep\n\nText");
  });
});

describe("newsletters", () => {
  it("always start with a non-empty subject line within its limit", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { content, violations } = enforceFormat("newsletter", text);
        if (violations.some((v) => v.code === "empty")) {
          expect(content).toBe("");
          return;
        }
        const { subject } = readNewsletter(content);
        expect(content.startsWith("Subject: ")).toBe(true);
        expect(subject).not.toBe("");
        expect(charLength(subject)).toBeLessThanOrEqual(120);
      }),
      runs,
    );
  });

  it("reads the model's subject line and keeps the body", () => {
    const { content, violations } = enforceFormat("newsletter", "**Subject:** Bread week\n\nHi there,\n\nBake.");
    expect(content).toBe("Subject: Bread week\n\nHi there,\n\nBake.");
    expect(violations).toEqual([]);
    expect(readNewsletter(content)).toEqual({ subject: "Bread week", body: "Hi there,\n\nBake." });
    expect(partsForPublishing("newsletter", content, null)).toEqual(["Hi there,\n\nBake."]);
  });
});
