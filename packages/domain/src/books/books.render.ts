/**
 * The book renderer: lays a book out (books.render-layout.ts) and writes its interior PDF, its cover PDF
 * and page previews (PNG). It runs in a child process (books.render-process.ts) under a heap cap, a memory
 * watchdog and a time limit, because it decodes photos people uploaded. Plain erasable TypeScript that
 * imports only pdfkit, mupdf, sharp, Node and the layout: the child is a plain `node` (type stripping),
 * without tsx or the app's modules.
 *
 * pdfkit embeds subsets of the TrueType fonts and measures with their real advance widths (the layout's
 * `measure`); MuPDF renders the previews and reads PDFs back for the tests.
 */
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as mupdf from "mupdf";
import PDFDocument from "pdfkit";
import sharp from "sharp";
import {
  breakLines,
  FOLIO_Y,
  fit,
  layoutBook,
  type Measure,
  PAGE_H,
  PAGE_W,
  type Page,
  type RenderInput,
  type RenderOutput,
  type RenderPhoto,
  type RenderStory,
  type Style,
} from "./books.render-layout.ts";

export {
  type BookTemplate,
  breakLines,
  layoutBook,
  linesForPage,
  paragraphsOf,
  type RenderInput,
  type RenderOutput,
  type RenderPhoto,
  RenderRefusal,
  type RenderStory,
} from "./books.render-layout.ts";

const require = createRequire(import.meta.url);
const fontFile = (name: string) => require.resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`);

function registerFonts(doc: PDFKit.PDFDocument): void {
  doc.registerFont("serif", fontFile("DejaVuSerif"));
  doc.registerFont("serif-bold", fontFile("DejaVuSerif-Bold"));
  doc.registerFont("serif-italic", fontFile("DejaVuSerif-Italic"));
  doc.registerFont("sans", fontFile("DejaVuSans"));
  doc.registerFont("sans-bold", fontFile("DejaVuSans-Bold"));
  doc.registerFont("sans-italic", fontFile("DejaVuSans-Oblique"));
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
