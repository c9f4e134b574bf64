/** The parsers of untrusted files, each a `.mjs` module run by `parseUntrusted` (see untrusted.ts). */
import { defineUntrustedParser } from "./untrusted.ts";

export interface PdfTextInput {
  bytes: Uint8Array;
  /** Refused above this page count, before any page is read. */
  maxPages: number;
  /** Pages stop being read once their text reaches this many characters. */
  maxChars: number;
  /** Refused when its (non-image) streams inflate to more than this. */
  maxInflatedBytes: number;
}

export interface PdfTextOutput {
  /** The raw text of each page read (all of them, unless `maxChars` was reached first). */
  pages: string[];
  numPages: number;
}

/** A PDF's text. 20 s is ~10× what a 500-page book takes on one of our cores. */
export const pdfTextParser = defineUntrustedParser<PdfTextInput, PdfTextOutput>({
  name: "pdf-text",
  file: new URL("./pdf-text.mjs", import.meta.url),
  label: "This PDF",
  timeoutMs: 20_000,
});

/**
 * How far a GIF's frames reach (files.sniff.ts compares it with the logical screen). Linear in the
 * file's size (≤ 5 MB here: ~10 ms at worst), but a walk driven by hostile bytes all the same, so it
 * runs where every untrusted parse runs, with a timeout far above what it needs.
 */
export const gifFramesParser = defineUntrustedParser<{ bytes: Uint8Array }, { width: number; height: number }>({
  name: "gif-frames",
  file: new URL("./gif-frames.mjs", import.meta.url),
  label: "This GIF",
  timeoutMs: 5_000,
});
