import { getEventListeners } from "node:events";
import type { OpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { CRISIS_RESPONSE, chat, titleConversationJob } from "@inkwell/domain/chat";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectTrpcError, type Harness, startHarness, startHarnessWithLocalModel } from "./harness.ts";

type Caller = Awaited<ReturnType<Harness["signUp"]>>["caller"];
type Event =
  | { type: "delta"; offset: number; text: string }
  | { type: "final"; status: string; length: number; metadata: Record<string, unknown>; error: string | null };

let keyCounter = 0;
const key = () => `key-${Date.now()}-${++keyCounter}`;

/** Reads a chat.stream subscription (tracked envelopes: [id, data, symbol]) until `until` says stop or it ends. */
async function collect(
  caller: Caller,
  input: { messageId: string; fromOffset?: number; lastEventId?: string },
  until?: (text: string, events: Event[]) => boolean,
) {
  const events: Event[] = [];
  const ids: string[] = [];
  let text = "";
  const base = input.lastEventId ? Number.parseInt(input.lastEventId, 10) : (input.fromOffset ?? 0);
  const iterable = (await caller.chat.stream(input)) as AsyncIterable<unknown>;
  for await (const envelope of iterable) {
    const [id, event] = envelope as [string, Event];
    ids.push(id);
    events.push(event);
    if (event.type === "delta") {
      expect(event.offset, "delta continues exactly where the previous ended").toBe(base + text.length);
      text += event.text;
    }
    if (until?.(text, events)) break;
  }
  const final = events.find((e) => e.type === "final") as Extract<Event, { type: "final" }> | undefined;
  return { text, events, ids, final };
}

/** A minimal valid one-page PDF (Helvetica, one text object) with correct xref offsets. */
function minimalPdf(text: string): Buffer {
  const stream = text ? `BT /F1 12 Tf 72 720 Td (${text.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj ET` : "";
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((n) => `${String(n).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

async function available(caller: Caller) {
  return (await caller.credits.balance()).available;
}

describe("chat with the offline provider", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it("stores one row per message in order, bumps the conversation, and streams the saved text", async () => {
    const u = await h.signUp("chatter");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    expect(c.title).toBe("New conversation");
    await new Promise((r) => setTimeout(r, 20));
    const before = await available(u.caller);
    const sent = await u.caller.chat.send({ conversationId: c.id, content: "  Explain photosynthesis  ", idempotencyKey: key() });
    expect(sent.userMessage.content).toBe("Explain photosynthesis");
    expect(sent.assistantMessage.status).toBe("streaming");
    const streamed = await collect(u.caller, { messageId: sent.assistantMessage.id });
    expect(streamed.final?.status).toBe("complete");

    const { conversation, messages } = await u.caller.chat.get({ conversationId: c.id });
    expect(messages.map((m) => [m.seq, m.role, m.status])).toEqual([
      [1, "user", "complete"],
      [2, "assistant", "complete"],
    ]);
    const reply = messages[1]!;
    expect(streamed.text).toBe(reply.content);
    expect(reply.content.length).toBeGreaterThan(0);
    expect(reply.metadata).toMatchObject({ credits: 2, model: expect.any(String), generationId: expect.any(String) });
    expect(reply.metadata.outputTokens).toBeGreaterThan(0);
    expect(conversation.updatedAt.getTime()).toBeGreaterThan(c.updatedAt.getTime());
    expect(conversation.lastMessageAt.getTime()).toBeGreaterThan(c.lastMessageAt.getTime());
    expect(await available(u.caller)).toBe(before - 2);
  });

  it("streams over HTTP as server-sent events with tracked ids (the fetch adapter's subscription support)", async () => {
    const u = await h.signUp("sse");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Stream me", idempotencyKey: key() });
    const input = encodeURIComponent(JSON.stringify({ messageId: s.assistantMessage.id, fromOffset: 3 }));
    const res = await h.app.request(`/trpc/chat.stream?input=${input}`, { headers: { authorization: `Bearer ${u.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const body = await res.text();
    const saved = (await u.caller.chat.get({ conversationId: c.id })).messages[1]!;
    const datas = body
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => JSON.parse(l.slice(6)) as Event | Record<string, unknown>);
    const deltas = datas.filter((d): d is Extract<Event, { type: "delta" }> => (d as Event).type === "delta");
    expect(deltas.map((d) => d.text).join("")).toBe(saved.content.slice(3));
    expect(datas.some((d) => (d as Event).type === "final")).toBe(true);
    expect(body).toMatch(/^id: \d+/m);
  });

  it("is idempotent per client key", async () => {
    const u = await h.signUp("retrier");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const k = key();
    const first = await u.caller.chat.send({ conversationId: c.id, content: "Hello", idempotencyKey: k });
    await collect(u.caller, { messageId: first.assistantMessage.id });
    const second = await u.caller.chat.send({ conversationId: c.id, content: "Hello", idempotencyKey: k });
    expect(second.userMessage.id).toBe(first.userMessage.id);
    expect(second.assistantMessage.id).toBe(first.assistantMessage.id);
    expect((await u.caller.chat.get({ conversationId: c.id })).messages).toHaveLength(2);
    await expectTrpcError(u.caller.chat.send({ conversationId: c.id, content: "Other", idempotencyKey: k }), "CONFLICT");
  });

  it("refuses empty, oversized and unknown-conversation messages", async () => {
    const u = await h.signUp("bad-input");
    const c = await u.caller.chat.create({ assistant: "companion" });
    await expectTrpcError(u.caller.chat.send({ conversationId: c.id, content: "   ", idempotencyKey: key() }), "BAD_REQUEST");
    await expectTrpcError(
      u.caller.chat.send({ conversationId: c.id, content: "x".repeat(8001), idempotencyKey: key() }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      u.caller.chat.send({ conversationId: crypto.randomUUID(), content: "hi", idempotencyKey: key() }),
      "NOT_FOUND",
    );
    await expectTrpcError(u.caller.chat.stream({ messageId: crypto.randomUUID() }), "NOT_FOUND");
    expect((await u.caller.chat.get({ conversationId: c.id })).messages).toHaveLength(0);
  });

  it("lists most recent first with a preview, pages by cursor, searches titles and text", async () => {
    const u = await h.signUp("lister");
    const ids: string[] = [];
    for (const [i, topic] of ["algebra", "biology", "chemistry"].entries()) {
      const c = await u.caller.chat.create({ assistant: "tutor", title: `Session ${i}` });
      const s = await u.caller.chat.send({ conversationId: c.id, content: `Tell me about ${topic}`, idempotencyKey: key() });
      await collect(u.caller, { messageId: s.assistantMessage.id });
      ids.push(c.id);
    }
    const all = await u.caller.chat.list();
    expect(all.map((c) => c.id)).toEqual([...ids].reverse());
    expect(all[0]!.preview).toBeTruthy();
    const page1 = await u.caller.chat.list({ limit: 2 });
    const last = page1.at(-1)!;
    const page2 = await u.caller.chat.list({ limit: 2, cursor: { lastMessageAt: last.lastMessageAt, id: last.id } });
    expect([...page1, ...page2].map((c) => c.id)).toEqual([...ids].reverse());
    expect((await u.caller.chat.list({ search: "BIOLOGY" })).map((c) => c.id)).toEqual([ids[1]]);
    expect((await u.caller.chat.list({ search: "session 2" })).map((c) => c.id)).toEqual([ids[2]]);
    expect(await u.caller.chat.list({ assistant: "companion" })).toEqual([]);
  });

  it("cuts a preview between characters: an emoji at the cut stays whole or goes", async () => {
    const u = await h.signUp("emoji-preview");
    const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    const split = (s: string) => [...segmenter.segment(s)].map((g) => g.segment);
    for (const [pad, emoji] of [
      [157, "👨‍👩‍👧‍👦"],
      [159, "🇫🇷"],
      [158, "👍🏽"],
    ] as const) {
      const c = await u.caller.chat.create({ assistant: "tutor", title: `Preview ${pad}` });
      const content = `${"a".repeat(pad)}${emoji} and more after the cut`;
      await h.raw(sql`INSERT INTO messages (conversation_id, user_id, seq, role, content, status)
        VALUES (${c.id}, ${u.me.id}, 1, 'user', ${content}, 'complete')`);
      const { preview } = (await u.caller.chat.list({ search: `Preview ${pad}` }))[0]!;
      expect(preview!.length).toBeLessThanOrEqual(160);
      // Every character shown is a whole character of the message (left() kept a lone regional indicator,
      // a skin tone without its hand, a family without its children).
      expect(split(preview!)).toEqual(split(content).slice(0, split(preview!).length));
      expect(preview).toBe("a".repeat(pad));
    }
  });

  it("renames, keeps a draft, records feedback, regenerates, edits, deletes", async () => {
    const u = await h.signUp("editor");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    await u.caller.chat.saveDraft({ conversationId: c.id, draft: "half a thought" });
    expect((await u.caller.chat.get({ conversationId: c.id })).conversation.draft).toBe("half a thought");
    const s = await u.caller.chat.send({ conversationId: c.id, content: "What is a noun?", idempotencyKey: key() });
    expect((await u.caller.chat.get({ conversationId: c.id })).conversation.draft).toBe("");
    await collect(u.caller, { messageId: s.assistantMessage.id });
    const fb = await u.caller.chat.feedback({ messageId: s.assistantMessage.id, feedback: 1 });
    expect(fb.feedback).toBe(1);
    await expectTrpcError(u.caller.chat.feedback({ messageId: s.userMessage.id, feedback: 1 }), "NOT_FOUND");

    const regen = await u.caller.chat.regenerate({ conversationId: c.id });
    expect(regen.userMessage.id).toBe(s.userMessage.id);
    expect(regen.assistantMessage.id).not.toBe(s.assistantMessage.id);
    await collect(u.caller, { messageId: regen.assistantMessage.id });
    let messages = (await u.caller.chat.get({ conversationId: c.id })).messages;
    expect(messages.map((m) => m.id)).toEqual([s.userMessage.id, regen.assistantMessage.id]);

    const edited = await u.caller.chat.editLast({ conversationId: c.id, content: "What is a verb?" });
    await collect(u.caller, { messageId: edited.assistantMessage.id });
    messages = (await u.caller.chat.get({ conversationId: c.id })).messages;
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    expect(messages[0]!.content).toBe("What is a verb?");

    const renamed = await u.caller.chat.rename({ conversationId: c.id, title: "Grammar" });
    expect(renamed).toMatchObject({ title: "Grammar", titleSource: "user" });
    await u.caller.chat.delete({ conversationId: c.id });
    await expectTrpcError(u.caller.chat.get({ conversationId: c.id }), "NOT_FOUND");
  });

  it("titles a conversation after the first exchange (deterministic offline), unless the user named it", async () => {
    const u = await h.signUp("titler");
    const c = await u.caller.chat.create({ assistant: "companion" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "I love long walks by the sea", idempotencyKey: key() });
    await collect(u.caller, { messageId: s.assistantMessage.id });
    const jobs = await h.raw(
      sql`SELECT data FROM pgboss.job WHERE name = 'chat.title-conversation' AND data->>'conversationId' = ${c.id}`,
    );
    expect(jobs.rows).toHaveLength(1);
    const deps = { db: h.db, ai: h.deps.ai, mailer: { send: async () => {}, close() {} } as never, log: h.deps.log };
    await runJob(titleConversationJob, { userId: u.me.id, conversationId: c.id }, deps);
    const first = (await u.caller.chat.get({ conversationId: c.id })).conversation.title;
    expect(first).not.toBe("New conversation");
    expect(first.length).toBeLessThanOrEqual(80);
    await runJob(titleConversationJob, { userId: u.me.id, conversationId: c.id }, deps);
    expect((await u.caller.chat.get({ conversationId: c.id })).conversation.title).toBe(first);
    await u.caller.chat.rename({ conversationId: c.id, title: "Mine" });
    await runJob(titleConversationJob, { userId: u.me.id, conversationId: c.id }, deps);
    expect((await u.caller.chat.get({ conversationId: c.id })).conversation.title).toBe("Mine");
  });

  it("answers a crisis message to the companion with the fixed reply, marked and free", async () => {
    const u = await h.signUp("crisis");
    const c = await u.caller.chat.create({ assistant: "companion" });
    const before = await available(u.caller);
    const s = await u.caller.chat.send({ conversationId: c.id, content: "I want to kill myself", idempotencyKey: key() });
    expect(s.assistantMessage).toMatchObject({ content: CRISIS_RESPONSE, status: "complete", safety: true });
    expect(s.userMessage.safety).toBe(true);
    const streamed = await collect(u.caller, { messageId: s.assistantMessage.id });
    expect(streamed.text).toBe(CRISIS_RESPONSE);
    expect(await available(u.caller)).toBe(before);
  });

  it("sweeps replies left streaming by a dead process to failed", async () => {
    const u = await h.signUp("orphan");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    await h.raw(sql`INSERT INTO messages (conversation_id, user_id, seq, role, content, status, updated_at)
      VALUES (${c.id}, ${u.me.id}, 1, 'assistant', 'half', 'streaming', now() - interval '10 minutes')`);
    expect(await chat.failStaleReplies(h.db)).toBeGreaterThanOrEqual(1);
    const [m] = (await u.caller.chat.get({ conversationId: c.id })).messages;
    expect(m).toMatchObject({ status: "failed", content: "half" });
    expect(m!.error).toMatch(/interrupted/);
    // A client following it sees the end, not a hang.
    expect((await collect(u.caller, { messageId: m!.id })).final?.status).toBe("failed");
  });
});

describe("chat through the local OpenAI-compatible server", () => {
  let h: Harness;
  let server: OpenAiCompatibleServer;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ h, server, stop } = await startHarnessWithLocalModel());
  });
  afterAll(() => stop());

  const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");

  it("writes the reply to its row while it streams, and resumes from an offset with no gaps or repeats", async () => {
    server.setReply(words(60));
    server.setTokenDelayMs(5);
    const u = await h.signUp("resumer");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Go", idempotencyKey: key() });
    const firstPart = await collect(u.caller, { messageId: s.assistantMessage.id }, (text) => text.length >= 40);
    expect(firstPart.final).toBeUndefined();
    // Another tab reading the row mid-stream sees the reply growing (once the write-behind has flushed).
    const mid = await vi.waitFor(async () => {
      const row = (await u.caller.chat.get({ conversationId: c.id })).messages[1]!;
      expect(row.content.length).toBeGreaterThan(0);
      return row;
    });
    expect(mid.status).toBe("streaming");

    const rest = await collect(u.caller, { messageId: s.assistantMessage.id, fromOffset: firstPart.text.length });
    expect(rest.final?.status).toBe("complete");
    const saved = (await u.caller.chat.get({ conversationId: c.id })).messages[1]!;
    expect(firstPart.text + rest.text).toBe(saved.content);
    expect(saved.content).toBe(words(60));
    // tRPC's reconnect sends the last tracked id; it wins over fromOffset.
    const viaId = await collect(u.caller, {
      messageId: s.assistantMessage.id,
      lastEventId: firstPart.ids.at(-1)!,
      fromOffset: 0,
    });
    expect(firstPart.text + viaId.text).toBe(saved.content);
    server.setTokenDelayMs(0);
  });

  it("stops mid-stream: status stopped, the text kept, charged at most the price", async () => {
    server.setReply(words(200));
    server.setTokenDelayMs(20);
    const u = await h.signUp("stopper");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const before = await available(u.caller);
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Go", idempotencyKey: key() });
    await collect(u.caller, { messageId: s.assistantMessage.id }, (text) => text.length > 20);
    const stopped = await u.caller.chat.stop({ messageId: s.assistantMessage.id });
    expect(stopped.status).toBe("stopped");
    expect(stopped.content.length).toBeGreaterThan(20);
    expect(stopped.content.length).toBeLessThan(words(200).length);
    const spent = before - (await available(u.caller));
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(2);
    expect(stopped.metadata.credits).toBe(spent);
    server.setTokenDelayMs(0);
  });

  it("stopped before any token: nothing saved, nothing charged", async () => {
    server.setReply("never seen");
    server.setFirstTokenDelayMs(3000);
    const u = await h.signUp("early-stop");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const before = await available(u.caller);
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Go", idempotencyKey: key() });
    const stopped = await u.caller.chat.stop({ messageId: s.assistantMessage.id });
    expect(stopped).toMatchObject({ status: "stopped", content: "" });
    expect(await available(u.caller)).toBe(before);
    expect((await collect(u.caller, { messageId: s.assistantMessage.id })).final?.status).toBe("stopped");
    server.setFirstTokenDelayMs(0);
  });

  it("a failing model leaves the reply failed with a clear error, and charges nothing", async () => {
    server.setReply(null);
    const u = await h.signUp("failer");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const before = await available(u.caller);
    server.failNext(1, { status: 500, message: "boom" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Hello", idempotencyKey: key() });
    const streamed = await collect(u.caller, { messageId: s.assistantMessage.id });
    expect(streamed.final?.status).toBe("failed");
    const reply = (await u.caller.chat.get({ conversationId: c.id })).messages[1]!;
    expect(reply.status).toBe("failed");
    expect(reply.error).toBeTruthy();
    expect(await available(u.caller)).toBe(before);
  });

  it("refuses with PAYMENT_REQUIRED before any model call when credits run out", async () => {
    const u = await h.signUp("broke");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    await h.raw(sql`UPDATE credit_grants SET remaining = 0 WHERE user_id = ${u.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 0 WHERE user_id = ${u.me.id}`);
    const calls = server.requests.length;
    await expectTrpcError(
      u.caller.chat.send({ conversationId: c.id, content: "Hello", idempotencyKey: key() }),
      "PAYMENT_REQUIRED",
    );
    expect(server.requests.length).toBe(calls);
    expect((await u.caller.chat.get({ conversationId: c.id })).messages).toHaveLength(0);
  });

  it("keeps the existing reply when regenerate or edit is refused for lack of credits", async () => {
    const u = await h.signUp("keeps");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Hello", idempotencyKey: key() });
    await collect(u.caller, { messageId: s.assistantMessage.id });
    const before = (await u.caller.chat.get({ conversationId: c.id })).messages;
    await h.raw(sql`UPDATE credit_grants SET remaining = 0 WHERE user_id = ${u.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 0 WHERE user_id = ${u.me.id}`);
    await expectTrpcError(u.caller.chat.regenerate({ conversationId: c.id }), "PAYMENT_REQUIRED");
    await expectTrpcError(u.caller.chat.editLast({ conversationId: c.id, content: "Hello again" }), "PAYMENT_REQUIRED");
    const after = (await u.caller.chat.get({ conversationId: c.id })).messages;
    expect(after.map((m) => [m.id, m.content, m.status])).toEqual(before.map((m) => [m.id, m.content, m.status]));
  });

  it("refuses a second message while a reply is still being written", async () => {
    server.setReply(words(40));
    server.setTokenDelayMs(20);
    const u = await h.signUp("impatient");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const s = await u.caller.chat.send({ conversationId: c.id, content: "One", idempotencyKey: key() });
    await expectTrpcError(
      u.caller.chat.send({ conversationId: c.id, content: "Two", idempotencyKey: key() }),
      "PRECONDITION_FAILED",
    );
    await expectTrpcError(u.caller.chat.regenerate({ conversationId: c.id }), "PRECONDITION_FAILED");
    await u.caller.chat.stop({ messageId: s.assistantMessage.id });
    server.setTokenDelayMs(0);
  });

  it("follows a reply here and by polling another instance's row without piling up abort listeners", async () => {
    server.setReply(words(80));
    server.setTokenDelayMs(5);
    const u = await h.signUp("listener-count");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const follow = async (messageId: string, onEvent?: (e: Event, n: number) => void) => {
      const controller = new AbortController();
      const stream = await chat.openStream({ db: h.db }, u.me.id, messageId, 0, controller.signal);
      let events = 0;
      let most = 0;
      let text = "";
      for await (const e of stream) {
        events++;
        if (e.type === "delta") text += e.text;
        most = Math.max(most, getEventListeners(controller.signal, "abort").length);
        onEvent?.(e as Event, events);
      }
      return { events, most, text, after: getEventListeners(controller.signal, "abort").length };
    };

    // Through this process's live bus: one event per token, each wait once (was one listener per wait).
    const s = await u.caller.chat.send({ conversationId: c.id, content: "Go", idempotencyKey: key() });
    const here = await follow(s.assistantMessage.id);
    expect(here.events).toBeGreaterThan(20);
    expect(here.text).toBe(words(80));
    expect(here.most).toBeLessThanOrEqual(1);
    expect(here.after).toBe(0);
    server.setTokenDelayMs(0);

    // By polling the row, as if another instance were writing it: every 250 ms sleep removes its listener.
    const inserted = await h.raw(sql`INSERT INTO messages (conversation_id, user_id, seq, role, content, status)
      VALUES (${c.id}, ${u.me.id}, 3, 'assistant', 'Half', 'streaming') RETURNING id`);
    const { id } = inserted.rows[0] as { id: string };
    setTimeout(() => void h.raw(sql`UPDATE messages SET content = 'Half more' WHERE id = ${id}`), 600);
    setTimeout(() => void h.raw(sql`UPDATE messages SET content = 'Half more done', status = 'complete' WHERE id = ${id}`), 1500);
    const there = await follow(id);
    expect(there.text).toBe("Half more done");
    expect(there.most).toBeLessThanOrEqual(1);
    expect(there.after).toBe(0);

    // Leaving mid-poll ends the stream at once and leaves nothing behind.
    await h.raw(sql`UPDATE messages SET status = 'streaming' WHERE id = ${id}`);
    const controller = new AbortController();
    const stream = await chat.openStream({ db: h.db }, u.me.id, id, 0, controller.signal);
    await stream.next();
    setTimeout(() => controller.abort(), 600);
    const started = Date.now();
    expect((await stream.next()).done).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(getEventListeners(controller.signal, "abort").length).toBe(0);
  });

  it("summarises history that no longer fits the window, inside the metered reply", async () => {
    server.setReply((body) => (JSON.stringify(body.messages).includes("condense") ? "They discussed fruit." : "Noted."));
    const u = await h.signUp("long-talk");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    // The service directly, with a tiny window (900 tokens of history once the reply and passages are
    // reserved), so a few messages overflow it.
    const deps = { db: h.db, ai: h.deps.ai, enqueue: h.deps.enqueue, log: h.deps.log, contextTokens: 1924 + 1500 };
    const actor = { userId: u.me.id, ip: "127.0.0.1" };
    for (const topic of ["apples", "bananas", "cherries"]) {
      const s = await chat.send(deps, actor, {
        conversationId: c.id,
        content: `${topic} ${"x".repeat(1200)}`,
        idempotencyKey: key(),
      });
      await collect(u.caller, { messageId: s.assistantMessage.id });
    }
    const requests = server.requests.slice(-2).map((r) => JSON.stringify(r.body));
    // The summary call saw the oldest turn; the reply's request carries the summary, not the turn itself.
    expect(requests[0]).toContain("apples");
    expect(requests[1]).toContain("Earlier in this conversation: They discussed fruit.");
    expect(requests[1]).not.toContain("apples");
    expect(requests[1]).toContain("cherries");
    server.setReply(null);
  });

  it("grounds tutor replies in the student's own notes (nearest chunks by embedding)", async () => {
    server.setReply(null);
    const u = await h.signUp("student");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const doc = await u.caller.chat.addDocument({
      title: "Biology notes",
      kind: "note",
      content: `Mitochondria are the powerhouse of the cell and produce ATP through respiration. ${"Filler about unrelated topics. ".repeat(80)}`,
      conversationId: c.id,
    });
    expect(doc.chunks).toBeGreaterThan(1);
    await u.caller.chat.addDocument({
      title: "History notes",
      kind: "text",
      content: "The Treaty of Westphalia was signed in 1648.",
    });
    expect((await u.caller.chat.documents({ conversationId: c.id })).map((d) => d.title).sort()).toEqual([
      "Biology notes",
      "History notes",
    ]);
    const s = await u.caller.chat.send({ conversationId: c.id, content: "What do mitochondria produce?", idempotencyKey: key() });
    await collect(u.caller, { messageId: s.assistantMessage.id });
    const sent = JSON.stringify(server.requests.findLast((r) => r.path.endsWith("/chat/completions"))!.body);
    expect(sent).toContain("[Biology notes]");
    expect(sent).toContain("powerhouse of the cell");

    await u.caller.chat.deleteDocument({ documentId: doc.id });
    expect((await u.caller.chat.documents()).map((d) => d.title)).toEqual(["History notes"]);
    await expectTrpcError(u.caller.chat.deleteDocument({ documentId: doc.id }), "NOT_FOUND");
    await expectTrpcError(
      u.caller.chat.addDocument({ title: "x", kind: "note", content: "y", conversationId: crypto.randomUUID() }),
      "NOT_FOUND",
    );
  });

  it("extracts a PDF's text on the server and grounds the tutor in it; refuses non-PDFs and textless PDFs", async () => {
    server.setReply(null);
    const u = await h.signUp("pdfstudent");
    const c = await u.caller.chat.create({ assistant: "tutor" });
    const pdf = minimalPdf("Chlorophyll absorbs red and blue light (not green) during photosynthesis.");
    const doc = await u.caller.chat.addDocument({
      title: "Plant lecture",
      kind: "pdf",
      pdfBase64: pdf.toString("base64"),
      conversationId: c.id,
    });
    expect(doc).toMatchObject({ kind: "pdf", chunks: 1 });
    expect(doc.characters).toBeGreaterThan(40);
    const s = await u.caller.chat.send({
      conversationId: c.id,
      content: "What light does chlorophyll absorb?",
      idempotencyKey: key(),
    });
    await collect(u.caller, { messageId: s.assistantMessage.id });
    const sent = JSON.stringify(server.requests.findLast((r) => r.path.endsWith("/chat/completions"))!.body);
    expect(sent).toContain("[Plant lecture]");
    expect(sent).toContain("Chlorophyll absorbs red and blue light (not green)");

    // The client's claim is not trusted: the bytes must be a PDF.
    await expectTrpcError(
      u.caller.chat.addDocument({ title: "Fake", kind: "pdf", pdfBase64: Buffer.from("just some text").toString("base64") }),
      "BAD_REQUEST",
    );
    const textless = await expectTrpcError(
      u.caller.chat.addDocument({ title: "Scan", kind: "pdf", pdfBase64: minimalPdf("").toString("base64") }),
      "BAD_REQUEST",
    );
    expect(textless.message).toBe("This PDF has no selectable text");
    // A file only for kind "pdf", and exactly one of text or file.
    await expectTrpcError(
      u.caller.chat.addDocument({ title: "x", kind: "note", pdfBase64: pdf.toString("base64") }),
      "BAD_REQUEST",
    );
    await expectTrpcError(u.caller.chat.addDocument({ title: "x", kind: "pdf" }), "BAD_REQUEST");
    expect((await u.caller.chat.documents({ conversationId: c.id })).map((d) => d.title)).toEqual(["Plant lecture"]);
  });

  it("keeps crisis messages and their fixed replies out of the next request's context", async () => {
    server.setReply(null);
    const u = await h.signUp("context");
    const c = await u.caller.chat.create({ assistant: "companion" });
    const first = await u.caller.chat.send({
      conversationId: c.id,
      content: "Hi there, I had a long day",
      idempotencyKey: key(),
    });
    await collect(u.caller, { messageId: first.assistantMessage.id });
    const calls = server.requests.length;
    const crisis = await u.caller.chat.send({ conversationId: c.id, content: "I want to end my life", idempotencyKey: key() });
    expect(crisis.assistantMessage.content).toBe(CRISIS_RESPONSE);
    expect(server.requests.length).toBe(calls);
    const next = await u.caller.chat.send({ conversationId: c.id, content: "Tell me something calming", idempotencyKey: key() });
    await collect(u.caller, { messageId: next.assistantMessage.id });
    const sentBody = JSON.stringify(server.requests.at(-1)!.body);
    expect(sentBody).toContain("Tell me something calming");
    expect(sentBody).toContain("I had a long day");
    expect(sentBody).not.toContain("end my life");
    expect(sentBody).not.toContain(CRISIS_RESPONSE.slice(0, 40));
  });
});
