/**
 * What a file really is, from its bytes. `file-type` reads magic numbers for binary formats; text has
 * none, so bytes that nothing recognised are text only if they decode as UTF-8 without NULs or other
 * control characters (a renamed binary or a truncated image is neither).
 */
import { fileTypeFromBuffer } from "file-type";
import { imageSize } from "image-size";
import { gifFramesParser } from "../platform/untrusted/parsers.ts";
import { parseUntrusted } from "../platform/untrusted/untrusted.ts";
import { isControlChar, MEDIA_KINDS, MEDIA_TYPES, type MediaKind } from "./files.schemas.ts";

export interface Sniffed {
  /** The canonical type we store and serve. */
  contentType: string;
  /** The family it belongs to, or null for a type we never accept. */
  kind: MediaKind | null;
  /** What to call it in an error ("plain text", "ZIP archive (zip)"). */
  description: string;
  /** Images only: the size its header claims, or null when the header cannot be read (cut short, damaged). */
  dimensions?: ImageDimensions | null;
}

export interface ImageDimensions {
  width: number;
  height: number;
}

/**
 * Width and height from the image's header (`image-size`: no pixel is decoded, so a hostile header costs
 * nothing to read). For an animated or multi-image file, the largest frame: a GIF's frames may reach
 * past its logical screen, and walking its blocks to find out is a parse of hostile bytes, so it runs in
 * the untrusted-parse pool (platform/untrusted, gif-frames.mjs) like every other such parse.
 */
export async function imageDimensions(bytes: Uint8Array): Promise<ImageDimensions | null> {
  let header: ImageDimensions;
  try {
    const { width, height } = imageSize(bytes);
    if (!(width > 0 && height > 0)) return null;
    header = { width, height };
  } catch {
    return null;
  }
  if (!isGif(bytes)) return header;
  const frames = await parseUntrusted(gifFramesParser, { bytes });
  return { width: Math.max(header.width, frames.width), height: Math.max(header.height, frames.height) };
}

const isGif = (b: Uint8Array) => b.length >= 13 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38;

const TEXT_DECODER = new TextDecoder("utf-8", { fatal: true });
const hasControlChars = (text: string) => {
  for (let i = 0; i < text.length; i++) if (isControlChar(text.charCodeAt(i), true)) return true;
  return false;
};

function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 64 * 1024);
  // A cut at the 64 KB boundary may split a multi-byte character: try dropping up to 3 bytes there.
  const tries = head.length === bytes.length ? [0] : [0, 1, 2, 3];
  for (const drop of tries) {
    try {
      return !hasControlChars(TEXT_DECODER.decode(head.subarray(0, head.length - drop)));
    } catch {
      // not valid UTF-8 (here)
    }
  }
  return false;
}

const kindOf = (contentType: string): MediaKind | null =>
  MEDIA_KINDS.find((k) => (MEDIA_TYPES[k] as readonly string[]).includes(contentType)) ?? null;

/**
 * SVG is XML text that a browser runs script in: refused for every purpose, whether or not it starts
 * with an XML declaration (without one it would otherwise pass as UTF-8 text). Its root element comes
 * after at most a declaration, comments and a doctype.
 */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder("utf-8").decode(bytes.subarray(0, 64 * 1024));
  const rest = head.replace(/^\uFEFF?(\s|<\?xml[^>]*>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/i, "");
  return /^<svg[\s>/]/i.test(rest) || /^<[a-z0-9_-]+:svg[\s>/]/i.test(rest);
}

const SVG: Sniffed = { contentType: "image/svg+xml", kind: null, description: "an SVG image (SVG can carry script)" };

export async function sniff(bytes: Uint8Array): Promise<Sniffed> {
  if (looksLikeSvg(bytes)) return SVG;
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    // An animated PNG is still a PNG to every consumer; serve it as one.
    const contentType = detected.mime === "image/apng" ? "image/png" : detected.mime;
    const kind = kindOf(detected.mime);
    const description = `${detected.mime} (.${detected.ext})`;
    return kind === "image"
      ? { contentType, kind, description, dimensions: await imageDimensions(bytes) }
      : { contentType, kind, description };
  }
  if (bytes.length > 0 && looksLikeText(bytes)) return { contentType: "text/plain", kind: "text", description: "plain text" };
  return { contentType: "application/octet-stream", kind: null, description: "an unrecognised format" };
}
