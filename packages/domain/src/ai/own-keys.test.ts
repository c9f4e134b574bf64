/**
 * Users' own image API keys, end to end on a real database: user A saves a key for the image API in
 * identity (sealed), A's metered image generation is submitted AND polled with A's key at the image API
 * sandbox and costs A nothing, while user B's uses the server's key at the listed price. Saving or
 * deleting a key takes effect on the next call of a provider in another "process" that was never told.
 */
import { asSystem, asUser, createDb, type SessionAuth } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { credits } from "../credits/index.ts";
import { identity } from "../identity/index.ts";
import { DomainError } from "../platform/errors.ts";
import { generateKeySpec, parseKeyRing } from "../platform/secret-box.ts";
import { usage } from "../usage/index.ts";
import { createAiProvider } from "./ai.config.ts";
import type { AiProvider } from "./ai.types.ts";
import { type ImageApiSandbox, startImageApiSandbox } from "./testing/index.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 6 });
const keyRing = parseKeyRing(generateKeySpec());
const USER_KEY = "sk-user-a-image";
let images: ImageApiSandbox;
/** Two API processes' providers over one database: each resolves saved keys on its own. */
let ai: AiProvider;
let other: AiProvider;

beforeAll(async () => {
  images = await startImageApiSandbox({ apiKey: "sk-server-image", pollsToComplete: 2 });
  images.addKey(USER_KEY);
  const make = () => {
    const provider = createAiProvider({
      provider: "openai",
      // No text call is made here; the server's images go to the sandbox with the server's key.
      openai: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "unused" },
      imageApi: { baseUrl: images.url, apiKey: images.apiKey },
    });
    identity.bindSavedAiConnections(provider, db, keyRing);
    return provider;
  };
  ai = make();
  other = make();
});
afterAll(async () => {
  await images.stop();
  await db.destroy();
});

async function userWith(amount: number) {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `own-image-${Date.now()}-${Math.random()}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await credits.grant(tx, u.id, { source: "bonus", amount, idempotencyKey: "start" });
    return u.id;
  });
}

const authOf = (userId: string): SessionAuth => ({
  userId,
  sessionId: "00000000-0000-0000-0000-000000000000",
  role: "user",
  email: "someone@example.test",
  emailVerified: true,
  subscriptionTier: "free",
  sessionExpiresAt: new Date(Date.now() + 3600_000),
});

let attempt = 0;
/** One metered image generation (submit, poll until done) through `provider`; returns the keys the image API saw. */
async function generateImage(provider: AiProvider, userId: string) {
  const from = images.requests.length;
  const r = await usage.runMetered(
    { db, ai: provider },
    { userId, ip: "10.3.3.3" },
    { operation: "image.generate", idempotencyKey: `img-${++attempt}`, request: { attempt }, provider: provider.name },
    async () => {
      const { jobId } = await provider.image.submit({ prompt: "a lighthouse at dusk", width: 256, height: 256 });
      for (let i = 0; i < 20; i++) {
        const s = await provider.image.status(jobId);
        if (s.status === "completed")
          return { result: s.resultUrls, model: "image", inputTokens: 0, outputTokens: 0, latencyMs: 1 };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new DomainError("UPSTREAM_TIMEOUT", "The image took too long.");
    },
  );
  const keys = images.requests.slice(from).map((q) => q.headers.authorization);
  return { credits: r.credits, urls: r.result, keys: [...new Set(keys)] };
}

const available = (userId: string) => asUser(db, userId, (tx) => credits.balance(tx, userId)).then((b) => b.available);

describe("a user's own image API key", () => {
  it("submits and polls that user's images with their key at no cost; another user's use the server's key", async () => {
    const a = await userWith(100);
    const b = await userWith(100);
    await asUser(db, a, (tx) => identity.saveApiKey(keyRing, tx, authOf(a), { service: "higgsfield", key: USER_KEY }));

    const mine = await generateImage(ai, a);
    expect(mine.urls).toHaveLength(1);
    expect(mine.keys).toEqual([`Bearer ${USER_KEY}`]);
    expect(mine.credits).toBe(0);
    expect(await available(a)).toBe(100);
    const [generation] = await asUser(db, a, (tx) => usage.listGenerations(tx, { limit: 1 }));
    expect(generation).toMatchObject({ operation: "image.generate", provider: "own-key", credits: 0, status: "succeeded" });

    const theirs = await generateImage(ai, b);
    expect(theirs.keys).toEqual(["Bearer sk-server-image"]);
    expect(theirs.credits).toBe(40);
    expect(await available(b)).toBe(60);

    // An image key covers images only: A's text operations keep their price.
    expect(await usage.ownKeyOperations({ db, ai }, a)).toEqual(["image.generate"]);
    expect(await usage.priceFor({ db, ai }, a, "image.generate")).toBe(0);
    expect(await usage.priceFor({ db, ai }, a, "chat.reply")).toBe(2);
    expect(await usage.ownKeyOperations({ db, ai }, b)).toEqual([]);
  });

  it("takes a saved or deleted key into account on the next call, in a process that was never told", async () => {
    const a = await userWith(100);
    // The other process resolves A first (no key yet), as a warm cache would.
    expect((await generateImage(other, a)).keys).toEqual(["Bearer sk-server-image"]);
    const saved = await asUser(db, a, (tx) =>
      identity.saveApiKey(keyRing, tx, authOf(a), { service: "higgsfield", key: USER_KEY }),
    );
    expect((await generateImage(other, a)).keys).toEqual([`Bearer ${USER_KEY}`]);
    await asUser(db, a, (tx) => identity.deleteApiKey(tx, saved.id));
    const after = await generateImage(other, a);
    expect(after.keys).toEqual(["Bearer sk-server-image"]);
    expect(after.credits).toBe(40);
  });
});
