import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { breakLines, layoutBook, linesForPage, paragraphsOf } from "./books.render.ts";

// Every character as wide as half the font size: enough to lay out without a PDF document.
const measure = (text: string, _font: string, size: number) => text.length * size * 0.5;

describe("page breaks inside a paragraph", () => {
  it("never leaves one line alone at the foot of a page or at the head of the next", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 60 }), (total, room) => {
        const take = linesForPage(total, room);
        if (total <= room) {
          expect(take).toBe(total);
          return;
        }
        expect(take === 0 || (take >= 2 && total - take >= 2 && take <= room)).toBe(true);
        // A split that keeps two lines on each side is taken whenever the page has room for one.
        if (room >= 2 && total >= 4) expect(take).toBeGreaterThanOrEqual(2);
      }),
    );
  });

  it("moves a three-line paragraph whole rather than split it 2 + 1 or 1 + 2", () => {
    expect(linesForPage(3, 2)).toBe(0);
    expect(linesForPage(3, 1)).toBe(0);
    expect(linesForPage(5, 4)).toBe(3);
    expect(linesForPage(4, 3)).toBe(2);
  });
});

describe("line breaking", () => {
  it("fills lines up to the width without losing or reordering a word, cutting only words wider than a line", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,30}$/), { minLength: 1, maxLength: 80 }), (words) => {
        const width = 100;
        const w = (s: string) => s.length * 5;
        const lines = breakLines(words.join(" "), width, w);
        for (const line of lines) expect(w(line)).toBeLessThanOrEqual(width);
        expect(lines.join("").replace(/ /g, "")).toBe(words.join(""));
      }),
    );
  });

  it("splits paragraphs at blank lines and single newlines, dropping empty ones", () => {
    expect(paragraphsOf("One\n\n\nTwo\r\nThree  words\n \n")).toEqual(["One", "Two", "Three words"]);
  });
});

describe("the laid-out book", () => {
  const story = (title: string, paragraphs: number) => ({
    title,
    category: "family",
    content: Array.from({ length: paragraphs }, (_, i) => `Paragraph ${i} of ${title} `.repeat(12)).join("\n\n"),
    photos: [],
  });

  it("starts each story on a new page and lists the page in the contents", () => {
    const { pages, storyPages } = layoutBook(
      {
        title: "T",
        subtitle: null,
        template: "classic",
        coverPhoto: null,
        stories: [story("A", 30), story("B", 2)],
        maxPages: 400,
      },
      measure,
    );
    expect(storyPages[0]).toBe(3);
    expect(storyPages[1]).toBeGreaterThan(4);
    const texts = (i: number) => (pages[i]?.ops ?? []).flatMap((op) => (op.kind === "text" ? [op.text] : [])).join(" ");
    expect(texts((storyPages[1] ?? 0) - 1)).toContain("B");
    expect(texts(1)).toContain(String(storyPages[1]));
  });

  it("refuses a book past the page limit before drawing it", () => {
    expect(() =>
      layoutBook(
        { title: "T", subtitle: null, template: "modern", coverPhoto: null, stories: [story("Long", 400)], maxPages: 20 },
        measure,
      ),
    ).toThrow(/more than 20 pages/);
  });
});

describe("photos in the rendered PDF", () => {
  it("prints a story photo stored as WebP or GIF (pdfkit draws only JPEG and PNG)", async () => {
    const { mkdtemp, rm, readFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const sharp = (await import("sharp")).default;
    const { renderBook, pdfPageImageCounts, pdfPageTexts } = await import("./books.render.ts");
    const dir = await mkdtemp(join(tmpdir(), "book-test-"));
    try {
      const raw = { create: { width: 120, height: 80, channels: 3 as const, background: "#3366aa" } };
      await sharp(raw).webp().toFile(join(dir, "a.webp"));
      await sharp(raw).gif().toFile(join(dir, "b.gif"));
      await sharp(raw).jpeg().toFile(join(dir, "c.jpg"));
      const photo = (name: string) => ({ path: join(dir, name), caption: name, width: 120, height: 80 });
      const out = await renderBook({
        title: "Photos",
        subtitle: null,
        template: "classic",
        coverPhoto: photo("a.webp"),
        stories: [
          { title: "S", category: "family", content: "Words.", photos: [photo("a.webp"), photo("b.gif"), photo("c.jpg")] },
        ],
        outDir: dir,
        maxPages: 50,
        previewPages: 1,
      });
      const interior = new Uint8Array(await readFile(out.interiorPath));
      expect(pdfPageImageCounts(interior).reduce((a, b) => a + b, 0)).toBe(3);
      expect(pdfPageTexts(interior).join(" ")).not.toContain("could not be printed");
      expect(pdfPageImageCounts(new Uint8Array(await readFile(out.coverPath)))[0]).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
