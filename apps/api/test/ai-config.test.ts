import { startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { generateKeySpec } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApiDeps } from "../src/deps.ts";
import { loadEnv } from "../src/env.ts";
import { createCaller } from "../src/router.ts";
import { createTestContext } from "../src/trpc/context.ts";

const quiet = { info() {}, warn() {}, error() {} };
let llm: Awaited<ReturnType<typeof startOpenAiCompatibleServer>>;
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;

beforeAll(async () => {
  llm = await startOpenAiCompatibleServer();
  smtp = await startLocalSmtpServer();
});
afterAll(async () => {
  await llm.stop();
  await smtp.stop();
});

const baseEnv = () => ({
  DATABASE_URL: inject("databaseUrl"),
  SMTP_URL: smtp.url,
  INKWELL_ENCRYPTION_KEYS: generateKeySpec(),
});

describe("AI configuration from the environment", () => {
  it("defaults to the offline provider, and says so to the web", async () => {
    const { deps, close } = await createApiDeps(loadEnv(baseEnv()), quiet);
    try {
      expect(await createCaller(createTestContext(deps)).system.info()).toEqual({
        ai: { provider: "offline", offline: true },
        // No platform configured and no sandbox: publishing says so too.
        publishing: { sandbox: false, sandboxFeedUrl: null },
        // No reel-stats provider: reels' view counts are the local stand-in's, and the board says so.
        studio: { reelStatsSandbox: true },
      });
    } finally {
      await close();
    }
  });

  it("talks to any OpenAI-compatible server through the openai SDK when configured", async () => {
    const env = loadEnv({
      ...baseEnv(),
      AI_PROVIDER: "openai",
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: "local",
      AI_CHAT_MODEL: "local-model",
      REEL_STATS_URL: "https://reel-stats.example.com",
    });
    const { deps, close } = await createApiDeps(env, quiet);
    try {
      expect(await createCaller(createTestContext(deps)).system.info()).toMatchObject({
        ai: { provider: "openai", offline: false },
        studio: { reelStatsSandbox: false },
      });
      const reply = await deps.ai.chat({ messages: [{ role: "user", content: "hello there" }] });
      expect(reply.text).toContain("hello there");
      expect(llm.requests.some((r) => r.path.endsWith("/chat/completions"))).toBe(true);
    } finally {
      await close();
    }
  });

  it("refuses to start with the openai provider but no key", () => {
    expect(() => loadEnv({ ...baseEnv(), AI_PROVIDER: "openai" })).not.toThrow();
    return expect(createApiDeps(loadEnv({ ...baseEnv(), AI_PROVIDER: "openai" }), quiet)).rejects.toThrow();
  });
});
