/** Which reel a pasted link points at: real link shapes, and the same reel however it was copied. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseReelUrl } from "./studio.urls.ts";

describe("parseReelUrl", () => {
  it.each([
    ["https://www.instagram.com/reel/C3xYz_Ab-12/", "instagram", "C3xYz_Ab-12"],
    ["https://www.instagram.com/reel/C3xYz_Ab-12/?igsh=MWQ1ZGUxMzBkMA==", "instagram", "C3xYz_Ab-12"],
    ["https://instagram.com/reels/C3xYz_Ab-12", "instagram", "C3xYz_Ab-12"],
    ["https://www.instagram.com/p/CzQ1a2b3c4d/?utm_source=ig_web_copy_link", "instagram", "CzQ1a2b3c4d"],
    ["https://www.instagram.com/someone/reel/C3xYz_Ab-12/", "instagram", "C3xYz_Ab-12"],
    ["instagram.com/reel/C3xYz_Ab-12", "instagram", "C3xYz_Ab-12"],
    ["https://m.instagram.com/tv/B8a9b0c1d2e/", "instagram", "B8a9b0c1d2e"],
    [
      "https://www.tiktok.com/@khaby.lame/video/7212345678901234567?is_from_webapp=1&sender_device=pc",
      "tiktok",
      "7212345678901234567",
    ],
    ["https://m.tiktok.com/@user_1/video/7212345678901234567", "tiktok", "7212345678901234567"],
    ["https://www.tiktok.com/v/7212345678901234567.html", "tiktok", "7212345678901234567"],
    ["https://www.youtube.com/shorts/dQw4w9WgXcQ?si=abcdEFGH", "youtube", "dQw4w9WgXcQ"],
    ["https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PL123", "youtube", "dQw4w9WgXcQ"],
    ["https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"],
    ["https://youtu.be/dQw4w9WgXcQ?si=tracking", "youtube", "dQw4w9WgXcQ"],
    ["  https://www.youtube.com/embed/dQw4w9WgXcQ  ", "youtube", "dQw4w9WgXcQ"],
  ])("%s → %s %s", (url, platform, shortcode) => {
    expect(parseReelUrl(url)).toMatchObject({ platform, shortcode });
  });

  it.each([
    "",
    "not a link",
    "https://www.instagram.com/khaby00/",
    "https://www.instagram.com/explore/tags/reels/",
    "https://www.tiktok.com/@khaby.lame",
    "https://vm.tiktok.com/ZMabc123/",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/@channel",
    "https://evil.example/reel/C3xYz_Ab-12/",
    "https://instagram.com.evil.example/reel/C3xYz_Ab-12/",
    "javascript:alert(1)//instagram.com/reel/C3xYz_Ab-12",
    "ftp://www.instagram.com/reel/C3xYz_Ab-12/",
  ])("refuses %j", (url) => {
    expect(parseReelUrl(url)).toBeNull();
  });

  it("rebuilds a canonical URL with no tracking parameters", () => {
    expect(parseReelUrl("https://www.instagram.com/p/CzQ1a2b3c4d/?igsh=x")?.url).toBe(
      "https://www.instagram.com/reel/CzQ1a2b3c4d/",
    );
    expect(parseReelUrl("https://youtu.be/dQw4w9WgXcQ?si=x")?.url).toBe("https://www.youtube.com/shorts/dQw4w9WgXcQ");
  });

  it("gives the same reel however the link was copied (host variant, query, fragment, slash, case of scheme)", () => {
    const code = fc.stringMatching(/^[A-Za-z0-9_-]{11}$/);
    const query = fc.dictionary(fc.constantFrom("igsh", "si", "utm_source", "utm_medium", "feature", "t"), fc.webSegment(), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(
        code,
        query,
        fc.constantFrom("https://www.", "https://", "http://m.", "HTTPS://www.", ""),
        fc.boolean(),
        fc.constantFrom("", "#comments"),
        (id, params, prefix, slash, hash) => {
          const qs = new URLSearchParams(params).toString();
          const tail = `${slash ? "/" : ""}${qs ? `?${qs}` : ""}${hash}`;
          const shapes = [`${prefix}instagram.com/reel/${id}${tail}`, `${prefix}instagram.com/p/${id}${tail}`];
          for (const shape of shapes) expect(parseReelUrl(shape)).toEqual(parseReelUrl(`https://www.instagram.com/reel/${id}/`));
          const yt = parseReelUrl(`https://www.youtube.com/shorts/${id}`);
          expect(parseReelUrl(`${prefix}youtube.com/shorts/${id}${tail}`)).toEqual(yt);
          expect(parseReelUrl(`https://youtu.be/${id}${tail}`)).toEqual(yt);
        },
      ),
      { numRuns: 60 },
    );
  });
});
