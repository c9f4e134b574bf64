/**
 * A local stand-in for the reel stats service (the `reel-stats` adapter's API), so `pnpm dev` and the
 * tests fetch view counts and thumbnails over real HTTP without the network. One server on 127.0.0.1:
 *
 *   GET /v1/reels/:platform/:shortcode            { views, title, thumbnail: true }
 *   GET /v1/reels/:platform/:shortcode/thumbnail  a 90 × 160 PNG in the reel's own colour
 *
 * A reel nobody configured has a view count derived from its shortcode (stable across restarts, spread
 * from a few hundred to a few million, so some come out approved and some denied); `setReel` fixes one,
 * `removeReel` makes it 404 (taken down), `failNext` answers the next calls with an error status. With
 * `apiKey` set, calls without `Authorization: Bearer <apiKey>` get 401. Every request is logged.
 */
import { createServer } from "node:http";
import { deflateSync } from "node:zlib";

export interface SandboxReel {
  views: number;
  title?: string | null;
  /** False: the service knows the reel but has no thumbnail (its thumbnail path 404s). */
  thumbnail?: boolean;
}

export interface ReelStatsSandbox {
  url: string;
  requests: { method: string; path: string; authorization: string | null }[];
  setReel(platform: string, shortcode: string, reel: SandboxReel): void;
  removeReel(platform: string, shortcode: string): void;
  failNext(count: number, status?: number): void;
  /** What an unconfigured reel reports. */
  defaultViews(shortcode: string): number;
  stop(): Promise<void>;
}

export interface ReelStatsSandboxOptions {
  port?: number;
  apiKey?: string;
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** 300 to ~3,000,000 views, log-spread: about a third of unconfigured reels pass 100,000. */
export function defaultViews(shortcode: string): number {
  const h = hash(shortcode);
  return Math.round(300 * 10 ** ((h % 10_000) / 2_500));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A solid 90 × 160 RGB PNG with a lighter band (so it reads as a picture, not a blank). */
export function thumbnailPng(seed: string): Buffer {
  const width = 90;
  const height = 160;
  const h = hash(seed);
  const rgb = [64 + (h & 0x7f), 64 + ((h >> 8) & 0x7f), 64 + ((h >> 16) & 0x7f)];
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    const light = y > 100 && y < 130 ? 60 : 0;
    for (let x = 0; x < width; x++) for (let i = 0; i < 3; i++) row[1 + x * 3 + i] = Math.min(255, (rgb[i] ?? 0) + light);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const PLATFORMS = new Set(["instagram", "tiktok", "youtube"]);
const ROUTE = /^\/v1\/reels\/([a-z]+)\/([A-Za-z0-9_-]{1,64})(\/thumbnail)?$/;

export async function startReelStatsSandbox(options: ReelStatsSandboxOptions = {}): Promise<ReelStatsSandbox> {
  const reels = new Map<string, SandboxReel | null>();
  const requests: ReelStatsSandbox["requests"] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;
    const authorization = req.headers.authorization ?? null;
    requests.push({ method: req.method ?? "GET", path, authorization });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (options.apiKey && authorization !== `Bearer ${options.apiKey}`) return json(401, { error: "unauthorized" });
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      return json(failures.status, { error: "injected failure" });
    }
    const match = req.method === "GET" ? ROUTE.exec(path) : null;
    const [, platform, shortcode, thumb] = match ?? [];
    if (!platform || !shortcode || !PLATFORMS.has(platform)) return json(404, { error: "not found" });
    const key = `${platform}/${shortcode}`;
    const configured = reels.get(key);
    if (configured === null) return json(404, { error: "reel removed" });
    const reel: SandboxReel = configured ?? { views: defaultViews(shortcode), title: `Sandbox ${platform} reel ${shortcode}` };
    if (thumb) {
      if (reel.thumbnail === false) return json(404, { error: "no thumbnail" });
      const png = thumbnailPng(key);
      res.writeHead(200, { "content-type": "image/png", "content-length": png.length });
      return res.end(png);
    }
    return json(200, { views: reel.views, title: reel.title ?? null, thumbnail: reel.thumbnail !== false });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("reel stats sandbox: no address");

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    setReel: (platform, shortcode, reel) => reels.set(`${platform}/${shortcode}`, reel),
    removeReel: (platform, shortcode) => reels.set(`${platform}/${shortcode}`, null),
    failNext: (count, status = 503) => {
      failures = { count, status };
    },
    defaultViews,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
