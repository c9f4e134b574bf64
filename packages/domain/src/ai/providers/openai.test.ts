import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type AiConfigInput, createAiProvider } from "../ai.config.ts";
import type { AiProvider, ChatStreamEvent } from "../ai.types.ts";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "../testing/openai-compatible-server.ts";
import { lexicalEmbedding } from "./offline-embeddings.ts";

const DIMENSIONS = 32;
const API_KEY = "sk-test-abcdef1234567890";
let server: OpenAiCompatibleServer;

function provider(openai: Partial<NonNullable<AiConfigInput["openai"]>> = {}, rest: Partial<AiConfigInput> = {}): AiProvider {
  return createAiProvider({
    provider: "openai",
    openai: { baseUrl: server.url, apiKey: API_KEY, chatModel: "test-chat", timeoutMs: 5000, maxRetries: 2, ...openai },
    embeddingDimensions: DIMENSIONS,
    ...rest,
  });
}

const hello = { messages: [{ role: "user" as const, content: "hello there, how is the weather in Lisbon today?" }] };

async function collect(stream: AsyncIterable<ChatStreamEvent>, onDelta?: (n: number) => void): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) {
    events.push(event);
    if (event.type === "delta") onDelta?.(events.length);
  }
  return events;
}

beforeAll(async () => {
  server = await startOpenAiCompatibleServer({ embeddingDimensions: DIMENSIONS });
});
afterAll(() => server.stop());
afterEach(() => {
  server.requests.length = 0;
  server.setReply(null);
  server.setFirstTokenDelayMs(0);
  server.setTokenDelayMs(0);
});

describe("openai provider: chat", () => {
  it("answers a whole chat with usage, model and finish reason", async () => {
    const result = await provider().chat({ ...hello, temperature: 0.2 });
    expect(result).toMatchObject({
      text: "You said: hello there, how is the weather in Lisbon today?",
      model: "test-chat",
      finishReason: "stop",
      usage: { inputTokens: 12, outputTokens: 11 }, // ceil(48 characters / 4); 11 words
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(server.requests[0]).toMatchObject({ path: "/v1/chat/completions", body: { model: "test-chat", temperature: 0.2 } });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("sends maxTokens in the configured field and reports a cut reply as length", async () => {
    const cut = await provider().chat({ ...hello, maxTokens: 3, model: "other-model" });
    expect(cut).toMatchObject({ text: "You said: hello ", finishReason: "length", model: "other-model" });
    expect(server.requests[0]?.body).toMatchObject({ max_completion_tokens: 3 });
    await provider({ maxTokensField: "max_tokens" }).chat({ ...hello, maxTokens: 3 });
    expect(server.requests[1]?.body).toMatchObject({ max_tokens: 3 });
  });

  it("streams token by token, in order, with usage and time to first token", async () => {
    server.setFirstTokenDelayMs(150);
    server.setTokenDelayMs(10);
    const started = performance.now();
    let firstDeltaAt = 0;
    const events = await collect(provider().chatStream(hello), () => {
      firstDeltaAt ||= performance.now() - started;
    });
    const deltas = events.flatMap((e) => (e.type === "delta" ? [e.text] : []));
    expect(deltas).toEqual([
      "You ",
      "said: ",
      "hello ",
      "there, ",
      "how ",
      "is ",
      "the ",
      "weather ",
      "in ",
      "Lisbon ",
      "today?",
    ]);
    const done = events.at(-1);
    expect(done).toMatchObject({
      type: "done",
      model: "test-chat",
      finishReason: "stop",
      usage: { inputTokens: 12, outputTokens: 11 },
    });
    expect(firstDeltaAt).toBeGreaterThanOrEqual(140);
    expect(done?.type === "done" && done.timeToFirstTokenMs).toBeGreaterThanOrEqual(140);
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("stops a stream when the caller aborts, and the server sees the client leave", async () => {
    server.setReply(Array.from({ length: 60 }, (_, i) => `word${i}`).join(" "));
    server.setTokenDelayMs(20);
    const controller = new AbortController();
    let deltas = 0;
    const error = await collect(provider().chatStream(hello, { signal: controller.signal }), () => {
      if (++deltas === 3) controller.abort();
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AbortError" });
    expect(deltas).toBe(3);
    await expect.poll(() => server.requests[0]?.outcome).toBe("aborted");
  });

  it("times out a stream that goes quiet", async () => {
    server.setTokenDelayMs(2000);
    await expect(collect(provider({ timeoutMs: 300 }).chatStream(hello))).rejects.toMatchObject({ code: "UPSTREAM_TIMEOUT" });
  });
});

describe("openai provider: failures", () => {
  it("waits out a 429's Retry-After and then succeeds", async () => {
    server.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const result = await provider().chat(hello);
    expect(result.text).toContain("You said");
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it("surfaces a 429 that outlasts the retries as RATE_LIMITED with retryAfterSeconds", async () => {
    server.failNext(2, { status: 429, retryAfterMs: 50 });
    await expect(provider({ maxRetries: 1 }).chat(hello)).rejects.toMatchObject({
      code: "RATE_LIMITED",
      details: { retryAfterSeconds: 1 },
    });
    expect(server.requests).toHaveLength(2);
  });

  it("surfaces a persisting 500 as UPSTREAM_FAILED with the status and no secrets", async () => {
    server.failNext(2, { status: 500, message: `backend exploded (key ${API_KEY})` });
    const error = await provider({ maxRetries: 1 })
      .chat(hello)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UPSTREAM_FAILED" });
    expect((error as Error).message).toMatch(/chat model "test-chat" \(500 after 2 attempts\): backend exploded/);
    expect((error as Error).message).not.toContain("abcdef");
    expect(server.requests).toHaveLength(2);
  });

  it("says when the credentials are refused, without repeating them", async () => {
    server.failNext(1, { status: 401, message: `Incorrect API key provided: ${API_KEY}` });
    const error = await provider()
      .chat(hello)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UPSTREAM_FAILED", message: expect.stringContaining("refused our credentials (401)") });
    expect((error as Error).message).not.toContain("abcdef");
    expect(server.requests).toHaveLength(1);
  });

  it("surfaces a server that never answers as UPSTREAM_TIMEOUT, each attempt bounded by timeoutMs", async () => {
    server.hangNext(2);
    const started = performance.now();
    await expect(provider({ timeoutMs: 300, maxRetries: 1 }).chat(hello)).rejects.toMatchObject({ code: "UPSTREAM_TIMEOUT" });
    const elapsed = performance.now() - started;
    // Two attempts of 300 ms plus one backoff (at most 0.5 s).
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(2500);
    expect(server.requests.map((r) => r.outcome)).toEqual(["hung", "hung"]);
  });

  it("says when the service cannot be reached", async () => {
    const unreachable = createAiProvider({
      provider: "openai",
      openai: { baseUrl: "http://127.0.0.1:9/v1", apiKey: API_KEY, maxRetries: 0, timeoutMs: 2000 },
    });
    await expect(unreachable.chat(hello)).rejects.toMatchObject({
      code: "UPSTREAM_FAILED",
      message: expect.stringContaining("Could not reach the AI service at 127.0.0.1:9"),
    });
  });
});

describe("openai provider: embeddings", () => {
  it("batches (130 texts at 64 a request → 3 requests) and keeps the order", async () => {
    const texts = Array.from({ length: 130 }, (_, i) => `note number ${i} about topic ${i % 7}`);
    const result = await provider({ embeddingModel: "test-embed" }, { embeddingBatchSize: 64 }).embed(texts);
    expect(server.requests.map((r) => (r.body as { input: string[] }).input.length)).toEqual([64, 64, 2]);
    expect(server.requests[0]?.body).toMatchObject({ model: "test-embed", encoding_format: "float" });
    expect(result.vectors).toHaveLength(130);
    expect(result.vectors[129]).toEqual(lexicalEmbedding(texts[129] as string, DIMENSIONS));
    expect(result.vectors[65]).toEqual(lexicalEmbedding(texts[65] as string, DIMENSIONS));
    expect(result).toMatchObject({ model: "test-embed", dimensions: DIMENSIONS, usage: { outputTokens: 0 } });
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it("refuses vectors of another size than the configured one", async () => {
    await expect(provider({}, { embeddingDimensions: 64 }).embed(["a text"])).rejects.toMatchObject({
      code: "UPSTREAM_FAILED",
      message: expect.stringContaining("returns 32 dimensions but 64 are configured"),
    });
  });
});

describe("openai provider: structured output", () => {
  const card = z.object({ front: z.string(), back: z.string(), tags: z.array(z.string()).max(3) });

  it("asks for JSON with the schema and returns the validated value", async () => {
    server.setReply(JSON.stringify({ front: "Mitosis", back: "Cell division", tags: ["biology"] }));
    const result = await provider().structured({ messages: [{ role: "user", content: "One flashcard about mitosis" }] }, card);
    expect(result.value).toEqual({ front: "Mitosis", back: "Cell division", tags: ["biology"] });
    const body = server.requests[0]?.body as { response_format: unknown; messages: { role: string; content: string }[] };
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.messages[0]).toMatchObject({ role: "system", content: expect.stringContaining('"front":{"type":"string"}') });
  });

  it("feeds a validation error back once, then succeeds, billing both attempts", async () => {
    let calls = 0;
    server.setReply(() =>
      ++calls === 1 ? '{"front": "Mitosis"}' : '```json\n{"front":"Mitosis","back":"Cell division","tags":[]}\n```',
    );
    const result = await provider().structured({ messages: [{ role: "user", content: "One flashcard" }] }, card);
    expect(result.value.back).toBe("Cell division");
    expect(server.requests).toHaveLength(2);
    const retry = server.requests[1]?.body as { messages: { role: string; content: string }[] };
    expect(retry.messages.at(-2)).toEqual({ role: "assistant", content: '{"front": "Mitosis"}' });
    expect(retry.messages.at(-1)?.content).toMatch(/did not match the schema[\s\S]*back/);
    // The sandbox counts words: 2 in the first reply, 4 in the fenced second.
    expect(result.usage.outputTokens).toBe(2 + 4);
  });

  it("fails with UPSTREAM_FAILED when the reply is invalid twice", async () => {
    server.setReply("Sure! Here is your flashcard: Mitosis.");
    await expect(provider().structured({ messages: [{ role: "user", content: "One flashcard" }] }, card)).rejects.toMatchObject({
      code: "UPSTREAM_FAILED",
      message: expect.stringContaining("did not have the expected format after 2 attempts: it was not valid JSON"),
    });
    expect(server.requests).toHaveLength(2);
  });

  it("leaves response_format out when jsonMode is off", async () => {
    server.setReply('{"front":"a","back":"b","tags":[]}');
    await provider({ jsonMode: false }).structured({ messages: [{ role: "user", content: "card" }] }, card);
    expect(server.requests[0]?.body).not.toHaveProperty("response_format");
  });
});

describe("openai provider: vision, transcription, images", () => {
  it("describes an image given as bytes with the vision model", async () => {
    const result = await provider({ visionModel: "test-vision" }).describeImage({
      bytes: new Uint8Array([1, 2, 3]),
      mimeType: "image/png",
      prompt: "What is this?",
    });
    expect(result).toMatchObject({ text: "You said: What is this? (with 1 image)", model: "test-vision" });
    const content = (server.requests[0]!.body as { messages: { content: unknown }[] }).messages[0]?.content;
    expect(content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AQID" } },
    ]);
  });

  it("transcribes audio uploaded as multipart", async () => {
    const result = await provider({ transcriptionModel: "test-whisper" }).transcribe({
      audio: new Uint8Array(1000),
      mimeType: "audio/webm",
      filename: "memo.webm",
    });
    expect(result).toMatchObject({ text: "Transcript of memo.webm (audio/webm, 1000 bytes).", model: "test-whisper" });
    expect(server.requests[0]?.body).toEqual({ model: "test-whisper", filename: "memo.webm", type: "audio/webm", size: 1000 });
  });

  it("says image generation is not configured without an image API", async () => {
    const ai = provider();
    expect(ai).toMatchObject({ name: "openai", offline: false });
    await expect(ai.image.submit({ prompt: "a fox", width: 512, height: 512 })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: "image generation is not configured",
    });
  });
});
