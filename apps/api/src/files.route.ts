/**
 * `GET /files/:id?exp=<unix seconds>&sig=<HMAC>` — private uploads (logos, media) served through
 * expiring signed URLs handed out by procedures (`files.signedUrl`). A plain Hono route, not tRPC:
 * browsers load it from <img src> and links, which carry no bearer token, so the signature is the
 * authority (no session needed, and a session is not enough).
 *
 * Expired or tampered links get 403; a deleted file 404. One byte range is served (206, `Accept-Ranges:
 * bytes`): Safari plays audio and video only from a server that answers ranges, and a player then reads the
 * part it plays (at most `MAX_RANGE_BYTES` per answer) instead of the whole file per request. What is served is what the bytes were sniffed
 * to be on upload; `nosniff` stops a browser second-guessing it, the sandbox CSP stops a file ever
 * running script in our origin, and anything but an image downloads instead of opening.
 */
import { files } from "@inkwell/domain/files";
import type { Hono } from "hono";
import type { ApiDeps } from "./trpc/context.ts";

/** Types a browser may show inline; everything else is sent as an attachment. */
const INLINE = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

/** RFC 6266: an ASCII fallback plus the UTF-8 name. */
function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

const refuse = (message: string, status: 403 | 404) =>
  new Response(message, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });

export function registerFileRoutes(app: Hono<any>, deps: ApiDeps): void {
  app.get("/files/:id", async (c) => {
    const read = await files.openSigned(deps, {
      id: c.req.param("id"),
      exp: c.req.query("exp"),
      sig: c.req.query("sig"),
      range: c.req.header("range"),
      ifRange: c.req.header("if-range"),
    });
    if (read.status === "unsatisfiable") {
      return new Response(null, {
        status: 416,
        headers: { "content-range": `bytes */${read.file.byteSize}`, "x-content-type-options": "nosniff" },
      });
    }
    if (read.status !== "ok") {
      if (read.status === "expired") return refuse("This link has expired. Reload the page for a fresh one.", 403);
      if (read.status === "missing") return refuse("This file no longer exists.", 404);
      return refuse("This link is not valid.", 403);
    }

    const { file, bytes, expiresAt } = read;
    const etag = `"${file.sha256}"`;
    // Files never change (a new upload is a new id): cache privately for as long as the link is valid.
    const maxAge = Math.max(0, Math.min(expiresAt - Math.floor(Date.now() / 1000), 86_400));
    const headers = {
      "content-type": file.contentType === "text/plain" ? "text/plain; charset=utf-8" : file.contentType,
      "content-length": String(bytes.byteLength),
      "content-disposition": contentDisposition(INLINE.has(file.contentType) ? "inline" : "attachment", file.filename),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cross-origin-resource-policy": "same-origin",
      "referrer-policy": "no-referrer",
      "cache-control": `private, max-age=${maxAge}, immutable`,
      "accept-ranges": "bytes",
      etag,
    };
    if (c.req.header("if-none-match") === etag) {
      const { "content-length": _, ...rest } = headers;
      return new Response(null, { status: 304, headers: rest });
    }
    // Our adapters return bytes over a plain ArrayBuffer (never shared memory), as BodyInit requires.
    if (read.range) {
      return new Response(bytes as Uint8Array<ArrayBuffer>, {
        status: 206,
        headers: { ...headers, "content-range": `bytes ${read.range.start}-${read.range.end}/${file.byteSize}` },
      });
    }
    return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers });
  });
}
