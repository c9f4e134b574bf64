import { describe, expect, it } from "vitest";
import { aiConfigSchema, createAiProvider } from "./ai.config.ts";

describe("AI config", () => {
  it("defaults to the offline provider with 1536-dimension embeddings", async () => {
    const ai = createAiProvider();
    expect(ai).toMatchObject({ name: "offline", offline: true });
    expect((await ai.embed(["hello"])).dimensions).toBe(1536);
    expect(aiConfigSchema.parse({})).toEqual({
      provider: "offline",
      embeddingDimensions: 1536,
      embeddingBatchSize: 64,
      // Users' own connections reach only public https servers unless a developer allows local ones.
      userConnections: { allowPrivateAddresses: false },
    });
  });

  it("fills the openai defaults and refuses an openai provider without its settings", () => {
    const parsed = aiConfigSchema.parse({ provider: "openai", openai: { apiKey: "sk-x" } });
    expect(parsed.openai).toMatchObject({
      baseUrl: "https://api.openai.com/v1",
      chatModel: "gpt-4o-mini",
      embeddingModel: "text-embedding-3-small",
      maxRetries: 2,
      maxTokensField: "max_completion_tokens",
      jsonMode: true,
    });
    expect(() => createAiProvider({ provider: "openai" })).toThrow(/needs the openai settings/);
    expect(() => createAiProvider({ provider: "openai", openai: { apiKey: "k", baseUrl: "not a url" } })).toThrow();
  });
});
