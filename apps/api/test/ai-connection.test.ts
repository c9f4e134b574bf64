/**
 * A user's own AI connection, end to end against the local OpenAI-compatible server: the server's
 * provider has its own key; user A saves the local server with key "sk-user-a" and their own model,
 * and A's chat replies reach the server with A's key and model (costing A no credits), while user B's
 * replies still use the server's key. Test connection makes a real call; a refused key says so.
 */
import { createAiProvider } from "@inkwell/domain/ai";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { identity } from "@inkwell/domain/identity";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

type Caller = Awaited<ReturnType<Harness["signUp"]>>["caller"];

let h: Harness;
let server: OpenAiCompatibleServer;
let counter = 0;

beforeAll(async () => {
  server = await startOpenAiCompatibleServer();
  h = await startHarness({
    ai: createAiProvider({
      provider: "openai",
      openai: { baseUrl: server.url, apiKey: "sk-server-default", chatModel: "server-model", maxRetries: 0 },
      // The local server is on 127.0.0.1, as a developer's Ollama would be.
      userConnections: { allowPrivateAddresses: true },
    }),
  });
  // As createApiDeps does.
  identity.bindSavedAiConnections(h.deps.ai, h.db, h.deps.keyRing);
});
afterAll(async () => {
  await h?.stop();
  await server?.stop();
});

/** Sends one chat message and waits for the reply to settle; returns what the model server was sent for it. */
async function chatOnce(caller: Caller, content: string) {
  const c = await caller.chat.create({ assistant: "companion" });
  const s = await caller.chat.send({ conversationId: c.id, content, idempotencyKey: `k-${Date.now()}-${++counter}` });
  for await (const envelope of (await caller.chat.stream({ messageId: s.assistantMessage.id })) as AsyncIterable<unknown>) {
    const [, event] = envelope as [string, { type: string; status?: string }];
    if (event.type === "final") {
      expect(event.status).toBe("complete");
      break;
    }
  }
  const reply = (await caller.chat.get({ conversationId: c.id })).messages[1]!;
  const sent = server.requests.filter(
    (r) => r.path === "/v1/chat/completions" && JSON.stringify((r.body as { messages: unknown }).messages).includes(content),
  );
  return { reply, sent };
}

describe("a user's own AI connection", () => {
  it("is used for that user's calls, at no credit cost; another user's calls use the server's provider", async () => {
    const a = await h.signUp("own-key-a");
    const b = await h.signUp("own-key-b");
    const saved = await a.caller.apiKeys.save({
      service: "openai",
      key: "sk-user-a",
      baseUrl: server.url,
      model: "user-a-model",
    });
    expect(saved).toMatchObject({ service: "openai", last4: "er-a", baseUrl: server.url, model: "user-a-model" });
    // What the cost labels show as "0 credits — your model": A's text operations, nobody else's.
    expect(await a.caller.usage.ownKeyOperations()).toEqual([
      "chat.reply",
      "writer.generate",
      "writer.iterate",
      "voice.analyze",
      "image.describe",
    ]);
    expect(await b.caller.usage.ownKeyOperations()).toEqual([]);

    const before = await a.caller.credits.balance();
    const mine = await chatOnce(a.caller, "hello from A");
    expect(mine.reply.content).toContain("hello from A");
    expect(mine.sent.length).toBeGreaterThan(0);
    for (const r of mine.sent) {
      expect(r.headers.authorization).toBe("Bearer sk-user-a");
      expect((r.body as { model: string }).model).toBe("user-a-model");
    }
    // Own key: no credits; the history says whose key it was.
    expect((await a.caller.credits.balance()).available).toBe(before.available);
    const [generation] = await a.caller.usage.generations({ operation: "chat.reply" });
    expect(generation).toMatchObject({ provider: "own-key", status: "succeeded", credits: 0, model: "user-a-model" });

    const theirs = await chatOnce(b.caller, "hello from B");
    expect(theirs.sent.length).toBeGreaterThan(0);
    for (const r of theirs.sent) {
      expect(r.headers.authorization).toBe("Bearer sk-server-default");
      expect((r.body as { model: string }).model).toBe("server-model");
    }
    const [bGeneration] = await b.caller.usage.generations({ operation: "chat.reply" });
    expect(bGeneration?.provider).toBe("openai");
    expect(bGeneration?.credits).toBeGreaterThan(0);

    // B never sees A's connection (RLS), and A's delete puts A back on the server's provider at once.
    expect(await b.caller.apiKeys.list()).toEqual([]);
    await expectTrpcError(b.caller.apiKeys.delete({ id: saved.id }), "NOT_FOUND");
    await a.caller.apiKeys.delete({ id: saved.id });
    const after = await chatOnce(a.caller, "A again");
    for (const r of after.sent) expect(r.headers.authorization).toBe("Bearer sk-server-default");
  });

  it("lets a user with 0 credits write and revise on their own model (the writer's up-front check asks their price)", async () => {
    const a = await h.signUp("own-key-broke");
    await h.raw(sql`UPDATE credit_grants SET remaining = 0 WHERE user_id = ${a.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 0 WHERE user_id = ${a.me.id}`);
    const input = {
      concept: "Own model, no credits",
      formats: ["linkedin_post", "x_thread"] as const,
      style: "natural" as const,
    };
    await expectTrpcError(
      a.caller.writer.sessions.create({ ...input, formats: [...input.formats], idempotencyKey: `writer-key-${++counter}` }),
      "PAYMENT_REQUIRED",
    );

    await a.caller.apiKeys.save({ service: "openai", key: "sk-broke-but-own", baseUrl: server.url, model: "own-model" });
    const from = server.requests.length;
    const { sessionId } = await a.caller.writer.sessions.create({
      ...input,
      formats: [...input.formats],
      idempotencyKey: `writer-key-${++counter}`,
    });
    const settled = async () => {
      const outputs = (await a.caller.writer.sessions.get({ sessionId })).outputs;
      expect(outputs.map((o) => o.status)).toEqual(["ready", "ready"]);
    };
    await vi.waitFor(settled, { timeout: 20_000, interval: 100 });
    await a.caller.writer.sessions.iterate({
      sessionId,
      instruction: "Shorter, please.",
      idempotencyKey: `writer-key-${++counter}`,
    });
    await vi.waitFor(settled, { timeout: 20_000, interval: 100 });
    const sent = server.requests.slice(from).filter((r) => r.path === "/v1/chat/completions");
    expect(sent.length).toBeGreaterThanOrEqual(4);
    for (const r of sent) expect(r.headers.authorization).toBe("Bearer sk-broke-but-own");
    expect(await a.caller.credits.balance()).toMatchObject({ available: 0, held: 0 });
  });

  it("test connection makes a real call and shows the answer; a refused key says so", async () => {
    const a = await h.signUp("tester");
    server.setReply("Hello there!");
    try {
      const ok = await a.caller.apiKeys.testConnection({ baseUrl: server.url, key: "sk-trying-it", model: "try-model" });
      expect(ok).toMatchObject({ answer: "Hello there!", model: "try-model" });
      expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
      const call = server.requests.at(-1)!;
      expect(call.headers.authorization).toBe("Bearer sk-trying-it");

      // Saved settings fill in what is not entered.
      await a.caller.apiKeys.save({ service: "openai", key: "sk-saved-key", baseUrl: server.url, model: "saved-model" });
      await a.caller.apiKeys.testConnection({});
      expect(server.requests.at(-1)!.headers.authorization).toBe("Bearer sk-saved-key");
      expect((server.requests.at(-1)!.body as { model: string }).model).toBe("saved-model");

      server.failNext(1, { status: 401, message: "Incorrect API key provided: sk-wrong" });
      const refused = await expectTrpcError(a.caller.apiKeys.testConnection({ key: "sk-wrong-key" }), "BAD_GATEWAY");
      expect(refused.message).toBe("The server refused the key (401).");
    } finally {
      server.setReply(null);
    }
  });

  it("never sends a saved key to a new address: changing the address needs the key typed again", async () => {
    // The key is write-only; pointing the saved connection (or a test of it) at another server without
    // typing the key would hand the key to that server (a stolen session could read it that way).
    const other = await startOpenAiCompatibleServer();
    try {
      const a = await h.signUp("key-stays");
      await a.caller.apiKeys.save({ service: "openai", key: "sk-keep-me", baseUrl: server.url, model: "m" });
      await expectTrpcError(a.caller.apiKeys.testConnection({ baseUrl: other.url }), "BAD_REQUEST");
      await expectTrpcError(a.caller.apiKeys.save({ service: "openai", baseUrl: other.url, model: "m" }), "BAD_REQUEST");
      expect(other.requests.filter((r) => JSON.stringify(r.headers).includes("sk-keep-me"))).toEqual([]);
      // The same address, or the key typed again, still work.
      await a.caller.apiKeys.testConnection({ baseUrl: server.url });
      expect(server.requests.at(-1)!.headers.authorization).toBe("Bearer sk-keep-me");
      await a.caller.apiKeys.save({ service: "openai", baseUrl: server.url, model: "m2" });
      await a.caller.apiKeys.testConnection({ baseUrl: other.url, key: "sk-for-other" });
      expect(other.requests.at(-1)!.headers.authorization).toBe("Bearer sk-for-other");
    } finally {
      await other.stop();
    }
  });

  it("refuses addresses the server must not connect to", async () => {
    const a = await h.signUp("addresses");
    await expectTrpcError(
      a.caller.apiKeys.save({ service: "openai", key: "sk-some-key", baseUrl: "ftp://example.com/v1" }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      a.caller.apiKeys.save({ service: "elevenlabs", key: "sk-some-key", baseUrl: "https://example.com/v1" }),
      "BAD_REQUEST",
    );
  });
});
