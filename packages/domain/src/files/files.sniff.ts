/**
 * What a file really is, from its bytes. `file-type` reads magic numbers for binary formats; text has
 * none, so bytes that nothing recognised are text only if they decode as UTF-8 without NULs or other
 * control characters (a renamed binary or a truncated image is neither).
 */
import { fileTypeFromBuffer } from "file-type";
import { imageSize } from "image-size";
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
 * nothing to read). For an animated or multi-image file, the largest frame.
 */
export function imageDimensions(bytes: Uint8Array): ImageDimensions | null {
  try {
    const { width, height } = imageSize(bytes);
    return width > 0 && height > 0 ? { width, height } : null;
  } catch {
    return null;
  }
}

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

export async function sniff(bytes: Uint8Array): Promise<Sniffed> {
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    // An animated PNG is still a PNG to every consumer; serve it as one.
    const contentType = detected.mime === "image/apng" ? "image/png" : detected.mime;
    const kind = kindOf(detected.mime);
    const description = `${detected.mime} (.${detected.ext})`;
    return kind === "image"
      ? { contentType, kind, description, dimensions: imageDimensions(bytes) }
      : { contentType, kind, description };
  }
  if (bytes.length > 0 && looksLikeText(bytes)) return { contentType: "text/plain", kind: "text", description: "plain text" };
  return { contentType: "application/octet-stream", kind: null, description: "an unrecognised format" };
}
