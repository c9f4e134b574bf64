/**
 * Writer sessions refused and recovered: credits, rate limits and bad inputs are refused before any
 * model call; another user's ids are NOT_FOUND; outputs a dead process left streaming are swept; money
 * and versions stay together through failed saves, double submits, racing retries and restores.
 */

import { writerSessions } from "@inkwell/domain/writer";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness } from "./harness.ts";
import { available, collect, key, startWriterEnv, type WriterEnv, words } from "./writer-sessions-env.ts";

let env: WriterEnv;
let h: Harness;
beforeAll(async () => {
  env = await startWriterEnv();
  h = env.h;
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

describe("refusals", () => {
  it("refuses with PAYMENT_REQUIRED before any model call when credits do not cover every format", async () => {
    const u = await h.signUp("writer-broke");
    await h.raw(sql`UPDATE credit_grants SET remaining = 15 WHERE user_id = ${u.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 15 WHERE user_id = ${u.me.id}`);
    const calls = env.chatRequests().length;
    const e = await expectTrpcError(
      u.caller.writer.sessions.create({
        concept: "Two formats, credits for one",
        formats: ["linkedin_post", "x_thread"],
        style: "natural",
        idempotencyKey: key(),
      }),
      "PAYMENT_REQUIRED",
    );
    expect(e.message).toContain("20 credits");
    expect(env.chatRequests().length).toBe(calls);
    expect(await u.caller.writer.sessions.list()).toEqual([]);
  });

  it("surfaces rate limits: all refused is RATE_LIMITED with no trace; a partial refusal fails only that output", async () => {
    const u = await h.signUp("writer-limited");
    const actor = { userId: u.me.id, ip: "10.9.9.9" };
    const deps = {
      ...h.deps,
      rateLimits: { "writer.generate": { perUser: { limit: 1, windowSeconds: 60 }, perIp: { limit: 100, windowSeconds: 60 } } },
    };
    const input = { concept: "Rate limited", style: "natural" as const, useKnowledge: true };
    const { sessionId } = await writerSessions.create(deps, actor, {
      ...input,
      formats: ["linkedin_post", "x_thread"],
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const outputs = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(outputs.map((o) => o.status).sort()).toEqual(["failed", "ready"]);
    expect(outputs.find((o) => o.status === "failed")?.error).toMatch(/faster than allowed/);

    const refused = await writerSessions
      .create(deps, actor, { ...input, formats: ["threads_post"], idempotencyKey: key() })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "RATE_LIMITED" });
    expect((await u.caller.writer.sessions.list()).map((s) => s.id)).toEqual([sessionId]);
  });

  it("validates inputs", async () => {
    const u = await h.signUp("writer-bad");
    const base = { concept: "Fine", formats: ["linkedin_post"], style: "natural", idempotencyKey: key() };
    const create = (over: Record<string, unknown>) => u.caller.writer.sessions.create({ ...base, ...over } as never);
    await expectTrpcError(create({ concept: "   " }), "BAD_REQUEST");
    await expectTrpcError(create({ concept: "x".repeat(5001) }), "BAD_REQUEST");
    await expectTrpcError(create({ formats: [] }), "BAD_REQUEST");
    await expectTrpcError(create({ formats: ["tiktok_video"] }), "BAD_REQUEST");
    await expectTrpcError(create({ formats: ["x_thread", "x_thread"] }), "BAD_REQUEST");
    await expectTrpcError(create({ style: "sarcastic" }), "BAD_REQUEST");
    await expectTrpcError(create({ idempotencyKey: "short" }), "BAD_REQUEST");
    await expectTrpcError(create({ voiceProfileId: "not-a-uuid" }), "BAD_REQUEST");
    expect(await u.caller.writer.sessions.list()).toEqual([]);

    const { sessionId } = await u.caller.writer.sessions.create({ ...base, formats: ["linkedin_post"] } as never);
    await collect(u.caller, sessionId);
    const iterate = (over: Record<string, unknown>) =>
      u.caller.writer.sessions.iterate({ sessionId, instruction: "Shorter", idempotencyKey: key(), ...over } as never);
    await expectTrpcError(iterate({ instruction: " " }), "BAD_REQUEST");
    await expectTrpcError(iterate({ formats: ["blog_article"] }), "BAD_REQUEST");
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    await expectTrpcError(u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: "  " }), "BAD_REQUEST");
    await expectTrpcError(u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: words(700) }), "BAD_REQUEST");
  });

  it("refuses to iterate while an output is still being written", async () => {
    const u = await h.signUp("writer-busy");
    env.server.setTokenDelayMs(30);
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Slow one",
      formats: ["linkedin_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await expectTrpcError(
      u.caller.writer.sessions.iterate({ sessionId, instruction: "Shorter", idempotencyKey: key() }),
      "PRECONDITION_FAILED",
    );
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    await expectTrpcError(
      u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content: "Mine" }),
      "PRECONDITION_FAILED",
    );
    // Deleting the session stops its generation.
    await u.caller.writer.sessions.delete({ sessionId });
    await writerSessions.settled();
    await expectTrpcError(u.caller.writer.sessions.get({ sessionId }), "NOT_FOUND");
  });

  it("keeps another user's sessions, outputs and versions NOT_FOUND", async () => {
    const a = await h.signUp("writer-owner");
    const b = await h.signUp("writer-other");
    const { sessionId } = await a.caller.writer.sessions.create({
      concept: "Private concept",
      formats: ["threads_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(a.caller, sessionId);
    const [o] = (await a.caller.writer.sessions.get({ sessionId })).outputs;
    const outputId = o?.id as string;
    await expectTrpcError(b.caller.writer.sessions.get({ sessionId }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.stream({ sessionId }), "NOT_FOUND");
    await expectTrpcError(
      b.caller.writer.sessions.iterate({ sessionId, instruction: "Mine", idempotencyKey: key() }),
      "NOT_FOUND",
    );
    await expectTrpcError(b.caller.writer.sessions.versions({ outputId }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.output({ outputId }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.editOutput({ outputId, content: "Mine" }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.sessions.restoreVersion({ versionId: o?.current?.id as string }), "NOT_FOUND");
    await expectTrpcError(b.caller.writer.projects.pin({ sessionId, name: "Mine" }), "NOT_FOUND");
    expect(await b.caller.writer.sessions.list({ query: "private" })).toEqual([]);
  });
});

describe("a process that dies mid-generation", () => {
  it("leaves outputs streaming that the sweep marks failed", async () => {
    const u = await h.signUp("writer-stale");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Interrupted",
      formats: ["threads_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    // As if the API process died while writing an hour ago: left streaming, no draft write since. (The
    // touch trigger is off for this one transaction, so the row can be dated: no sleeping, and a sweep
    // threshold no output of another test file — they share the database — can reach.)
    await h.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`UPDATE writer_outputs SET status = 'streaming', draft = 'Half a sen', updated_at = now() - interval '1 hour'
                 WHERE session_id = ${sessionId}`.execute(trx);
    });
    expect((await u.caller.writer.sessions.get({ sessionId })).outputs[0]).toMatchObject({
      status: "streaming",
      draft: "Half a sen",
    });
    // Quiet for less than the threshold: left alone.
    await writerSessions.failStaleOutputs(h.db, 7200);
    expect((await u.caller.writer.sessions.get({ sessionId })).outputs[0]?.status).toBe("streaming");
    expect(await writerSessions.failStaleOutputs(h.db, 1800)).toBeGreaterThanOrEqual(1);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(o).toMatchObject({ status: "failed", draft: "", versionCount: 1 });
    expect(o?.error).toMatch(/interrupted/);
  });
});

describe("money and versions stay together", () => {
  it("charges nothing when the finished text cannot be saved (the session was deleted through another instance)", async () => {
    const u = await h.signUp("writer-lost-save");
    const before = await available(u.caller);
    env.server.setFirstTokenDelayMs(300);
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Deleted elsewhere",
      formats: ["threads_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    // Another API process deletes it: this one's generation is not told and runs to the end.
    await h.raw(sql`DELETE FROM writer_sessions WHERE id = ${sessionId}`);
    await writerSessions.settled();
    expect(await available(u.caller)).toBe(before);
    const gens = await h.raw(sql`SELECT status FROM generations WHERE user_id = ${u.me.id} AND operation = 'writer.generate'`);
    expect(gens.rows).toEqual([{ status: "failed" }]);
  });

  it("answers a create sent twice at once (a double submit) with one session and one charge", async () => {
    const u = await h.signUp("writer-create-race");
    const before = await available(u.caller);
    const input = {
      concept: "Sent twice",
      formats: ["threads_post" as const],
      style: "natural" as const,
      useKnowledge: false,
      idempotencyKey: key(),
    };
    const [a, b] = await Promise.all([u.caller.writer.sessions.create(input), u.caller.writer.sessions.create(input)]);
    expect(b).toEqual(a);
    await collect(u.caller, a.sessionId);
    expect((await u.caller.writer.sessions.list()).map((s) => s.id)).toEqual([a.sessionId]);
    expect(await available(u.caller)).toBe(before - 10);
  });

  it("answers a retried iterate racing the first with the same run: one message, one charge", async () => {
    const u = await h.signUp("writer-iter-race");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Race the retry",
      formats: ["threads_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const before = await available(u.caller);
    const input = { sessionId, instruction: "Shorter", idempotencyKey: key() };
    const [a, b] = await Promise.all([u.caller.writer.sessions.iterate(input), u.caller.writer.sessions.iterate(input)]);
    expect(b).toEqual(a);
    await collect(u.caller, sessionId);
    const detail = await u.caller.writer.sessions.get({ sessionId });
    expect(detail.messages.filter((m) => m.content === "Shorter")).toHaveLength(1);
    expect(detail.outputs[0]?.versionCount).toBe(2);
    expect(await available(u.caller)).toBe(before - 4);
  });

  it("applies the format rules to a restore too: an old text over today's limit is refused, not stored", async () => {
    const u = await h.signUp("writer-restore-rules");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Restore under the rules",
      formats: ["linkedin_post"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    // A version stored under older, looser rules (or written around the app): 3,500 characters.
    const old = await h.raw(sql`
      INSERT INTO writer_output_versions (output_id, user_id, number, content, source, char_count)
      VALUES (${o?.id}, ${u.me.id}, 2, ${"a".repeat(3500)}, 'edit', 3500) RETURNING id`);
    const versionId = (old.rows[0] as { id: string }).id;
    const e = await expectTrpcError(u.caller.writer.sessions.restoreVersion({ versionId }), "BAD_REQUEST");
    expect(e.message).toBe("A LinkedIn post can be at most 3000 characters; this is 3500.");
    expect((await u.caller.writer.sessions.versions({ outputId: o?.id as string })).length).toBe(2);
  });

  it("refuses an edited thread longer than X takes instead of storing it", async () => {
    const u = await h.signUp("writer-edit-long-thread");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Long thread edit",
      formats: ["x_thread"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    const content = Array.from({ length: 30 }, (_, i) => `Post ${i + 1} of my own thread.`).join("\n\n");
    const e = await expectTrpcError(u.caller.writer.sessions.editOutput({ outputId: o?.id as string, content }), "BAD_REQUEST");
    expect(e.message).toBe("This thread has 30 posts; X takes at most 25. Shorten it.");
    expect((await u.caller.writer.sessions.versions({ outputId: o?.id as string })).length).toBe(1);
  });
});
