/**
 * An image generation, metered end to end: credits are reserved, the job is submitted to a
 * Higgsfield-style image API (the project's sandbox server) and polled; a finished image is charged,
 * a failed or NSFW-refused one costs nothing.
 */
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createAiProvider } from "../ai/index.ts";
import { type ImageApiSandbox, startImageApiSandbox, startOpenAiCompatibleServer } from "../ai/testing/index.ts";
import { credits } from "../credits/index.ts";
import { DomainError } from "../platform/errors.ts";
import * as usage from "./usage.service.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 6 });
let images: ImageApiSandbox;
let llm: Awaited<ReturnType<typeof startOpenAiCompatibleServer>>;
let ai: ReturnType<typeof createAiProvider>;

beforeAll(async () => {
  images = await startImageApiSandbox({ pollsToComplete: 2 });
  llm = await startOpenAiCompatibleServer();
  ai = createAiProvider({
    provider: "openai",
    openai: { baseUrl: llm.url, apiKey: "local" },
    imageApi: { baseUrl: images.url, apiKey: images.apiKey },
  });
});
afterAll(async () => {
  await images.stop();
  await llm.stop();
  await db.destroy();
});

async function userWith(amount: number) {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `image-${Date.now()}-${Math.random()}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await credits.grant(tx, u.id, { source: "bonus", amount, idempotencyKey: "start" });
    return u.id;
  });
}

async function generateImage(userId: string, key: string) {
  return usage.runMetered(
    { db },
    { userId, ip: "10.2.2.2" },
    {
      operation: "image.generate",
      idempotencyKey: key,
      request: { prompt: "a lighthouse" },
      topic: "a lighthouse",
      provider: ai.name,
    },
    async () => {
      const started = performance.now();
      const { jobId } = await ai.image.submit({ prompt: "a lighthouse at dusk", width: 512, height: 512 });
      // Polled until the job leaves the queue (vi.waitFor retries while the callback throws).
      const s = await vi.waitFor(
        async () => {
          const job = await ai.image.status(jobId);
          if (job.status === "queued" || job.status === "in_progress") throw new Error(`still ${job.status}`);
          return job;
        },
        { timeout: 5000, interval: 20 },
      );
      if (s.status !== "completed") {
        throw new DomainError("UPSTREAM_FAILED", `The image could not be made (${s.status}${s.error ? `: ${s.error}` : ""}).`);
      }
      return {
        result: s.resultUrls,
        model: "sandbox-image",
        inputTokens: 0,
        outputTokens: 0,
        latencyMs: performance.now() - started,
      };
    },
  );
}

describe("a metered image generation", () => {
  it("charges a finished image", async () => {
    const userId = await userWith(100);
    const r = await generateImage(userId, "ok");
    expect(r.result.length).toBeGreaterThan(0);
    expect(r.credits).toBe(40);
    expect((await asUser(db, userId, (tx) => credits.balance(tx, userId))).available).toBe(60);
  });

  it("costs nothing when the image API fails the job or refuses it as NSFW", async () => {
    const userId = await userWith(100);
    images.setNextOutcome("failed");
    await expect(generateImage(userId, "fail")).rejects.toThrow(/could not be made \(failed/);
    images.setNextOutcome("nsfw");
    await expect(generateImage(userId, "nsfw")).rejects.toThrow(/could not be made \(nsfw/);
    expect(await asUser(db, userId, (tx) => credits.balance(tx, userId))).toMatchObject({ available: 100, held: 0 });
    const history = await asUser(db, userId, (tx) => usage.listGenerations(tx, { limit: 10 }));
    expect(history.map((g) => [g.status, g.credits])).toEqual([
      ["failed", 0],
      ["failed", 0],
    ]);
  });
});
