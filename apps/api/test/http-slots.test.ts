/**
 * A caller's in-flight slots (http/trpc-edge.ts) against how answers are sent: an answer tRPC built
 * whole frees its slot when it is returned (the work is done; reading it late holds no slot), while a
 * JSON-lines batch, sent as it is produced, holds its slot until it has been read or cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REQUESTS_PER_CALLER, MAX_STREAMS_PER_CALLER } from "../src/http/trpc-edge.ts";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const call = (token: string, path: string, headers: Record<string, string> = {}) =>
  h.app.request(path, { headers: { authorization: `Bearer ${token}`, ...headers } });

describe("in-flight slots and how the answer is sent", () => {
  it("a whole answer frees its slot at once, even unread; a streamed batch holds it until read", async () => {
    const { token } = await h.signUp("slots");
    // Twice the per-caller bound of plain answers, none read yet: none is refused.
    const plain = [];
    for (let i = 0; i < MAX_REQUESTS_PER_CALLER * 2; i++) plain.push(await call(token, "/trpc/profile.get"));
    expect(plain.map((r) => r.status)).toEqual(Array(MAX_REQUESTS_PER_CALLER * 2).fill(200));
    const first = (await plain[0]?.json()) as { result: { data: { email: string } } };
    expect(first.result.data.email).toContain("slots");

    // JSON-lines batches left unread each keep their slot: the next call is refused until they are read.
    const jsonl = { "trpc-accept": "application/jsonl" };
    const streamed = [];
    for (let i = 0; i < MAX_REQUESTS_PER_CALLER; i++) {
      streamed.push(await call(token, "/trpc/profile.get?batch=1&input=%7B%7D", jsonl));
    }
    expect(streamed.map((r) => r.status)).toEqual(Array(MAX_REQUESTS_PER_CALLER).fill(200));
    expect((await call(token, "/trpc/profile.get")).status).toBe(429);
    for (const r of streamed) expect(await r.text()).toContain("slots");
    expect((await call(token, "/trpc/profile.get")).status).toBe(200);
  });

  it("a subscription left unread keeps its stream slot until it is read, so a slow client cannot open more", async () => {
    const { token } = await h.signUp("slots-sse");
    const sse = { accept: "text/event-stream" };
    const path = `/trpc/chat.stream?input=${encodeURIComponent(JSON.stringify({ messageId: crypto.randomUUID() }))}`;
    const open = [];
    for (let i = 0; i < MAX_STREAMS_PER_CALLER; i++) open.push(await call(token, path, sse));
    expect(open.map((r) => r.status)).toEqual(Array(MAX_STREAMS_PER_CALLER).fill(200));
    expect((await call(token, path, sse)).status).toBe(429);
    // Plain calls have their own slots: open streams do not starve them.
    expect((await call(token, "/trpc/profile.get")).status).toBe(200);
    // Read to its end (another user's or an unknown reply ends the stream with its error): the slot is free.
    expect(await open[0]?.text()).toContain("NOT_FOUND");
    const next = await call(token, path, sse);
    expect(next.status).toBe(200);
    await next.body?.cancel();
    for (const r of open.slice(1)) await r.body?.cancel();
  });
});
