/**
 * For the tests of untrusted parsing: a tiny PDF writer (real, valid PDFs, cross-reference table
 * included, built from object bodies, so tests can make the hostile shapes a library would refuse to
 * write), and a watch on the event loop and memory while a parse runs.
 */
import { deflateSync } from "node:zlib";

/** Object `i + 1` is `bodies[i]`; object 1 must be the catalog. */
export function writePdf(bodies: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  let offset = parts[0]?.length ?? 0;
  const offsets: number[] = [];
  bodies.forEach((body, i) => {
    offsets.push(offset);
    const chunk = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`, "latin1"),
      typeof body === "string" ? Buffer.from(body, "latin1") : body,
      Buffer.from("\nendobj\n", "latin1"),
    ]);
    parts.push(chunk);
    offset += chunk.length;
  });
  const xref = [
    `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n`,
    ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`),
    `trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
  ].join("");
  parts.push(Buffer.from(xref, "latin1"));
  return Buffer.concat(parts);
}

/** A stream object body; deflated when `deflate`. */
export function stream(data: Buffer | string, deflate = false): Buffer {
  const raw = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  const bytes = deflate ? deflateSync(raw, { level: 9 }) : raw;
  const filter = deflate ? " /Filter /FlateDecode" : "";
  return Buffer.concat([
    Buffer.from(`<< /Length ${bytes.length}${filter} >>\nstream\n`, "latin1"),
    bytes,
    Buffer.from("\nendstream", "latin1"),
  ]);
}

/** `pageCount` pages that all draw the one content stream `content` (objects: catalog, pages, font, content, pages…). */
export function pagesPdf(pageCount: number, content: Buffer): Buffer {
  const first = 5;
  const kids = Array.from({ length: pageCount }, (_, i) => `${first + i} 0 R`).join(" ");
  const page = "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>";
  return writePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /MediaBox [0 0 612 792] /Count ${pageCount} /Kids [${kids}] >>`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    content,
    ...Array.from({ length: pageCount }, () => page),
  ]);
}

/** A page showing each line of `lines` in Helvetica (plain ASCII, no parentheses or backslashes). */
export function textContent(lines: string[]): Buffer {
  const ops = lines.map((line, i) => `BT /F1 12 Tf 72 ${720 - i * 16} Td (${line}) Tj ET`).join("\n");
  return stream(ops, true);
}

const MB = 1024 * 1024;

/** Runs `work` while a 10 ms timer ticks; returns its outcome, the worst timer lag and the peak RSS growth. */
export async function watch<T>(work: () => Promise<T>) {
  const rssBefore = process.memoryUsage.rss();
  let peakRss = rssBefore;
  let worstLagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - last - 10);
    last = now;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 10);
  const outcome = await work().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  clearInterval(timer);
  return { ...outcome, worstLagMs, rssGrowthMb: (peakRss - rssBefore) / MB };
}
