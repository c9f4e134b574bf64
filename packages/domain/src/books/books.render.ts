/**
 * The book renderer: lays a book out and writes its interior PDF, its cover PDF and page previews (PNG).
 * It runs in a child process (books.render-process.ts) under a heap cap, a memory watchdog and a time
 * limit, because it decodes photos people uploaded. Plain erasable TypeScript that imports only pdfkit,
 * mupdf and Node: the child is a plain `node` (type stripping), without tsx or the app's modules.
 *
 * Typesetting is ours on top of pdfkit's font metrics (pdfkit embeds subsets of the TrueType fonts and
 * measures with their real advance widths): paragraphs are broken into lines by measuring words, and a
 * paragraph split at a page break keeps at least two lines on each side (no orphans at the foot, no
 * widows at the head); a story's title keeps with its first lines, and every story starts a new page.
 * The pages are laid out first (so the table of contents knows its page numbers), then drawn.
 */
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as mupdf from "mupdf";
import PDFDocument from "pdfkit";
import sharp from "sharp";

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
const PAGE_W = 432;
const PAGE_H = 648;
const MARGIN_X = 54;
const MARGIN_TOP = 60;
const MARGIN_BOTTOM = 66;
const CONTENT_W = PAGE_W - 2 * MARGIN_X;
const CONTENT_BOTTOM = PAGE_H - MARGIN_BOTTOM;
const FOLIO_Y = PAGE_H - 44;

const require = createRequire(import.meta.url);
const fontFile = (name: string) => require.resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`);

interface Style {
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

type Op =
  | { kind: "text"; text: string; x: number; y: number; font: string; size: number; color: string; wordSpacing?: number }
  | { kind: "image"; photo: RenderPhoto; x: number; y: number; w: number; h: number }
  | { kind: "rule"; x: number; y: number; w: number; color: string };

interface Page {
  ops: Op[];
  folio: boolean;
}

type Measure = (text: string, font: string, size: number) => number;

function registerFonts(doc: PDFKit.PDFDocument): void {
  doc.registerFont("serif", fontFile("DejaVuSerif"));
  doc.registerFont("serif-bold", fontFile("DejaVuSerif-Bold"));
  doc.registerFont("serif-italic", fontFile("DejaVuSerif-Italic"));
  doc.registerFont("sans", fontFile("DejaVuSans"));
  doc.registerFont("sans-bold", fontFile("DejaVuSans-Bold"));
  doc.registerFont("sans-italic", fontFile("DejaVuSans-Oblique"));
}

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
function fit(photo: RenderPhoto, maxW: number, maxH: number): { w: number; h: number } {
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

/** Draws laid-out pages into a pdfkit document; a photo that cannot be decoded becomes a framed note. */
function drawPages(doc: PDFKit.PDFDocument, pages: Page[], style: Style): void {
  pages.forEach((page, index) => {
    doc.addPage({ size: [PAGE_W, PAGE_H], margin: 0 });
    for (const op of page.ops) {
      if (op.kind === "text") {
        doc.font(op.font).fontSize(op.size).fillColor(op.color);
        doc.text(op.text, op.x, op.y, {
          lineBreak: false,
          ...(op.wordSpacing !== undefined ? { wordSpacing: op.wordSpacing } : {}),
        });
      } else if (op.kind === "rule") {
        doc
          .moveTo(op.x, op.y)
          .lineTo(op.x + op.w, op.y)
          .lineWidth(0.75)
          .strokeColor(op.color)
          .stroke();
      } else {
        try {
          doc.image(op.photo.path, op.x, op.y, { width: op.w, height: op.h });
        } catch {
          doc.rect(op.x, op.y, op.w, op.h).lineWidth(0.5).strokeColor("#999999").stroke();
          doc.font(style.italic).fontSize(8).fillColor("#777777");
          doc.text("This photo could not be printed", op.x + 8, op.y + op.h / 2 - 5, { lineBreak: false });
        }
      }
    }
    if (page.folio) {
      const num = String(index + 1);
      doc.font(style.body).fontSize(8.5).fillColor("#555555");
      const w = doc.widthOfString(num);
      doc.text(num, (PAGE_W - w) / 2, FOLIO_Y, { lineBreak: false });
    }
  });
}

function finish(doc: PDFKit.PDFDocument, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on("finish", () => resolve());
    out.on("error", reject);
    doc.on("error", reject);
    doc.pipe(out);
    doc.end();
  });
}

function newDocument(title: string): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: [PAGE_W, PAGE_H],
    margin: 0,
    info: { Title: title, Creator: "Inkwell" },
  });
  registerFonts(doc);
  return doc;
}

async function renderCover(input: RenderInput, style: Style, path: string): Promise<void> {
  const doc = newDocument(input.title);
  doc.addPage({ size: [PAGE_W, PAGE_H], margin: 0 });
  doc.rect(0, 0, PAGE_W, PAGE_H).fill(style.coverBg);
  const measure: Measure = (t, f, s) => doc.font(f).fontSize(s).widthOfString(t);
  let y = 70;
  if (input.coverPhoto) {
    const box = fit(input.coverPhoto, PAGE_W - 72, PAGE_H * 0.5);
    try {
      doc.image(input.coverPhoto.path, (PAGE_W - box.w) / 2, y, { width: box.w, height: box.h });
    } catch {
      // An undecodable cover photo leaves the cover without one rather than failing the book.
    }
    y += box.h + 36;
  } else y = PAGE_H * 0.35;
  for (const line of breakLines(input.title, PAGE_W - 72, (t) => measure(t, style.bold, 28))) {
    const w = measure(line, style.bold, 28);
    doc
      .font(style.bold)
      .fontSize(28)
      .fillColor(style.coverInk)
      .text(line, (PAGE_W - w) / 2, y, { lineBreak: false });
    y += 36;
  }
  if (input.subtitle)
    for (const line of breakLines(input.subtitle, PAGE_W - 72, (t) => measure(t, style.italic, 14))) {
      const w = measure(line, style.italic, 14);
      doc
        .font(style.italic)
        .fontSize(14)
        .fillColor(style.coverInk)
        .text(line, (PAGE_W - w) / 2, y + 6, { lineBreak: false });
      y += 20;
    }
  await finish(doc, path);
}

/** PNG previews of the first pages of a PDF, through MuPDF (its WASM build). */
export function previewPdf(bytes: Uint8Array, pages: number, scale: number): Uint8Array[] {
  const document = mupdf.Document.openDocument(bytes, "application/pdf");
  try {
    const out: Uint8Array[] = [];
    const count = Math.min(pages, document.countPages());
    for (let i = 0; i < count; i++) {
      const page = document.loadPage(i);
      const pixmap = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
      out.push(pixmap.asPNG());
      pixmap.destroy();
      page.destroy();
    }
    return out;
  } finally {
    document.destroy();
  }
}

/** The text of each page of a PDF (tests read a rendered book back with it). */
export function pdfPageTexts(bytes: Uint8Array): string[] {
  const document = mupdf.Document.openDocument(bytes, "application/pdf");
  try {
    const texts: string[] = [];
    for (let i = 0; i < document.countPages(); i++) {
      const page = document.loadPage(i);
      texts.push(page.toStructuredText("preserve-whitespace").asText());
      page.destroy();
    }
    return texts;
  } finally {
    document.destroy();
  }
}

/** Number of images drawn on each page of a PDF (tests: the photos are where they belong). */
export function pdfPageImageCounts(bytes: Uint8Array): number[] {
  const document = mupdf.Document.openDocument(bytes, "application/pdf");
  try {
    const counts: number[] = [];
    for (let i = 0; i < document.countPages(); i++) {
      const page = document.loadPage(i);
      let images = 0;
      page.run(
        new mupdf.Device({
          fillImage() {
            images++;
          },
        }),
        mupdf.Matrix.identity,
      );
      counts.push(images);
      page.destroy();
    }
    return counts;
  } finally {
    document.destroy();
  }
}

const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Uint8Array) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;

/**
 * pdfkit draws only JPEG and PNG, and a story photo uploaded as WebP (or GIF, TIFF, AVIF…) is stored in
 * that format (stream D re-encodes a WebP as WebP): such a photo is converted to a JPEG (on white, for a
 * transparent one) here, in the bounded child, before it is drawn. One that cannot be decoded is left
 * as it is and drawn as the framed note.
 */
async function printablePhoto(photo: RenderPhoto, outDir: string, n: number): Promise<RenderPhoto> {
  const bytes = await readFile(photo.path).catch(() => null);
  if (!bytes || isJpeg(bytes) || isPng(bytes)) return photo;
  try {
    const path = join(outDir, `printable-${n}.jpg`);
    await sharp(bytes, { limitInputPixels: 100_000_000, failOn: "error" })
      .rotate()
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: 92 })
      .toFile(path);
    return { ...photo, path };
  } catch {
    return photo;
  }
}

async function printableInput(input: RenderInput): Promise<RenderInput> {
  sharp.concurrency(1);
  sharp.cache(false);
  let n = 0;
  const stories: RenderStory[] = [];
  for (const story of input.stories) {
    const photos: RenderPhoto[] = [];
    for (const photo of story.photos) photos.push(await printablePhoto(photo, input.outDir, n++));
    stories.push({ ...story, photos });
  }
  const coverPhoto = input.coverPhoto ? await printablePhoto(input.coverPhoto, input.outDir, n++) : null;
  return { ...input, stories, coverPhoto };
}

export async function renderBook(original: RenderInput): Promise<RenderOutput> {
  const input = await printableInput(original);
  const doc = newDocument(input.title);
  // Words recur across a book: measure each (font, size, text) once.
  const widths = new Map<string, number>();
  const measure: Measure = (t, f, s) => {
    const key = `${f}\u0000${s}\u0000${t}`;
    let w = widths.get(key);
    if (w === undefined) {
      w = doc.font(f).fontSize(s).widthOfString(t);
      if (widths.size < 200_000) widths.set(key, w);
    }
    return w;
  };
  const { pages, storyPages, style } = layoutBook(input, measure);
  drawPages(doc, pages, style);
  const interiorPath = join(input.outDir, "interior.pdf");
  await finish(doc, interiorPath);
  const coverPath = join(input.outDir, "cover.pdf");
  await renderCover(input, style, coverPath);

  const previewPaths: string[] = [];
  const scale = 0.75;
  const [coverPng] = previewPdf(await readFile(coverPath), 1, scale);
  const interiorPngs = previewPdf(await readFile(interiorPath), input.previewPages, scale);
  for (const [i, png] of [coverPng, ...interiorPngs].entries()) {
    if (!png) continue;
    const path = join(input.outDir, `preview-${i}.png`);
    await writeFile(path, png);
    previewPaths.push(path);
  }
  return {
    interiorPath,
    coverPath,
    previewPaths,
    pageCount: pages.length,
    storyCount: input.stories.length,
    photoCount: input.stories.reduce((n, s) => n + s.photos.length, 0),
    storyPages,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
