/**
 * The book's layout, without drawing: pages of drawing operations (text, photos, rules) from the book's
 * stories, measured with the caller's `measure` (pdfkit's real font metrics in books.render.ts; a
 * stand-in in tests). Typesetting is ours: paragraphs are broken into lines by measuring words, and a
 * paragraph split at a page break keeps at least two lines on each side (no orphans at the foot, no
 * widows at the head); a story's title keeps with its first lines, and every story starts a new page.
 * The pages are laid out first (so the table of contents knows its page numbers), then drawn.
 *
 * Plain erasable TypeScript with no imports: the render child (a plain `node` with type stripping)
 * loads it through books.render.ts.
 */

export type BookTemplate = "classic" | "modern" | "photo_heavy";

export interface RenderPhoto {
  /** A file the renderer reads (written by the job from storage). */
  path: string;
  caption: string;
  width: number;
  height: number;
}

export interface RenderStory {
  title: string;
  category: string;
  content: string;
  photos: RenderPhoto[];
}

export interface RenderInput {
  title: string;
  subtitle: string | null;
  template: BookTemplate;
  coverPhoto: RenderPhoto | null;
  stories: RenderStory[];
  /** Where the outputs are written. */
  outDir: string;
  /** Refused past this many pages (after layout, before drawing). */
  maxPages: number;
  /** Pages previewed as PNG (the cover is previewed besides). */
  previewPages: number;
}

export interface RenderOutput {
  interiorPath: string;
  coverPath: string;
  previewPaths: string[];
  pageCount: number;
  storyCount: number;
  photoCount: number;
  /** The page each story starts on (1-based), in order: what the contents page says. */
  storyPages: number[];
  /** Peak resident memory of this process, in bytes. */
  peakRssBytes: number;
}

export class RenderRefusal extends Error {
  override readonly name = "RenderRefusal";
}

// 6 × 9 in, the common trade-book trim; 72 pt per inch.
export const PAGE_W = 432;
export const PAGE_H = 648;
const MARGIN_X = 54;
const MARGIN_TOP = 60;
const MARGIN_BOTTOM = 66;
const CONTENT_W = PAGE_W - 2 * MARGIN_X;
const CONTENT_BOTTOM = PAGE_H - MARGIN_BOTTOM;
export const FOLIO_Y = PAGE_H - 44;

export interface Style {
  body: string;
  bold: string;
  italic: string;
  size: number;
  leading: number;
  justify: boolean;
  indent: number;
  titleSize: number;
  titleAlign: "center" | "left";
  accent: string;
  coverBg: string;
  coverInk: string;
}

const STYLES: Record<BookTemplate, Style> = {
  classic: {
    body: "serif",
    bold: "serif-bold",
    italic: "serif-italic",
    size: 10.5,
    leading: 15,
    justify: true,
    indent: 14,
    titleSize: 20,
    titleAlign: "center",
    accent: "#5b4636",
    coverBg: "#f3ede2",
    coverInk: "#2b2118",
  },
  modern: {
    body: "sans",
    bold: "sans-bold",
    italic: "sans-italic",
    size: 9.5,
    leading: 14,
    justify: false,
    indent: 0,
    titleSize: 22,
    titleAlign: "left",
    accent: "#1f5f8b",
    coverBg: "#1d2a36",
    coverInk: "#ffffff",
  },
  photo_heavy: {
    body: "serif",
    bold: "sans-bold",
    italic: "serif-italic",
    size: 10,
    leading: 14.5,
    justify: true,
    indent: 12,
    titleSize: 20,
    titleAlign: "left",
    accent: "#7a3b2e",
    coverBg: "#111111",
    coverInk: "#ffffff",
  },
};

export type Op =
  | { kind: "text"; text: string; x: number; y: number; font: string; size: number; color: string; wordSpacing?: number }
  | { kind: "image"; photo: RenderPhoto; x: number; y: number; w: number; h: number }
  | { kind: "rule"; x: number; y: number; w: number; color: string };

export interface Page {
  ops: Op[];
  folio: boolean;
}

export type Measure = (text: string, font: string, size: number) => number;

/**
 * Words into lines no wider than `width`; a word wider than a line is cut by characters. A line's width
 * is the sum of its words' and spaces' widths (each word measured once), so breaking is linear in the
 * words rather than re-measuring the growing line at every word.
 */
export function breakLines(text: string, width: number, measure: (s: string) => number, firstIndent = 0): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const space = measure(" ");
  const lines: string[] = [];
  let line = "";
  let lineWidth = 0;
  const room = () => width - (lines.length === 0 ? firstIndent : 0);
  const cutLongWord = (word: string): string => {
    // A word longer than a whole line: cut it where it stops fitting, line by line.
    let rest = word;
    while (measure(rest) > room()) {
      let cut = 1;
      while (cut < rest.length && measure(rest.slice(0, cut + 1)) <= room()) cut++;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    return rest;
  };
  for (const original of words) {
    let word = original;
    let wordWidth = measure(word);
    if (line && lineWidth + space + wordWidth <= room()) {
      line = `${line} ${word}`;
      lineWidth += space + wordWidth;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    if (wordWidth > room()) {
      word = cutLongWord(word);
      wordWidth = measure(word);
    }
    line = word;
    lineWidth = wordWidth;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * How many of a paragraph's `total` remaining lines go on a page with room for `room` lines, keeping at
 * least two lines on each side of a break: 0 means start the paragraph on the next page.
 */
export function linesForPage(total: number, room: number): number {
  if (total <= room) return total;
  if (room < 2) return 0; // one line alone at the foot: an orphan
  let take = room;
  if (total - take < 2) take = total - 2; // one line alone at the head of the next page: a widow
  return take >= 2 ? take : 0;
}

export function paragraphsOf(content: string): string[] {
  return content
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n|\n/)
    .map((p) => p.replace(/\s+/g, " ").trim())
    .filter(Boolean);
}

/** Photo size fitted into a box, keeping its aspect ratio. */
export function fit(photo: RenderPhoto, maxW: number, maxH: number): { w: number; h: number } {
  const ratio = Math.min(maxW / photo.width, maxH / photo.height);
  return { w: photo.width * ratio, h: photo.height * ratio };
}

class Layout {
  pages: Page[] = [];
  y = MARGIN_TOP;
  // Plain fields, not parameter properties: the child process strips types and cannot compile those.
  readonly measure: Measure;
  readonly style: Style;
  constructor(measure: Measure, style: Style) {
    this.measure = measure;
    this.style = style;
  }

  get page(): Page {
    const page = this.pages.at(-1);
    if (!page) throw new Error("no page");
    return page;
  }

  newPage(folio = true): void {
    this.pages.push({ ops: [], folio });
    this.y = MARGIN_TOP;
  }

  roomLines(): number {
    return Math.floor((CONTENT_BOTTOM - this.y) / this.style.leading);
  }

  paragraph(text: string, indent: number): void {
    const s = this.style;
    const lines = breakLines(text, CONTENT_W, (t) => this.measure(t, s.body, s.size), indent);
    let done = 0;
    while (done < lines.length) {
      const take = linesForPage(lines.length - done, this.roomLines());
      if (take === 0) {
        this.newPage();
        continue;
      }
      for (let i = done; i < done + take; i++) {
        const line = lines[i] ?? "";
        const first = i === 0;
        const last = i === lines.length - 1;
        const x = MARGIN_X + (first ? indent : 0);
        const width = CONTENT_W - (first ? indent : 0);
        const gaps = line.split(" ").length - 1;
        const natural = this.measure(line, s.body, s.size);
        const wordSpacing = s.justify && !last && gaps > 0 ? (width - natural) / gaps : undefined;
        this.page.ops.push({
          kind: "text",
          text: line,
          x,
          y: this.y,
          font: s.body,
          size: s.size,
          color: "#1a1a1a",
          ...(wordSpacing !== undefined ? { wordSpacing } : {}),
        });
        this.y += s.leading;
      }
      done += take;
      if (done < lines.length) this.newPage();
    }
    this.y += s.leading * 0.35;
  }

  /** A photo with its caption, on this page if it fits, else at the top of the next. */
  photo(photo: RenderPhoto, maxH: number): void {
    const s = this.style;
    const captionLines = photo.caption
      ? breakLines(photo.caption, CONTENT_W, (t) => this.measure(t, s.italic, s.size - 1.5))
      : [];
    const captionH = captionLines.length * (s.leading - 2) + (captionLines.length ? 4 : 0);
    const box = fit(photo, CONTENT_W, Math.min(maxH, CONTENT_BOTTOM - MARGIN_TOP - captionH - 8));
    if (this.y + box.h + captionH > CONTENT_BOTTOM) this.newPage();
    this.page.ops.push({ kind: "image", photo, x: MARGIN_X + (CONTENT_W - box.w) / 2, y: this.y, w: box.w, h: box.h });
    this.y += box.h + 4;
    for (const line of captionLines) {
      const w = this.measure(line, s.italic, s.size - 1.5);
      this.page.ops.push({
        kind: "text",
        text: line,
        x: MARGIN_X + (CONTENT_W - w) / 2,
        y: this.y,
        font: s.italic,
        size: s.size - 1.5,
        color: "#555555",
      });
      this.y += s.leading - 2;
    }
    this.y += 10;
  }

  /** A whole page for one photo (photo-heavy template). */
  photoPage(photo: RenderPhoto): void {
    this.newPage();
    this.photo(photo, CONTENT_BOTTOM - MARGIN_TOP - 40);
  }

  storyTitle(story: RenderStory): void {
    const s = this.style;
    const titleLines = breakLines(story.title, CONTENT_W, (t) => this.measure(t, s.bold, s.titleSize));
    this.y = MARGIN_TOP + 24;
    const label = story.category.replace(/_/g, " ").toUpperCase();
    const lw = this.measure(label, s.body, 7.5);
    this.page.ops.push({
      kind: "text",
      text: label,
      x: s.titleAlign === "center" ? MARGIN_X + (CONTENT_W - lw) / 2 : MARGIN_X,
      y: this.y,
      font: s.body,
      size: 7.5,
      color: s.accent,
    });
    this.y += 16;
    for (const line of titleLines) {
      const w = this.measure(line, s.bold, s.titleSize);
      this.page.ops.push({
        kind: "text",
        text: line,
        x: s.titleAlign === "center" ? MARGIN_X + (CONTENT_W - w) / 2 : MARGIN_X,
        y: this.y,
        font: s.bold,
        size: s.titleSize,
        color: "#111111",
      });
      this.y += s.titleSize * 1.25;
    }
    const ruleW = s.titleAlign === "center" ? 60 : CONTENT_W;
    this.page.ops.push({
      kind: "rule",
      x: s.titleAlign === "center" ? MARGIN_X + (CONTENT_W - ruleW) / 2 : MARGIN_X,
      y: this.y + 4,
      w: ruleW,
      color: s.accent,
    });
    this.y += 22;
  }

  story(story: RenderStory, template: BookTemplate): void {
    const s = this.style;
    if (template === "photo_heavy") for (const photo of story.photos) this.photoPage(photo);
    this.newPage();
    this.storyTitle(story);
    const paragraphs = paragraphsOf(story.content);
    const photos = template === "photo_heavy" ? [] : [...story.photos];
    if (template === "modern" && photos.length) {
      const hero = photos.shift();
      if (hero) this.photo(hero, (CONTENT_BOTTOM - MARGIN_TOP) * 0.4);
    }
    paragraphs.forEach((p, i) => {
      this.paragraph(p, i === 0 ? 0 : s.indent);
    });
    for (const photo of photos) this.photo(photo, (CONTENT_BOTTOM - MARGIN_TOP) * 0.45);
  }
}

const TOC_TOP = MARGIN_TOP + 70;
const TOC_LEADING = 18;
const TOC_PER_PAGE = Math.floor((CONTENT_BOTTOM - TOC_TOP) / TOC_LEADING);

/** The whole interior as pages of drawing operations; throws RenderRefusal past `maxPages`. */
export function layoutBook(input: Omit<RenderInput, "outDir" | "previewPages">, measure: Measure) {
  const style = STYLES[input.template];
  const tocPages = Math.max(1, Math.ceil(input.stories.length / TOC_PER_PAGE));
  const front = 1 + tocPages;
  const layout = new Layout(measure, style);
  // Title page and contents first as placeholders: their content needs the story pages.
  layout.newPage(false);
  for (let i = 0; i < tocPages; i++) layout.newPage(true);
  const storyPages: number[] = [];
  for (const story of input.stories) {
    const before = layout.pages.length;
    layout.story(story, input.template);
    // A story's first page is its first photo page (photo-heavy) or its title page.
    storyPages.push(before + 1);
    if (layout.pages.length > input.maxPages)
      throw new RenderRefusal(`This book would have more than ${input.maxPages} pages; choose fewer stories or photos.`);
  }

  // The title page.
  const titlePage = layout.pages[0];
  if (!titlePage) throw new Error("no title page");
  const titleLines = breakLines(input.title, CONTENT_W, (t) => measure(t, style.bold, 26));
  let y = PAGE_H * 0.33;
  for (const line of titleLines) {
    const w = measure(line, style.bold, 26);
    titlePage.ops.push({ kind: "text", text: line, x: (PAGE_W - w) / 2, y, font: style.bold, size: 26, color: "#111111" });
    y += 34;
  }
  if (input.subtitle) {
    for (const line of breakLines(input.subtitle, CONTENT_W, (t) => measure(t, style.italic, 13))) {
      const w = measure(line, style.italic, 13);
      titlePage.ops.push({
        kind: "text",
        text: line,
        x: (PAGE_W - w) / 2,
        y: y + 8,
        font: style.italic,
        size: 13,
        color: "#444444",
      });
      y += 18;
    }
  }

  // The contents.
  input.stories.forEach((story, i) => {
    const page = layout.pages[1 + Math.floor(i / TOC_PER_PAGE)];
    if (!page) return;
    if (i % TOC_PER_PAGE === 0)
      page.ops.push({
        kind: "text",
        text: "Contents",
        x: MARGIN_X,
        y: MARGIN_TOP + 24,
        font: style.bold,
        size: 18,
        color: "#111111",
      });
    const row = TOC_TOP + (i % TOC_PER_PAGE) * TOC_LEADING;
    const num = String(storyPages[i]);
    const numW = measure(num, style.body, style.size);
    let title = story.title;
    const maxTitle = CONTENT_W - numW - 24;
    while (measure(title, style.body, style.size) > maxTitle && title.length > 1) title = `${title.slice(0, -2)}…`;
    page.ops.push({ kind: "text", text: title, x: MARGIN_X, y: row, font: style.body, size: style.size, color: "#111111" });
    const titleW = measure(title, style.body, style.size);
    const dotW = measure(". ", style.body, style.size);
    const dots = Math.max(0, Math.floor((CONTENT_W - titleW - numW - 12) / dotW));
    if (dots > 0)
      page.ops.push({
        kind: "text",
        text: ". ".repeat(dots).trimEnd(),
        x: PAGE_W - MARGIN_X - numW - 6 - dots * dotW,
        y: row,
        font: style.body,
        size: style.size,
        color: "#999999",
      });
    page.ops.push({
      kind: "text",
      text: num,
      x: PAGE_W - MARGIN_X - numW,
      y: row,
      font: style.body,
      size: style.size,
      color: "#111111",
    });
  });
  return { pages: layout.pages, storyPages, front, style };
}
