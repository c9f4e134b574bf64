/**
 * Parser (runs in an untrusted-parse worker, see untrusted.ts): the text of a PDF, one string per page.
 * Refuses, before pdf.js does any real work:
 *   - more than `maxPages` pages (pdf.js reads the count from the page tree without walking it);
 *   - streams that inflate to more than `maxInflatedBytes` in total (a deflate bomb: V8's heap cap does
 *     not count the ArrayBuffers pdf.js inflates into). Images are left out: text extraction never
 *     decodes them.
 * Then reads pages one at a time (unpdf's extractText reads them all at once) and stops once the text
 * reaches `maxChars`.
 */
import { constants, inflateSync } from "node:zlib";
import { getDocumentProxy } from "unpdf";

const latin1 = new TextDecoder("latin1");
const STREAM = Buffer.from("stream", "latin1");
const END_STREAM = Buffer.from("endstream", "latin1");
const OBJ = Buffer.from(" obj", "latin1");

/** A zlib header (RFC 1950): deflate method, and the header checksum holds. */
const isZlib = (b) => b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;

/**
 * The bytes the PDF's non-image streams inflate to, counting at most `budget + 1` (so a bomb costs no
 * more than the budget to detect). Streams are found by their keywords (`stream` EOL … `endstream`):
 * streams cannot live inside object streams, so every one is visible at the top level of the file.
 * A filter chain of deflates (a bomb inside a bomb) is followed.
 */
function inflatedSize(bytes, budget) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  let pos = 0;
  for (;;) {
    const at = buf.indexOf(STREAM, pos);
    if (at === -1) return total;
    pos = at + STREAM.length;
    // `endstream` contains `stream`; a real start is followed by CRLF or LF.
    if (at >= 3 && latin1.decode(buf.subarray(at - 3, at)) === "end") continue;
    let start = pos;
    if (buf[start] === 0x0d) start++;
    if (buf[start] !== 0x0a && start === pos) continue;
    if (buf[start] === 0x0a) start++;
    const end = buf.indexOf(END_STREAM, start);
    if (end === -1) return total;
    pos = end + END_STREAM.length;
    const dictStart = Math.max(buf.lastIndexOf(OBJ, at), at - 4096, 0);
    const dict = latin1.decode(buf.subarray(dictStart, at));
    if (/\/Subtype\s*\/Image\b/.test(dict)) continue;
    let body = buf.subarray(start, end);
    for (let depth = 0; depth < 4 && isZlib(body); depth++) {
      try {
        // Z_SYNC_FLUSH: a truncated stream yields what it has instead of throwing (pdf.js is as lenient).
        body = inflateSync(body, { maxOutputLength: budget - total + 1, finishFlush: constants.Z_SYNC_FLUSH });
      } catch (error) {
        if (error?.code === "ERR_BUFFER_TOO_LARGE") return budget + 1;
        break; // not deflate after all: pdf.js will treat it as it can
      }
    }
    total += body.length;
    if (total > budget) return total;
  }
}

const MB = 1024 * 1024;

/**
 * @param {{ bytes: Uint8Array; maxPages: number; maxChars: number; maxInflatedBytes: number }} input
 * @returns {Promise<{ ok: true; value: { pages: string[]; numPages: number } } | { ok: false; reason: string }>}
 */
export default async function pdfText({ bytes, maxPages, maxChars, maxInflatedBytes }) {
  if (inflatedSize(bytes, maxInflatedBytes) > maxInflatedBytes)
    return {
      ok: false,
      reason: `This PDF expands to too much data to read (max ${Math.round(maxInflatedBytes / MB)} MB uncompressed)`,
    };
  let pdf;
  try {
    pdf = await getDocumentProxy(bytes, { stopAtErrors: false });
  } catch {
    return { ok: false, reason: "This PDF could not be read (it may be damaged or encrypted)" };
  }
  try {
    if (pdf.numPages > maxPages) return { ok: false, reason: `This PDF has too many pages (max ${maxPages})` };
    const pages = [];
    let chars = 0;
    for (let n = 1; n <= pdf.numPages && chars < maxChars; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      const text = content.items.map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : "")).join("");
      page.cleanup();
      pages.push(text);
      chars += text.length;
    }
    return { ok: true, value: { pages, numPages: pdf.numPages } };
  } catch {
    return { ok: false, reason: "This PDF could not be read (it may be damaged or encrypted)" };
  } finally {
    await pdf.loadingTask.destroy();
  }
}
