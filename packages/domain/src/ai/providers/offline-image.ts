/**
 * Local images for the offline provider, and reading the size of an image we are handed.
 *
 * Pictures are a gradient with soft rings, colours and geometry seeded from the request, rendered
 * with pngjs: the same request gives the same PNG bytes. The job id is the request itself
 * ("offline:" + base64url JSON), so status() re-renders in any process and nothing is stored.
 */
import { PNG } from "pngjs";
import { z } from "zod";
import { DomainError } from "../../platform/errors.ts";
import type { ImageRequest } from "../ai.types.ts";
import { fnv1a, mix32 } from "./fnv1a.ts";

const MAX_SIDE = 1024;
const MIN_SIDE = 16;
const JOB_PREFIX = "offline:";

const jobSchema = z.object({
  prompt: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  model: z.string().optional(),
  seed: z.number().optional(),
});

const side = (n: number) => Math.min(MAX_SIDE, Math.max(MIN_SIDE, Math.round(Number.isFinite(n) ? n : MAX_SIDE)));

/** Keeps only the fields that shape the picture, with the size capped, so equal requests get equal ids. */
export function encodeJobId(request: ImageRequest): string {
  const job = {
    prompt: request.prompt,
    width: side(request.width),
    height: side(request.height),
    model: request.model,
    seed: request.seed,
  };
  return JOB_PREFIX + Buffer.from(JSON.stringify(job)).toString("base64url");
}

export function decodeJobId(jobId: string): ImageRequest {
  try {
    if (!jobId.startsWith(JOB_PREFIX)) throw new Error("not an offline job");
    return jobSchema.parse(JSON.parse(Buffer.from(jobId.slice(JOB_PREFIX.length), "base64url").toString("utf8")));
  } catch {
    throw new DomainError("NOT_FOUND", "image job not found");
  }
}

function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const c = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = (hue % 360) / 60;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = lightness - c / 2;
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

export function renderPng(request: ImageRequest): Buffer {
  const width = side(request.width);
  const height = side(request.height);
  const seed = fnv1a(JSON.stringify([request.prompt, request.model ?? "", request.seed ?? 0]));
  const from = hslToRgb(seed % 360, 0.65, 0.55);
  const to = hslToRgb((seed % 360) + 60 + (mix32(seed) % 180), 0.6, 0.35);
  const angle = ((mix32(seed ^ 0x9e3779b9) % 360) * Math.PI) / 180;
  const [cx, cy] = [(mix32(seed + 1) % 1000) / 1000, (mix32(seed + 2) % 1000) / 1000];
  const ringPeriod = 0.04 + (mix32(seed + 3) % 100) / 1000;
  const png = new PNG({ width, height, colorType: 2 });
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const t = Math.min(1, Math.max(0, (u - 0.5) * dx + (v - 0.5) * dy + 0.5));
      const ring = 0.9 + 0.1 * Math.cos(Math.hypot(u - cx, v - cy) / ringPeriod);
      const i = (y * width + x) * 4;
      for (let channel = 0; channel < 3; channel++) {
        const a = from[channel] as number;
        png.data[i + channel] = Math.round((a + ((to[channel] as number) - a) * t) * ring);
      }
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}

export const toDataUrl = (png: Buffer) => `data:image/png;base64,${png.toString("base64")}`;

/** Format and pixel size from the first bytes of a PNG, GIF, JPEG or WebP; unknown formats give none. */
export function sniffImage(bytes: Uint8Array): { format?: string; width?: number; height?: number } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
    return { format: "PNG", width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString("latin1", 0, 4) === "GIF8")
    return { format: "GIF", width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
    const chunk = b.toString("latin1", 12, 16);
    if (chunk === "VP8X") return { format: "WebP", width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    if (chunk === "VP8 ") return { format: "WebP", width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === "VP8L") {
      const bits = b.readUInt32LE(21);
      return { format: "WebP", width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    return { format: "WebP" };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the JPEG segments to the first start-of-frame, which holds the size.
    for (let at = 2; at + 9 < b.length && b[at] === 0xff; at += 2 + b.readUInt16BE(at + 2)) {
      const marker = b[at + 1] as number;
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: "JPEG", height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7) };
      }
    }
    return { format: "JPEG" };
  }
  return {};
}
