/**
 * What may be uploaded, per purpose (browser-safe: zod only, so the web checks size and type before
 * sending and shows the same words the server would). The server never trusts these from the client:
 * the type is sniffed from the bytes (`file-type`), the size is the byte count it received.
 */
import { z } from "zod";

/** Families of content, each a fixed list of sniffable types (no SVG or HTML: they can carry script). */
export const MEDIA_TYPES = {
  image: ["image/png", "image/apng", "image/jpeg", "image/webp", "image/gif"],
  video: ["video/mp4", "video/quicktime", "video/webm"],
  audio: ["audio/mpeg", "audio/wav", "audio/ogg", "audio/mp4", "audio/x-m4a", "audio/aac", "audio/flac", "audio/webm"],
  pdf: ["application/pdf"],
  /** UTF-8 text has no magic number: accepted when nothing binary was recognised and it decodes cleanly. */
  text: ["text/plain"],
} as const;

export type MediaKind = keyof typeof MEDIA_TYPES;
export const MEDIA_KINDS = Object.keys(MEDIA_TYPES) as MediaKind[];

/** Human names for error messages and upload hints. */
export const MEDIA_KIND_LABELS: Record<MediaKind, string> = {
  image: "PNG, JPEG, WebP or GIF image",
  video: "MP4, MOV or WebM video",
  audio: "MP3, WAV, OGG, M4A, AAC or FLAC audio",
  pdf: "PDF",
  text: "plain-text file",
};

export interface PurposeRule {
  allowed: readonly MediaKind[];
  maxBytes: number;
}

const MB = 1024 * 1024;

/**
 * The default rule per purpose. Uploads travel as base64 in a tRPC body (8 MB limit, base64 adds a
 * third), so nothing here exceeds 5 MB.
 */
export const FILE_PURPOSES = {
  brand_logo: { allowed: ["image"], maxBytes: 2 * MB },
  voice_sample: { allowed: ["text", "pdf"], maxBytes: 2 * MB },
  post_media: { allowed: ["image", "video"], maxBytes: 5 * MB },
} as const satisfies Record<string, PurposeRule>;

export type FilePurpose = keyof typeof FILE_PURPOSES | (string & {});

/**
 * Purposes uploaded through the streamed route (`POST /uploads?purpose=`, no base64, no tRPC body
 * limit), with their caps. Photos are re-encoded before they are stored (orientation applied, metadata
 * stripped) and get a thumbnail (`story_photo_thumb`, made by the server, never uploaded).
 */
export const UPLOAD_PURPOSES = {
  story_photo: { allowed: ["image"], maxBytes: 20 * MB },
  story_audio: { allowed: ["audio"], maxBytes: 50 * MB },
  /** The studio's asset library: images (re-encoded, thumbnail), recordings and videos (duration read), PDFs and text as sent. */
  studio_asset: { allowed: ["image", "audio", "video", "pdf", "text"], maxBytes: 50 * MB },
} as const satisfies Record<string, PurposeRule>;

export type UploadPurpose = keyof typeof UPLOAD_PURPOSES;
export const uploadPurposeSchema = z.enum(Object.keys(UPLOAD_PURPOSES) as [UploadPurpose, ...UploadPurpose[]]);

/** What `POST /uploads` answers. */
export interface UploadResult {
  fileId: string;
  contentType: string;
  bytes: number;
  width?: number;
  height?: number;
  thumbnailUrl?: string;
  durationMs?: number | null;
}

/** The longest recording or video accepted: a header claiming more is lying (or not worth the library). */
export const MAX_MEDIA_DURATION_MS = 12 * 3600_000;

/**
 * The largest image accepted, read from its header before anything decodes it. Decoding costs width ×
 * height × 4 bytes wherever the image is shown or resized (a 1 KB PNG can claim 65,535 × 65,535: 17 GB);
 * 40 megapixels is 160 MB decoded and above any camera or platform upload we serve.
 */
export const MAX_IMAGE_SIDE = 12_000;
export const MAX_IMAGE_PIXELS = 40_000_000;

/** "2 MB", "350 KB": sizes as people read them. */
export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

export function describeKinds(kinds: readonly MediaKind[]): string {
  const labels = kinds.map((k) => MEDIA_KIND_LABELS[k]);
  return labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}`;
}

/** A control character (C0 or DEL), allowing tab, newline, form feed and carriage return when `textWhitespace`. */
export function isControlChar(code: number, textWhitespace = false): boolean {
  if (textWhitespace && (code === 9 || code === 10 || code === 12 || code === 13)) return false;
  return code < 32 || code === 127;
}

/** The file name is only a label (shown, and suggested on download): never a path, no control characters. */
export function safeFileName(name: string): string {
  const cleaned = [...name.trim()]
    .map((ch) => (isControlChar(ch.codePointAt(0) ?? 0) || ch === "/" || ch === "\\" ? "_" : ch))
    .join("")
    .slice(0, 255);
  return cleaned || "file";
}

export const fileNameSchema = z
  .string()
  .trim()
  .min(1, "The file needs a name")
  .max(255, "File names can be at most 255 characters")
  .transform(safeFileName);

/** Base64 of an upload, checked for shape (the decoded size is checked against the purpose's limit). */
export const base64Schema = z
  .string()
  .min(1, "The file is empty")
  .max(7 * MB, "The file is too large to upload")
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "The file data is not valid base64");

export interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  /** Sniffed from the bytes, never the client's claim. */
  contentType: string;
  byteSize: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  createdAt: Date;
}
