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
