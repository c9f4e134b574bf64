/** `GET /files/:id?exp&sig` over HTTP: what is served, with which headers, and what is refused. */
import { files } from "@inkwell/domain/files";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

/** A 1×1 PNG (file ids differ per upload, so the same bytes serve every test). */
const png = (_size?: number) =>
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

async function uploadedLogo(filename = "logo.png") {
  const u = await h.signUp("files");
  const kit = await u.caller.brand.uploadLogo({ filename, dataBase64: png().toString("base64") });
  const logo = kit.logo!;
  return { u, logo, url: new URL(logo.url, "http://app.test") };
}

describe("signed file URLs", () => {
  it("serve the bytes with the sniffed type, safe headers and private caching, without a session", async () => {
    const { logo, url } = await uploadedLogo("Crumb «logo».png");
    const res = await h.app.request(`${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      "content-type": "image/png",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "content-disposition": `inline; filename="Crumb _logo_.png"; filename*=UTF-8''${encodeURIComponent("Crumb «logo».png")}`,
    });
    expect(res.headers.get("cache-control")).toMatch(/^private, max-age=\d+, immutable$/);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get("cache-control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThan(3000);
    expect(maxAge).toBeLessThanOrEqual(3600 + 300);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(png());

    // Revalidation by ETag (the sha256).
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await h.app.request(`${url.pathname}${url.search}`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(logo.byteSize).toBe(png().length);
  });

  it("refuse an expired link with 403", async () => {
    const { logo } = await uploadedLogo();
    const past = files.signedUrl(h.deps, { id: logo.fileId }, 60, Math.floor(Date.now() / 1000) - 3600);
    const res = await h.app.request(past);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("This link has expired. Reload the page for a fresh one.");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("refuse tampered links with 403: another file's id, a later expiry, a changed signature, none", async () => {
    const { url } = await uploadedLogo();
    const other = await uploadedLogo();
    const exp = url.searchParams.get("exp")!;
    const sig = url.searchParams.get("sig")!;
    const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    for (const path of [
      `${other.url.pathname}?exp=${exp}&sig=${sig}`,
      `${url.pathname}?exp=${Number(exp) + 86_400}&sig=${sig}`,
      `${url.pathname}?exp=${exp}&sig=${flipped}`,
      `${url.pathname}?exp=${exp}`,
      url.pathname,
      `/files/not-a-uuid?exp=${exp}&sig=${sig}`,
    ]) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toBe("This link is not valid.");
    }
  });

  it("answer one byte range with 206 (as Safari's players need), refuse a range past the end with 416", async () => {
    const { url } = await uploadedLogo();
    const path = `${url.pathname}${url.search}`;
    const whole = png();
    const size = whole.length;

    const first = await h.app.request(path, { headers: { range: "bytes=0-9" } });
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe(`bytes 0-9/${size}`);
    expect(first.headers.get("content-length")).toBe("10");
    expect(Buffer.from(await first.arrayBuffer())).toEqual(whole.subarray(0, 10));

    // Open-ended, and the last N bytes.
    const rest = await h.app.request(path, { headers: { range: "bytes=10-" } });
    expect(rest.status).toBe(206);
    expect(Buffer.from(await rest.arrayBuffer())).toEqual(whole.subarray(10));
    const tail = await h.app.request(path, { headers: { range: "bytes=-5" } });
    expect(tail.headers.get("content-range")).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(size - 5));

    const past = await h.app.request(path, { headers: { range: `bytes=${size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${size}`);

    // A range we do not serve (several at once) gets the whole file, as does an If-Range naming another file.
    const several = await h.app.request(path, { headers: { range: "bytes=0-1,4-5" } });
    expect(several.status).toBe(200);
    expect(several.headers.get("accept-ranges")).toBe("bytes");
    expect(Buffer.from(await several.arrayBuffer())).toEqual(whole);
    const stale = await h.app.request(path, { headers: { range: "bytes=0-9", "if-range": `"${"0".repeat(64)}"` } });
    expect(stale.status).toBe(200);
    const current = await h.app.request(path, { headers: { range: "bytes=0-9", "if-range": first.headers.get("etag")! } });
    expect(current.status).toBe(206);
  });
});
