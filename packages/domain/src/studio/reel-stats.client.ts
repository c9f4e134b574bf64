/**
 * The `reel-stats` adapter: a reel's view count, title and thumbnail from a stats service speaking a
 * small JSON API (the shape of the hosted social-data APIs that front Instagram, TikTok and YouTube):
 *
 *   GET /v1/reels/:platform/:shortcode            → { views, title?, thumbnail: boolean }
 *   GET /v1/reels/:platform/:shortcode/thumbnail  → image bytes
 *
 * `Authorization: Bearer <key>` when a key is configured. The thumbnail is fetched from the service,
 * never from a URL a response names, so nothing we fetch is chosen by the outside. By default
 * (`REEL_STATS_URL` unset) it talks to the local sandbox (`studio/testing`) that `pnpm dev` starts.
 * Every call has a deadline and a size cap; failures come back as a typed `ReelStatsError`, its `kind`
 * saying whether a retry can help.
 */
import { z } from "zod";
import { readCapped as readCappedBody } from "../platform/read-capped.ts";
import type { ReelPlatform } from "./studio.urls.ts";

/** Where `pnpm dev` runs the sandbox (scripts/dev.ts). */
export const DEFAULT_REEL_STATS_URL = "http://127.0.0.1:4030";
const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;
/** A stats answer is a few fields; anything longer is not one (and is not buffered whole). */
const MAX_STATS_BYTES = 64 * 1024;

export interface ReelStats {
  views: number;
  title: string | null;
  hasThumbnail: boolean;
}

export interface ReelStatsClient {
  stats(reel: { platform: ReelPlatform; shortcode: string }): Promise<ReelStats>;
  thumbnail(reel: { platform: ReelPlatform; shortcode: string }): Promise<Uint8Array>;
}

/** `not_found`: the platform has no such reel (or it was taken down): asking again will not help. */
export class ReelStatsError extends Error {
  override readonly name = "ReelStatsError";
  constructor(
    readonly kind: "not_found" | "unavailable" | "timeout" | "invalid_response",
    message: string,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.kind !== "not_found";
  }
}

const statsBody = z.object({
  views: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  title: z.string().max(300).nullish(),
  thumbnail: z.boolean().default(false),
});

export const reelStatsEnvSchema = z.object({
  REEL_STATS_URL: z.url().default(DEFAULT_REEL_STATS_URL),
  REEL_STATS_API_KEY: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined)),
});
export type ReelStatsEnv = z.infer<typeof reelStatsEnvSchema>;

export interface ReelStatsOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createReelStatsClient(options: ReelStatsOptions): ReelStatsClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;

  async function get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        headers: {
          accept: "application/json, image/*",
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "error",
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError")
        throw new ReelStatsError("timeout", "The stats service did not answer in time.");
      throw new ReelStatsError("unavailable", "The stats service could not be reached.");
    }
    if (response.status === 404)
      throw new ReelStatsError("not_found", "The platform has no such reel (it may have been removed).");
    if (!response.ok) throw new ReelStatsError("unavailable", `The stats service answered ${response.status}.`);
    return response;
  }

  const path = (reel: { platform: ReelPlatform; shortcode: string }) =>
    `/v1/reels/${encodeURIComponent(reel.platform)}/${encodeURIComponent(reel.shortcode)}`;

  return {
    async stats(reel) {
      const response = await get(path(reel));
      const text = await readCapped(response, MAX_STATS_BYTES, "The stats service sent something unreadable.").catch(
        (error: unknown) => {
          if (error instanceof ReelStatsError && error.kind !== "invalid_response") throw error;
          return null;
        },
      );
      let body: unknown = null;
      try {
        body = text ? JSON.parse(new TextDecoder().decode(text)) : null;
      } catch {
        // Not JSON: refused just below like any other unreadable answer.
      }
      const parsed = statsBody.safeParse(body);
      if (!parsed.success) throw new ReelStatsError("invalid_response", "The stats service sent something unreadable.");
      return { views: parsed.data.views, title: parsed.data.title ?? null, hasThumbnail: parsed.data.thumbnail };
    },
    async thumbnail(reel) {
      const response = await get(`${path(reel)}/thumbnail`);
      const declared = Number(response.headers.get("content-length") ?? 0);
      if (declared > MAX_THUMBNAIL_BYTES) throw new ReelStatsError("invalid_response", "The thumbnail is too large.");
      return readCapped(response, MAX_THUMBNAIL_BYTES, "The thumbnail is too large.");
    },
  };
}

/** The body, refused past `max` bytes (platform's readCapped), its read failures said as the stats service's. */
async function readCapped(response: Response, max: number, tooLarge: string): Promise<Uint8Array> {
  try {
    return await readCappedBody(response, max, () => new ReelStatsError("invalid_response", tooLarge));
  } catch (error) {
    if (error instanceof ReelStatsError) throw error;
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError")
      throw new ReelStatsError("timeout", "The stats service did not answer in time.");
    throw new ReelStatsError("unavailable", "The stats service's answer could not be read.");
  }
}

export function reelStatsClientFromEnv(env: ReelStatsEnv): ReelStatsClient {
  return createReelStatsClient({ baseUrl: env.REEL_STATS_URL, apiKey: env.REEL_STATS_API_KEY });
}
