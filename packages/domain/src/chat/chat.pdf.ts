/**
 * PDF text extraction for workspace documents (server only). The client's `kind: "pdf"` is never
 * trusted: the decoded bytes must start with the `%PDF-` signature and stay under the size limit.
 * The PDF itself is parsed off the request thread, under the platform's memory and time caps
 * (`parseUntrusted`): a hostile PDF costs its worker, never the API.
 */
import { DomainError } from "../platform/errors.ts";
import { pdfTextParser } from "../platform/untrusted/parsers.ts";
import { parseUntrusted } from "../platform/untrusted/untrusted.ts";
import { MAX_DOCUMENT_CHARS, MAX_PDF_BYTES } from "./chat.schemas.ts";

/** Longer documents are refused before any page is read (a 500-page book is ~1 M characters, 5× the document cap). */
export const MAX_PDF_PAGES = 500;
/**
 * What the PDF's streams (text, fonts; not images) may inflate to. A text PDF of 5 MB inflates to a few
 * times that; a deflate bomb of 100 KB to hundreds of MB.
 */
export const MAX_PDF_INFLATED_BYTES = 32 * 1024 * 1024;

const PDF_MAGIC = Buffer.from("%PDF-", "latin1");

/** The PDF's text, pages joined by blank lines, whitespace tidied and capped like typed documents. */
export async function pdfToText(base64: string): Promise<string> {
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length === 0) throw new DomainError("INVALID_INPUT", "The PDF is empty", { field: "pdfBase64" });
  if (bytes.length > MAX_PDF_BYTES) throw new DomainError("INVALID_INPUT", "PDFs can be at most 5 MB", { field: "pdfBase64" });
  // The signature may follow a little leading junk (allowed by readers); look in the first KiB only.
  if (!bytes.subarray(0, 1024).includes(PDF_MAGIC))
    throw new DomainError("INVALID_INPUT", "This file is not a PDF", { field: "pdfBase64" });
  const { pages } = await parseUntrusted(
    pdfTextParser,
    {
      bytes: new Uint8Array(bytes),
      maxPages: MAX_PDF_PAGES,
      maxChars: MAX_DOCUMENT_CHARS,
      maxInflatedBytes: MAX_PDF_INFLATED_BYTES,
    },
    { field: "pdfBase64" },
  );
  const text = pages
    .map((p) =>
      p
        .replace(/[ \t\f\v\u00a0]+/g, " ")
        .replace(/ *\n */g, "\n")
        .replace(/\n{3,}/g, "\n\n")
        .trim(),
    )
    .filter(Boolean)
    .join("\n\n");
  if (!text) throw new DomainError("INVALID_INPUT", "This PDF has no selectable text", { field: "pdfBase64" });
  return text.slice(0, MAX_DOCUMENT_CHARS);
}
