/**
 * Round trips on the way to a model call, counted, not timed: every message a pg client of this pool
 * sends is one round trip (a simple-protocol message with several statements is still one; an
 * extended-protocol query is parse/bind/execute/sync in one flight). On a loaded machine each trip
 * waits for a core, so the count is what time to first token is made of.
 */
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAiProvider } from "../ai/index.ts";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "../ai/testing/index.ts";
import { chat } from "../chat/index.ts";
import { credits } from "../credits/index.ts";
import { identity } from "../identity/index.ts";
import type { Enqueue } from "../platform/queue.ts";
import { generateKeySpec, parseKeyRing } from "../platform/secret-box.ts";
import * as usage from "./usage.service.ts";

const { db, pool } = createDb({ url: inject("databaseUrl"), max: 4 });

/** The messages any client of this pool sent while it was set. */
let sent: string[] | null = null;
pool.on("connect", (client) => {
  const query = client.query.bind(client) as unknown as (...args: unknown[]) => unknown;
  Object.assign(client, {
    query: (...args: unknown[]) => {
      const first = args[0] as string | { text?: string };
      sent?.push(typeof first === "string" ? first : (first.text ?? "?"));
      return query(...args);
    },
  });
});

let provider: OpenAiCompatibleServer;
beforeAll(async () => {
  provider = await startOpenAiCompatibleServer();
});
afterAll(async () => {
  await provider.stop();
  await db.destroy();
});

const quiet = { info() {}, warn() {}, error() {} };
// The title job after a first exchange is not what is counted here.
const enqueue: Enqueue = async () => {};

let n = 0;
async function userWith(amount: number) {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `trips-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await credits.grant(tx, u.id, { source: "bonus", amount, idempotencyKey: "start" });
    return u.id;
  });
}

async function until(check: () => Promise<boolean> | boolean, what: string) {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("round trips", () => {
  it("a hold, its capture and its release are one statement each inside the caller's transaction", async () => {
    const u = await userWith(100);
    const statements = await asUser(db, u, async (tx) => {
      sent = [];
      const h = await credits.hold(tx, u, { operation: "image.generate", idempotencyKey: "one", request: {} });
      const afterHold = sent.length;
      await credits.capture(tx, u, h.holdId, 10);
      const afterCapture = sent.length;
      const other = await credits.hold(tx, u, { operation: "image.generate", idempotencyKey: "two", request: {} });
      sent = [];
      await credits.release(tx, u, other.holdId);
      const release = sent.length;
      sent = null;
      return { hold: afterHold, capture: afterCapture - afterHold, release };
    });
    expect(statements).toEqual({ hold: 1, capture: 1, release: 1 });
  });

  it("a metered call reaches its provider after two round trips: the rate limit and the start (hold + generation)", async () => {
    const userId = await userWith(100);
    let before = -1;
    sent = [];
    await usage.runMetered(
      { db },
      { userId, ip: "10.30.0.1" },
      { operation: "study.generate", idempotencyKey: "trips", request: {}, provider: "offline" },
      async () => {
        before = sent?.length ?? -1;
        sent = null;
        return { result: "ok", model: "m", inputTokens: 1, outputTokens: 1, latencyMs: 1 };
      },
    );
    expect(before).toBe(2);
  });

  it("chat.send start → the provider has the request: at most 11 round trips (session 12 counted 25)", async () => {
    const ai = createAiProvider({ provider: "openai", openai: { baseUrl: provider.url, apiKey: "test-key", maxRetries: 0 } });
    // As the API runs: a user's saved AI connection is looked for before each metered call.
    identity.bindSavedAiConnections(ai, db, parseKeyRing(generateKeySpec("trips")));
    const deps = { db, ai, enqueue, log: quiet };
    const userId = await userWith(100);
    const actor = { userId, ip: "10.30.0.2" };
    const conversation = await asUser(db, userId, (tx) => chat.createConversation(tx, userId, { assistant: "companion" }));
    const content = `count the trips ${Date.now()}`;
    const arrived = () =>
      provider.requests.some(
        (r) =>
          r.path.endsWith("/chat/completions") &&
          (r.body as { messages?: { content: unknown }[] } | undefined)?.messages?.some((m) => m.content === content),
      );
    // The reply waits at its first token, so nothing after the request is counted by mistake.
    provider.pause();
    let trips: string[] = [];
    try {
      sent = [];
      const result = await chat.send(deps, actor, { conversationId: conversation.id, content, idempotencyKey: "trips" });
      await until(arrived, "the provider's request");
      trips = sent;
      sent = null;
      provider.resume();
      await until(
        async () =>
          (
            await asUser(db, userId, (tx) =>
              tx.selectFrom("messages").select("status").where("id", "=", result.assistantMessage.id).executeTakeFirstOrThrow(),
            )
          ).status !== "streaming",
        "the reply's end",
      );
    } finally {
      sent = null;
      provider.resume();
    }
    // Send transaction 6 (chat), rate limit 1, the saved-connection read 3 (identity), the start 1.
    expect(trips.length, trips.map((t) => t.replace(/\s+/g, " ").slice(0, 90)).join("\n")).toBeLessThanOrEqual(11);
  });
});
