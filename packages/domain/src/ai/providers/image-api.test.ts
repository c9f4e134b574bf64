import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PNG } from "pngjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAiProvider } from "../ai.config.ts";
import type { ImageGenerator, ImageJob } from "../ai.types.ts";
import { type ImageApiSandbox, startImageApiSandbox } from "../testing/image-api-server.ts";
import { createImageApiClient, MAX_IMAGE_API_REPLY_BYTES } from "./image-api.ts";

let sandbox: ImageApiSandbox;
let images: ImageGenerator;

const request = { prompt: "a lighthouse at dusk", width: 320, height: 240, seed: 42 };

/** Polls like a worker would, bounded. */
async function poll(jobId: string): Promise<ImageJob[]> {
  const seen: ImageJob[] = [];
  for (let i = 0; i < 10; i++) {
    const job = await images.status(jobId);
    seen.push(job);
    if (job.status !== "queued" && job.status !== "in_progress") break;
  }
  return seen;
}

beforeAll(async () => {
  sandbox = await startImageApiSandbox({ pollsToComplete: 3 });
  images = createImageApiClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    model: "sandbox-v1",
    timeoutMs: 2000,
    maxRetries: 2,
  });
});
afterAll(() => sandbox.stop());
afterEach(() => {
  sandbox.requests.length = 0;
});

describe("image API adapter", () => {
  it("submits, polls through queued and in_progress to completed, with URLs serving the PNG", async () => {
    const { jobId } = await images.submit(request);
    expect(sandbox.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/generations",
      body: { ...request, model: "sandbox-v1" },
    });
    expect(sandbox.requests[0]?.headers.authorization).toBe(`Bearer ${sandbox.apiKey}`);
    const seen = await poll(jobId);
    expect(seen.map((j) => j.status)).toEqual(["queued", "in_progress", "completed"]);
    const url = seen.at(-1)?.resultUrls[0] as string;
    const png = PNG.sync.read(Buffer.from(await (await fetch(url)).arrayBuffer()));
    expect(png).toMatchObject({ width: 320, height: 240 });
  });

  it("reports failed and nsfw outcomes with their reason", async () => {
    sandbox.setNextOutcome("failed");
    const failed = (await poll((await images.submit(request)).jobId)).at(-1);
    expect(failed).toEqual({ status: "failed", resultUrls: [], error: "Generation failed in the sandbox." });
    sandbox.setNextOutcome("nsfw");
    const nsfw = (await poll((await images.submit(request)).jobId)).at(-1);
    expect(nsfw).toMatchObject({ status: "nsfw", resultUrls: [], error: expect.stringContaining("NSFW") });
  });

  it("retries a 429 after its Retry-After with the same idempotency key, so one job is made", async () => {
    sandbox.failNext(1, { status: 429, retryAfterMs: 100 });
    const { jobId } = await images.submit(request);
    expect(sandbox.requests).toHaveLength(2);
    const [first, second] = sandbox.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(90);
    expect(second?.headers["idempotency-key"]).toBe(first?.headers["idempotency-key"]);
    expect((await images.status(jobId)).status).toBe("queued");
  });

  it("maps what is left after retries, refused keys, bad input and unknown jobs to DomainErrors", async () => {
    sandbox.failNext(3, { status: 503 });
    await expect(images.status("gen-1")).rejects.toMatchObject({
      code: "UPSTREAM_FAILED",
      message: "The image API failed (503) after 3 attempts.",
    });
    sandbox.failNext(3, { status: 429, retryAfterSeconds: 0 });
    await expect(images.submit(request)).rejects.toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: 1 } });
    const wrongKey = createImageApiClient({ baseUrl: sandbox.url, apiKey: "nope", model: "m", timeoutMs: 2000, maxRetries: 0 });
    await expect(wrongKey.submit(request)).rejects.toMatchObject({
      code: "UPSTREAM_FAILED",
      message: expect.stringContaining("credentials"),
    });
    await expect(images.submit({ ...request, width: 0 })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(images.status("gen-999")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses an answer larger than any status reply, without reading it whole", async () => {
    // A server streaming an endless JSON array of result URLs, with no length declared.
    let sent = 0;
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"status":"completed","result_urls":[');
      const chunk = `${'"https://example.test/x.png",'.repeat(1000)}`;
      const pump = () => {
        while (sent < 50 * MAX_IMAGE_API_REPLY_BYTES) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end('""]}');
      };
      res.on("close", () => {
        sent = Number.POSITIVE_INFINITY;
      });
      pump();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const greedy = createImageApiClient({ baseUrl: url, apiKey: "k", model: "m", timeoutMs: 5000, maxRetries: 0 });
      await expect(greedy.status("gen-1")).rejects.toMatchObject({
        code: "UPSTREAM_FAILED",
        message: `The image API sent an answer over ${MAX_IMAGE_API_REPLY_BYTES} bytes.`,
      });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("times out a hanging API", async () => {
    sandbox.hangNext(1);
    const impatient = createImageApiClient({
      baseUrl: sandbox.url,
      apiKey: sandbox.apiKey,
      model: "m",
      timeoutMs: 200,
      maxRetries: 0,
    });
    await expect(impatient.submit(request)).rejects.toMatchObject({ code: "UPSTREAM_TIMEOUT" });
  });

  it("is the openai provider's image generator when configured", async () => {
    const ai = createAiProvider({
      provider: "openai",
      openai: { apiKey: "sk-unused" },
      imageApi: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
    });
    const { jobId } = await ai.image.submit(request);
    expect(jobId).toMatch(/^gen-/);
    expect((await ai.image.status(jobId)).status).toBe("queued");
  });
});
