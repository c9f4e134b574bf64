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

export interface ImageMediaInput {
  bytes: Uint8Array;
  /** Refused above this many pixels, before they are decoded (sharp's limitInputPixels). */
  maxPixels: number;
  maxSide: number;
  /** The thumbnail fits in a square of this side. */
  thumbSide: number;
}

export interface ImageMediaOutput {
  /** Upright, re-encoded, with no metadata (EXIF, GPS, XMP): what is served. */
  display: Uint8Array;
  displayType: string;
  width: number;
  height: number;
  thumbnail: Uint8Array;
  thumbnailType: string;
  thumbnailWidth: number;
  thumbnailHeight: number;
}

/** A photo made safe to serve, and its thumbnail (image-media.mjs). A 40-megapixel JPEG takes ~2 s. */
export const imageMediaParser = defineUntrustedParser<ImageMediaInput, ImageMediaOutput>({
  name: "image-media",
  file: new URL("./image-media.mjs", import.meta.url),
  label: "This image",
  timeoutMs: 30_000,
});

/** A recording's duration from its headers (audio-duration.mjs). */
export const audioDurationParser = defineUntrustedParser<
  { bytes: Uint8Array; mimeType: string },
  { durationMs: number | null; container: string | null; codec: string | null }
>({
  name: "audio-duration",
  file: new URL("./audio-duration.mjs", import.meta.url),
  label: "This recording",
  timeoutMs: 15_000,
});

/** A video's duration (and frame size, where the container says) from its headers (video-duration.mjs). */
export const videoDurationParser = defineUntrustedParser<
  { bytes: Uint8Array; mimeType: string; maxDurationMs: number },
  { durationMs: number | null; width: number | null; height: number | null; audioOnly: boolean }
>({
  name: "video-duration",
  file: new URL("./video-duration.mjs", import.meta.url),
  label: "This video",
  timeoutMs: 15_000,
});
