/** The reel-stats adapter over real HTTP: what each failure comes back as, and whether a retry can help. */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReelStatsClient, ReelStatsError } from "./reel-stats.client.ts";
import { type ReelStatsSandbox, startReelStatsSandbox } from "./testing/index.ts";

let sandbox: ReelStatsSandbox;
let odd: Server;
let oddUrl: string;

beforeAll(async () => {
  sandbox = await startReelStatsSandbox({ apiKey: "right-key" });
  // A service misbehaving: /slow never answers, /garbled answers 200 with HTML, /huge claims 50 MB.
  odd = createServer((req, res) => {
    if (req.url?.startsWith("/slow")) return;
    if (req.url?.startsWith("/endless")) {
      // No length declared, and the bytes never stop: the cap must hold while reading.
      res.writeHead(200, { "content-type": "image/png" });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      return pump();
    }
    if (req.url?.startsWith("/garbled")) {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html>rate limited</html>");
    }
    res.writeHead(200, { "content-type": "image/png", "content-length": String(50 * 1024 * 1024) });
    res.end();
  });
  await new Promise<void>((resolve) => odd.listen(0, "127.0.0.1", resolve));
  const address = odd.address();
  oddUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  await sandbox.stop();
  odd.closeAllConnections();
  await new Promise<void>((resolve) => odd.close(() => resolve()));
});

async function failure(p: Promise<unknown>): Promise<ReelStatsError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReelStatsError);
  return error as ReelStatsError;
}

const reel = { platform: "youtube" as const, shortcode: "dQw4w9WgXcQ" };

describe("reel-stats client", () => {
  it("reads views and title with the key, and the thumbnail bytes", async () => {
    const client = createReelStatsClient({ baseUrl: sandbox.url, apiKey: "right-key" });
    sandbox.setReel("youtube", reel.shortcode, { views: 42, title: "Never gonna" });
    expect(await client.stats(reel)).toEqual({ views: 42, title: "Never gonna", hasThumbnail: true });
    const png = await client.thumbnail(reel);
    expect(Buffer.from(png.subarray(1, 4)).toString()).toBe("PNG");
  });

  it("a wrong key or an outage is retryable; a removed reel is not", async () => {
    const wrongKey = await failure(createReelStatsClient({ baseUrl: sandbox.url, apiKey: "wrong" }).stats(reel));
    expect(wrongKey).toMatchObject({ kind: "unavailable", retryable: true });
    const client = createReelStatsClient({ baseUrl: sandbox.url, apiKey: "right-key" });
    sandbox.failNext(1, 502);
    expect(await failure(client.stats(reel))).toMatchObject({ kind: "unavailable", message: "The stats service answered 502." });
    sandbox.removeReel("youtube", "gone1234567");
    expect(await failure(client.stats({ platform: "youtube", shortcode: "gone1234567" }))).toMatchObject({
      kind: "not_found",
      retryable: false,
    });
    const nobody = await failure(createReelStatsClient({ baseUrl: "http://127.0.0.1:9" }).stats(reel));
    expect(nobody.kind).toBe("unavailable");
  });

  it("gives up at its deadline, refuses an unreadable body and an oversized thumbnail", async () => {
    const slow = createReelStatsClient({ baseUrl: `${oddUrl}/slow`, timeoutMs: 300 });
    const started = Date.now();
    expect((await failure(slow.stats(reel))).kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await failure(createReelStatsClient({ baseUrl: `${oddUrl}/garbled` }).stats(reel))).kind).toBe("invalid_response");
    expect((await failure(createReelStatsClient({ baseUrl: `${oddUrl}/huge` }).thumbnail(reel))).message).toMatch(/too large/);
    const endless = createReelStatsClient({ baseUrl: `${oddUrl}/endless`, timeoutMs: 5_000 });
    expect(await failure(endless.thumbnail(reel))).toMatchObject({
      kind: "invalid_response",
      message: "The thumbnail is too large.",
    });
    // A stats answer is capped too: refused once past its cap, not read until the 5 s deadline.
    const before = Date.now();
    expect(await failure(endless.stats(reel))).toMatchObject({ kind: "invalid_response" });
    expect(Date.now() - before).toBeLessThan(2_500);
  });
});
