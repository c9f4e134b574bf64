/**
 * book-render: what rendering a large book costs the worker — a 200-page book with 100 photos, through
 * the same bounded child process the `books.render-book` job uses (layout, pdfkit with embedded fonts,
 * cover, MuPDF previews), with the same stories rendered without photos as the baseline of the run.
 *
 *   text-only    the book's stories and text, no photos
 *   with-photos  the same stories with 100 photos (JPEG, 1600 × 1200, as a phone photo after upload)
 *
 * Reported per variant: wall time of the render (child start to its answer), the child's peak resident
 * memory (getrusage maxRSS, read by the child at the end), pages and the interior PDF's size. The job's
 * own process adds the copies of the photos (one at a time) and the stored outputs on top.
 */
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOOK_LIMITS, DEFAULT_RENDER_LIMITS, PREVIEW_PAGES, type RenderStory, renderInChild } from "@inkwell/domain/books";
import * as mupdf from "mupdf";
import type { Suite } from "../lib/suite.ts";

const PHOTOS = 100;
const STORIES = 40;
const PARAGRAPHS_PER_STORY = 9;
const RUNS = Number(process.env.BENCH_BOOK_RUNS ?? 2);

/** A 1600 × 1200 JPEG with gradients and grain (compresses like a photo, not like a flat colour). */
function photoJpeg(seed: number): Uint8Array {
  const w = 1600;
  const h = 1200;
  const pixmap = new mupdf.Pixmap(mupdf.ColorSpace.DeviceRGB, [0, 0, w, h], false);
  const px = pixmap.getPixels();
  let r = (seed + 1) * 2654435761;
  for (let i = 0, n = w * h * 3; i < n; i += 3) {
    r = (r * 1103515245 + 12345) >>> 0;
    const grain = r >>> 27;
    const x = (i / 3) % w;
    const y = (i / 3 / w) | 0;
    px[i] = (x >> 3) + seed * 37 + grain;
    px[i + 1] = (y >> 3) + grain;
    px[i + 2] = ((x + y) >> 4) + seed * 11 + grain;
  }
  const jpeg = pixmap.asJPEG(82);
  pixmap.destroy();
  return jpeg;
}

/** Distinct images made; the 100 photos are copies of them in files of their own (each embedded apart). */
const DISTINCT = 10;

const sentence = (i: number) =>
  `On the ${i}th morning the kitchen smelled of bread and coal smoke, and my mother sang the song about the river while the kettle came to the boil and the dog waited by the door.`;

export const bookRender: Suite = {
  name: "book-render",
  description: `render a ~200-page book with ${PHOTOS} photos (interior, cover, ${PREVIEW_PAGES + 1} previews) in the bounded child process; text-only baseline`,
  minSeconds: 600,
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), "inkwell-bench-book-"));
    try {
      ctx.log(`book-render: writing ${PHOTOS} photos`);
      const photoPaths: string[] = [];
      let photoBytes = 0;
      const distinct = Array.from({ length: DISTINCT }, (_, i) => photoJpeg(i));
      for (let i = 0; i < PHOTOS; i++) {
        const bytes = distinct[i % DISTINCT] ?? new Uint8Array();
        photoBytes += bytes.byteLength;
        const path = join(dir, `photo-${i}.jpg`);
        await writeFile(path, bytes);
        photoPaths.push(path);
      }
      const stories = (withPhotos: boolean): RenderStory[] =>
        Array.from({ length: STORIES }, (_, s) => ({
          title: `Story ${s + 1}: the year we moved to the coast`,
          category: ["childhood", "family", "career", "travel"][s % 4] ?? "other",
          content: Array.from({ length: PARAGRAPHS_PER_STORY }, (_, p) =>
            Array.from({ length: 5 }, (_, k) => sentence(s * 100 + p * 10 + k)).join(" "),
          ).join("\n\n"),
          photos: withPhotos
            ? photoPaths
                .filter((_, i) => i % STORIES === s)
                .map((path, k) => ({ path, caption: `Photo ${k + 1} of story ${s + 1}`, width: 1600, height: 1200 }))
            : [],
        }));

      const rows: string[][] = [];
      for (const variant of ["text-only", "with-photos"] as const) {
        const times: number[] = [];
        let peak = 0;
        let pages = 0;
        let pdfBytes = 0;
        for (let run = 0; run < RUNS; run++) {
          if (ctx.signal.aborted) break;
          const out = await mkdtemp(join(dir, `${variant}-`));
          const started = performance.now();
          const outcome = await renderInChild(
            {
              title: "The Coast Years",
              subtitle: "A family in forty stories",
              template: "classic",
              coverPhoto:
                variant === "with-photos" ? { path: photoPaths[0] ?? "", caption: "", width: 1600, height: 1200 } : null,
              stories: stories(variant === "with-photos"),
              outDir: out,
              maxPages: BOOK_LIMITS.pages,
              previewPages: PREVIEW_PAGES,
            },
            DEFAULT_RENDER_LIMITS,
          );
          const elapsed = performance.now() - started;
          if (!outcome.ok) throw new Error(`book-render ${variant}: ${outcome.reason}`);
          times.push(elapsed);
          peak = Math.max(peak, outcome.output.peakRssBytes);
          pages = outcome.output.pageCount;
          pdfBytes = (await stat(outcome.output.interiorPath)).size;
          ctx.log(`book-render ${variant} run ${run + 1}: ${(elapsed / 1000).toFixed(1)} s, ${pages} pages`);
          await rm(out, { recursive: true, force: true });
        }
        times.sort((a, b) => a - b);
        const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
        rows.push([
          variant,
          String(pages),
          variant === "with-photos" ? String(PHOTOS) : "0",
          `${((times[0] ?? 0) / 1000).toFixed(1)} s`,
          `${((times.at(-1) ?? 0) / 1000).toFixed(1)} s`,
          mb(peak),
          mb(pdfBytes),
        ]);
      }
      return {
        suite: this.name,
        description: this.description,
        plan: { concurrency: 1, warmupMs: 0, roundMs: 0, rounds: RUNS, maxOpsPerRound: 1 },
        variants: [],
        ratios: [],
        notes: [
          `${STORIES} stories, ${PHOTOS} photos of 1600 × 1200 (${(photoBytes / 1024 / 1024).toFixed(0)} MB of JPEG in all), classic template, ${RUNS} runs per variant.`,
          `Limits of the child: heap ${DEFAULT_RENDER_LIMITS.maxHeapMb} MB, whole process ${DEFAULT_RENDER_LIMITS.maxRssMb} MB, ${DEFAULT_RENDER_LIMITS.timeoutMs / 1000} s.`,
        ],
        tables: [
          {
            title: "book-render: one render in the worker's child process",
            headers: ["variant", "pages", "photos", "fastest", "slowest", "peak RSS", "interior PDF"],
            rows,
          },
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
