/**
 * Workspace PDF uploads against hostile PDFs: each is refused with a sentence the person can act on
 * (INVALID_INPUT, a 400), while the event loop keeps answering and memory stays under the parse cap.
 *
 * "Keeps answering" is asserted as the CPU time this process spends during the parse, not as timer lag:
 * lag on a loaded CI machine measures the machine as much as our code, while CPU time in this process
 * only grows if the parse runs here (the parser itself runs in a child process, whose CPU is not ours).
 */
import { afterAll, describe, expect, it } from "vitest";
import { DomainError } from "../platform/errors.ts";
import { pagesPdf, stream, textContent, watch, writePdf } from "../platform/untrusted/test-support.ts";
import { closeUntrustedPool } from "../platform/untrusted/untrusted.ts";
import { MAX_PDF_INFLATED_BYTES, MAX_PDF_PAGES, pdfToText } from "./chat.pdf.ts";

afterAll(() => closeUntrustedPool());

const MB = 1024 * 1024;
/**
 * This process's CPU during a parse. Parsing any of these PDFs in-process costs 400 ms or more of CPU;
 * off-process, this side only decodes base64, writes a temp file and waits (a few tens of ms).
 */
const MAX_API_CPU_MS = 150;

/** `watch` plus the CPU time (user + system) this process spent while the work ran. */
async function watchCpu<T>(work: () => Promise<T>) {
  const before = process.cpuUsage();
  const run = await watch(work);
  const { user, system } = process.cpuUsage(before);
  return { ...run, cpuMs: (user + system) / 1000 };
}

const refusal = (error: unknown) => {
  expect(error).toBeInstanceOf(DomainError);
  const e = error as DomainError;
  return { code: e.code, message: e.message, field: e.details.field };
};

describe("pdfToText", () => {
  it("extracts the text of a normal PDF, page by page", async () => {
    const pdf = writePdf([
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /MediaBox [0 0 612 792] /Count 2 /Kids [5 0 R 6 0 R] >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
      textContent(["Hello from page one"]),
      "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
      "<< /Type /Page /Parent 2 0 R /Contents 7 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
      textContent(["And page two"]),
    ]);
    expect(await pdfToText(pdf.toString("base64"))).toBe("Hello from page one\n\nAnd page two");
  });

  it("refuses 5,000 pages sharing one content stream at once, without stalling the event loop", async () => {
    const pdf = pagesPdf(5_000, textContent(["The same page again"]));
    const run = await watchCpu(() => pdfToText(pdf.toString("base64")));
    expect(refusal(run.error)).toEqual({
      code: "INVALID_INPUT",
      message: `This PDF has too many pages (max ${MAX_PDF_PAGES})`,
      field: "pdfBase64",
    });
    expect(run.cpuMs).toBeLessThan(MAX_API_CPU_MS);
  });

  it("refuses a deflate bomb (100 KB inflating to 64 MB) without stalling the event loop or growing past the cap", async () => {
    const bomb = stream(Buffer.from("q Q\n".repeat(16 * MB), "latin1"), true);
    const pdf = pagesPdf(1, bomb);
    expect(pdf.length).toBeLessThan(100 * 1024);
    const run = await watchCpu(() => pdfToText(pdf.toString("base64")));
    expect(refusal(run.error)).toEqual({
      code: "INVALID_INPUT",
      message: `This PDF expands to too much data to read (max ${MAX_PDF_INFLATED_BYTES / MB} MB uncompressed)`,
      field: "pdfBase64",
    });
    // Refusing the bomb in-process is cheaper than parsing (the inflate check stops at the cap: ~100 ms of
    // CPU), so the bound here is tighter; off-process this side spends under 10 ms.
    expect(run.cpuMs).toBeLessThan(60);
    // The API's own memory barely moves: the PDF is parsed in a child process capped at UNTRUSTED_MAX_HEAP_MB.
    expect(run.rssGrowthMb).toBeLessThan(64);
  });

  it("reads a 500-page PDF but stops at the document cap, and the event loop keeps answering", async () => {
    const line = "All work and no play makes a dull document";
    const pdf = pagesPdf(MAX_PDF_PAGES, textContent(Array.from({ length: 40 }, () => line)));
    const run = await watchCpu(() => pdfToText(pdf.toString("base64")));
    expect(run.error).toBeUndefined();
    expect(run.value?.startsWith(line)).toBe(true);
    expect(run.value?.length).toBe(200_000);
    expect(run.cpuMs).toBeLessThan(MAX_API_CPU_MS);
  });

  it("refuses a file that is not a PDF and one pdf.js cannot read", async () => {
    await expect(pdfToText(Buffer.from("hello").toString("base64"))).rejects.toThrow("This file is not a PDF");
    await expect(pdfToText(Buffer.from("%PDF-1.7\n garbage").toString("base64"))).rejects.toThrow(
      "This PDF could not be read (it may be damaged or encrypted)",
    );
  });
});
