/**
 * Writer sessions over time: the stream ends when outputs settle (here or on another instance) without
 * piling up listeners; the tables' own guarantees (RLS, the current version); iterations, edits and
 * restores make versions; listing, search and projects.
 */
import { getEventListeners } from "node:events";
import { asUser } from "@inkwell/db";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { titleSessionJob, type WriterStreamEvent, writerSessions, xWeightedLength } from "@inkwell/domain/writer";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness } from "./harness.ts";
import { available, collect, formatOf, key, startWriterEnv, type WriterEnv } from "./writer-sessions-env.ts";

let env: WriterEnv;
let h: Harness;
let worker: WriterEnv["worker"];
beforeAll(async () => {
  env = await startWriterEnv();
  ({ h, worker } = env);
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

describe("the stream", () => {
  it("ends when outputs settle, here or on another instance, without piling up abort listeners", async () => {
    const u = await h.signUp("writer-stream-listeners");
    env.server.setTokenDelayMs(2);
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Many snapshots",
      formats: ["linkedin_post", "x_thread"],
      style: "natural",
      useKnowledge: false,
      idempotencyKey: key(),
    });
    const follow = async (onEvent?: (e: WriterStreamEvent) => Promise<void>) => {
      const controller = new AbortController();
      const stream = await writerSessions.openStream({ db: h.db }, u.me.id, sessionId, controller.signal);
      let events = 0;
      let most = 0;
      for await (const e of stream) {
        events++;
        most = Math.max(most, getEventListeners(controller.signal, "abort").length);
        await onEvent?.(e);
      }
      return { events, most, after: getEventListeners(controller.signal, "abort").length };
    };
    // Followed through this process's live bus: many snapshots, one listener.
    const here = await follow();
    expect(here.events).toBeGreaterThan(10);
    expect(here.most).toBeLessThanOrEqual(2);
    expect(here.after).toBe(0);

    // Followed by polling the rows (as if another instance were writing), until the row settles.
    await h.raw(sql`UPDATE writer_outputs SET status = 'streaming', draft = 'Half' WHERE session_id = ${sessionId}`);
    let polls = 0;
    const there = await follow(async (e) => {
      if (e.status !== "streaming") return;
      // Each poll re-reads the rows; settle them after a few.
      if (++polls === 1)
        setTimeout(
          () => void h.raw(sql`UPDATE writer_outputs SET status = 'ready', draft = '' WHERE session_id = ${sessionId}`),
          1500,
        );
    });
    expect(there.most).toBeLessThanOrEqual(2);
    expect(there.after).toBe(0);
  });
});

describe("the tables' own guarantees", () => {
  it("RLS keeps rows under another user's session out, and the current version must be the output's own", async () => {
    const a = await h.signUp("writer-rls-a");
    const b = await h.signUp("writer-rls-b");
    const mk = async (u: typeof a) => {
      const { sessionId } = await u.caller.writer.sessions.create({
        concept: "RLS",
        formats: ["threads_post"],
        style: "natural",
        idempotencyKey: key(),
      });
      await collect(u.caller, sessionId);
      const [o] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
      return { sessionId, outputId: o?.id as string, versionId: o?.current?.id as string };
    };
    const ra = await mk(a);
    const rb = await mk(b);
    // B writes with B's own user_id under A's session / output: refused by the insert policies.
    const asB = <T>(fn: (tx: Parameters<Parameters<typeof asUser>[2]>[0]) => Promise<T>) => asUser(h.db, b.me.id, fn);
    await expect(
      asB((tx) =>
        tx
          .insertInto("writer_messages")
          .values({ session_id: ra.sessionId, user_id: b.me.id, seq: 99, role: "user", content: "x" })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asB((tx) =>
        tx
          .insertInto("writer_output_versions")
          .values({ output_id: ra.outputId, user_id: b.me.id, number: 9, content: "x", source: "edit", char_count: 1 })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      asB((tx) => tx.insertInto("writer_projects").values({ session_id: ra.sessionId, user_id: b.me.id, name: "x" }).execute()),
    ).rejects.toThrow(/row-level security/);
    // Nor may B's own session name A's voice profile (a foreign key alone is checked without RLS).
    const aVoice = await a.caller.voice.create({ name: "A's voice" });
    const session = (voiceProfileId: string) =>
      asB((tx) =>
        tx
          .insertInto("writer_sessions")
          .values({ user_id: b.me.id, concept: "x", style: "natural", voice_profile_id: voiceProfileId, idempotency_key: key() })
          .execute(),
      );
    await expect(session(aVoice.id)).rejects.toThrow(/row-level security/);
    await session((await b.caller.voice.create({ name: "B's voice" })).id);
    // B's output cannot point at another output's version, even B's own.
    const other = await mk(b);
    await expect(
      asB((tx) =>
        tx.updateTable("writer_outputs").set({ current_version_id: other.versionId }).where("id", "=", rb.outputId).execute(),
      ),
    ).rejects.toThrow(/writer_outputs_current_version_fk/);
  });
});

describe("iterating, versions and the composer's prefill", () => {
  it("iterates chosen formats into new versions, edits, restores an earlier version and keeps the history", async () => {
    const u = await h.signUp("writer-iterate");
    const concept = "Morning bread drops for a small bakery";
    const { sessionId } = await u.caller.writer.sessions.create({
      concept,
      formats: ["linkedin_post", "x_thread"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const first = await u.caller.writer.sessions.get({ sessionId });
    const linkedin = first.outputs.find((o) => o.format === "linkedin_post");
    const thread = first.outputs.find((o) => o.format === "x_thread");
    const v1 = linkedin?.current;

    env.server.setReply((body) => (formatOf(body) ? "Shorter post about morning bread. #bread" : "title"));
    const before = await available(u.caller);
    const it1 = await u.caller.writer.sessions.iterate({
      sessionId,
      instruction: "Make it much shorter",
      formats: ["linkedin_post"],
      idempotencyKey: key(),
    });
    expect(it1.outputIds).toEqual([linkedin?.id]);
    await collect(u.caller, sessionId);

    // The revision request carried the previous text and the instruction.
    const revision = env.bodiesAbout(concept).at(-1);
    expect(revision?.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(revision?.messages[2]?.content).toBe(v1?.content);
    expect(String(revision?.messages[3]?.content)).toContain("Make it much shorter");

    const after = await u.caller.writer.sessions.get({ sessionId });
    const revised = after.outputs.find((o) => o.id === linkedin?.id);
    expect(revised?.current).toMatchObject({
      number: 2,
      source: "iteration",
      instruction: "Make it much shorter",
      content: "Shorter post about morning bread. #bread",
    });
    expect(revised?.versionCount).toBe(2);
    expect(after.outputs.find((o) => o.id === thread?.id)?.versionCount).toBe(1);
    expect(after.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", concept],
      ["assistant", "Writing your LinkedIn post and X thread in a natural style."],
      ["user", "Make it much shorter"],
      ["assistant", "Revising your LinkedIn post."],
    ]);
    expect(await available(u.caller)).toBe(before - 4);

    // Edit, then restore the first version: each is a new current version; nothing is lost.
    const edited = await u.caller.writer.sessions.editOutput({ outputId: linkedin?.id as string, content: "My own words." });
    expect(edited.current).toMatchObject({ number: 3, source: "edit", content: "My own words." });
    const restored = await u.caller.writer.sessions.restoreVersion({ versionId: v1?.id as string });
    expect(restored.current).toMatchObject({
      number: 4,
      source: "restore",
      content: v1?.content,
      instruction: "Restored version 1",
    });
    const versions = await u.caller.writer.sessions.versions({ outputId: linkedin?.id as string });
    expect(versions.map((v) => [v.number, v.source])).toEqual([
      [4, "restore"],
      [3, "edit"],
      [2, "iteration"],
      [1, "generated"],
    ]);

    // An edited thread is split and numbered again.
    const threadEdit = await u.caller.writer.sessions.editOutput({
      outputId: thread?.id as string,
      content: `${"Crumbs everywhere and nobody minds at all. ".repeat(10)}`,
    });
    expect(threadEdit.current?.parts?.length).toBeGreaterThan(1);
    for (const p of threadEdit.current?.parts ?? []) expect(xWeightedLength(p)).toBeLessThanOrEqual(280);

    // The composer's prefill: the thread's posts, ready for X.
    const prefill = await u.caller.writer.sessions.output({ outputId: thread?.id as string });
    expect(prefill.current?.id).toBe(threadEdit.current?.id);
    expect(prefill.prefill).toEqual({ platform: "x", parts: threadEdit.current?.parts, title: null });

    // A retried iterate is a replay, not a second run.
    const k = key();
    await u.caller.writer.sessions.iterate({ sessionId, instruction: "Warmer", formats: ["x_thread"], idempotencyKey: k });
    await collect(u.caller, sessionId);
    const calls = env.chatRequests().length;
    const replay = await u.caller.writer.sessions.iterate({
      sessionId,
      instruction: "Warmer",
      formats: ["x_thread"],
      idempotencyKey: k,
    });
    expect(replay.outputIds).toEqual([thread?.id]);
    expect(env.chatRequests().length).toBe(calls);
  });

  it("keeps the current version when an iteration fails", async () => {
    const u = await h.signUp("writer-iter-fail");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Iteration that fails",
      formats: ["threads_post"],
      style: "natural",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const [before] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    env.server.failNext(1, { status: 500 });
    await u.caller.writer.sessions.iterate({ sessionId, instruction: "Punchier", idempotencyKey: key() });
    await collect(u.caller, sessionId);
    const [after] = (await u.caller.writer.sessions.get({ sessionId })).outputs;
    expect(after?.status).toBe("failed");
    expect(after?.current).toEqual(before?.current);
    expect(after?.versionCount).toBe(1);
  });
});

describe("listing, search and projects", () => {
  it("lists newest first with full-text search (prefix as you type) and keyset pages; renames and deletes", async () => {
    const u = await h.signUp("writer-list");
    const ids: string[] = [];
    for (const concept of ["Sourdough starters explained", "Croissant lamination tips", "Pricing for market stalls"]) {
      const { sessionId } = await u.caller.writer.sessions.create({
        concept,
        formats: ["threads_post"],
        style: "natural",
        idempotencyKey: key(),
      });
      await collect(u.caller, sessionId);
      ids.push(sessionId);
    }
    const all = await u.caller.writer.sessions.list();
    expect(all.map((s) => s.id)).toEqual([...ids].reverse());
    expect(all[0]).toMatchObject({ formats: ["threads_post"], projectId: null, pinned: false });

    expect((await u.caller.writer.sessions.list({ query: "croiss" })).map((s) => s.id)).toEqual([ids[1]]);
    expect((await u.caller.writer.sessions.list({ query: "lamination croissant" })).map((s) => s.id)).toEqual([ids[1]]);
    expect(await u.caller.writer.sessions.list({ query: "baguette" })).toEqual([]);
    expect(await u.caller.writer.sessions.list({ query: "!!!" })).toEqual([]);

    const page1 = await u.caller.writer.sessions.list({ limit: 2 });
    const last = page1.at(-1);
    const page2 = await u.caller.writer.sessions.list({
      limit: 2,
      cursor: { createdAt: last?.createdAt as Date, id: last?.id as string },
    });
    expect([...page1, ...page2].map((s) => s.id)).toEqual([...ids].reverse());

    const renamed = await u.caller.writer.sessions.rename({ sessionId: ids[0] as string, title: "Starter guide" });
    expect(renamed.title).toBe("Starter guide");
    expect((await u.caller.writer.sessions.list({ query: "guide" })).map((s) => s.id)).toEqual([ids[0]]);
    // The worker never renames a session the user named.
    await runJob(titleSessionJob, { userId: u.me.id, sessionId: ids[0] as string }, worker);
    expect((await u.caller.writer.sessions.get({ sessionId: ids[0] as string })).session.title).toBe("Starter guide");

    await u.caller.writer.sessions.delete({ sessionId: ids[2] as string });
    expect((await u.caller.writer.sessions.list()).map((s) => s.id)).toEqual([ids[1], ids[0]]);
    await expectTrpcError(u.caller.writer.sessions.delete({ sessionId: ids[2] as string }), "NOT_FOUND");
  });

  it("pins a session as a project, lists projects by tag, updates and unpins it", async () => {
    const u = await h.signUp("writer-projects");
    const { sessionId } = await u.caller.writer.sessions.create({
      concept: "Holiday bake schedule",
      formats: ["linkedin_post", "newsletter"],
      style: "polished",
      idempotencyKey: key(),
    });
    await collect(u.caller, sessionId);
    const project = await u.caller.writer.projects.pin({
      sessionId,
      name: "Holidays",
      description: "Everything for December",
      tags: ["Seasonal", "seasonal", "december"],
    });
    expect(project).toMatchObject({
      sessionId,
      name: "Holidays",
      tags: ["seasonal", "december"],
      session: { concept: "Holiday bake schedule", formats: ["linkedin_post", "newsletter"] },
    });
    await expectTrpcError(u.caller.writer.projects.pin({ sessionId, name: "Again" }), "CONFLICT");
    // A pinned session carries its project's name, which the sidebar shows (it showed "New draft ★").
    expect((await u.caller.writer.sessions.get({ sessionId })).session).toMatchObject({ pinned: true, projectName: "Holidays" });
    expect((await u.caller.writer.sessions.list())[0]).toMatchObject({ projectId: project.id, projectName: "Holidays" });

    expect((await u.caller.writer.projects.list({ tag: "december" })).map((p) => p.id)).toEqual([project.id]);
    expect(await u.caller.writer.projects.list({ tag: "summer" })).toEqual([]);
    const updated = await u.caller.writer.projects.update({ projectId: project.id, name: "Christmas", tags: ["xmas"] });
    expect(updated).toMatchObject({ name: "Christmas", description: "Everything for December", tags: ["xmas"] });
    expect((await u.caller.writer.sessions.list())[0]?.projectName).toBe("Christmas");
    await expectTrpcError(u.caller.writer.projects.update({ projectId: project.id } as never), "BAD_REQUEST");

    await u.caller.writer.projects.unpin({ projectId: project.id });
    expect(await u.caller.writer.projects.list()).toEqual([]);
    expect((await u.caller.writer.sessions.get({ sessionId })).session).toMatchObject({ pinned: false, projectName: null });
    await expectTrpcError(u.caller.writer.projects.unpin({ projectId: project.id }), "NOT_FOUND");
  });
});
