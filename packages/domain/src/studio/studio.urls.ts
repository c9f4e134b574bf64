/**
 * Which reel a pasted link points at (browser-safe: the web checks a link as it is typed with the same
 * rule). A reel is known by its platform and shortcode, never by the URL as pasted: share links carry
 * tracking parameters (`igsh`, `si`, `utm_*`, `is_from_webapp`), mobile and short hosts (`m.`, `vm.`,
 * `youtu.be`) and trailing slashes, and the same reel must deduplicate however it was copied. The
 * canonical URL is rebuilt from the two, so what is stored never carries anyone's tracking id.
 */

export const REEL_PLATFORMS = ["instagram", "tiktok", "youtube"] as const;
export type ReelPlatform = (typeof REEL_PLATFORMS)[number];

export interface ReelRef {
  platform: ReelPlatform;
  shortcode: string;
  /** Rebuilt from platform and shortcode (no query, no tracking). */
  url: string;
}

const INSTAGRAM_CODE = /^[A-Za-z0-9_-]{5,64}$/;
const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const TIKTOK_ID = /^\d{8,25}$/;
const TIKTOK_USER = /^@[A-Za-z0-9._]{1,64}$/;

function host(url: URL): string {
  return url.hostname.toLowerCase().replace(/^(www\.|m\.|mobile\.)/, "");
}

export function canonicalReelUrl(platform: ReelPlatform, shortcode: string): string {
  if (platform === "instagram") return `https://www.instagram.com/reel/${shortcode}/`;
  if (platform === "youtube") return `https://www.youtube.com/shorts/${shortcode}`;
  return `https://www.tiktok.com/video/${shortcode}`;
}

function ref(platform: ReelPlatform, shortcode: string): ReelRef {
  return { platform, shortcode, url: canonicalReelUrl(platform, shortcode) };
}

/** The reel a link points at, or null when it is not an Instagram, TikTok or YouTube reel/video link. */
export function parseReelUrl(input: string): ReelRef | null {
  const trimmed = input.trim();
  if (!trimmed || trimmed.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const parts = url.pathname.split("/").filter(Boolean);
  const h = host(url);

  if (h === "instagram.com" || h === "instagr.am") {
    // /reel/CODE, /reels/CODE, /p/CODE, /tv/CODE, and /USER/reel/CODE (profile-scoped share links).
    const at = parts.findIndex((p) => ["reel", "reels", "p", "tv"].includes(p.toLowerCase()));
    const code = at >= 0 && at <= 1 ? parts[at + 1] : undefined;
    return code && INSTAGRAM_CODE.test(code) ? ref("instagram", code) : null;
  }
  if (h === "youtube.com" || h === "music.youtube.com" || h === "youtube-nocookie.com") {
    const [first, second] = parts;
    let id: string | null | undefined;
    if (first === "watch") id = url.searchParams.get("v");
    else if (first === "shorts" || first === "embed" || first === "live" || first === "v") id = second;
    return id && YOUTUBE_ID.test(id) ? ref("youtube", id) : null;
  }
  if (h === "youtu.be") {
    const id = parts[0];
    return id && YOUTUBE_ID.test(id) ? ref("youtube", id) : null;
  }
  if (h === "tiktok.com") {
    // /@user/video/ID (and /@user/photo/ID), /video/ID, /v/ID.html (old share links).
    const [first, second, third] = parts;
    let id: string | undefined;
    if (first && TIKTOK_USER.test(first) && (second === "video" || second === "photo")) id = third;
    else if (first === "video") id = second;
    else if (first === "v") id = second?.replace(/\.html$/, "");
    return id && TIKTOK_ID.test(id) ? ref("tiktok", id) : null;
  }
  return null;
}
