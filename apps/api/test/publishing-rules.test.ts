/**
 * What the publishing queue refuses before anything is scheduled, how it lists, and what RLS keeps
 * from the owner and from others. No queue worker here (see publishing-kit.ts): nothing is made due.
 */
import { asUser } from "@inkwell/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError } from "./harness.ts";
import { nextMinute, type Publishing, startPublishing, type User, unique } from "./publishing-kit.ts";

let h: Publishing["h"];
let sandbox: Publishing["sandbox"];
let connect: Publishing["connect"];
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ h, sandbox, connect, stop } = await startPublishing({ worker: false }));
}, 60_000);
afterAll(() => stop());

let alice: User;
let bob: User;
let aliceX: string;
let aliceLinkedIn: string;
let aliceThreads: string;

beforeAll(async () => {
  alice = await h.signUp("alice");
  bob = await h.signUp("bob");
  aliceX = await connect(alice, "x");
  aliceLinkedIn = await connect(alice, "linkedin");
  aliceThreads = await connect(alice, "threads");
}, 60_000);

describe("refused before scheduling", () => {
  const compose = (user: User, connectionId: string, parts: string[], when: unknown) =>
    user.caller.publishing.posts.compose({
      channels: [{ connectionId, parts }],
      when: when as { kind: "now" },
      idempotencyKey: unique("refused"),
    });

  it("a local time in a daylight-saving gap", async () => {
    const e = await expectTrpcError(
      compose(alice, aliceX, ["Spring forward"], { kind: "at", local: "2030-03-31T02:30", timeZone: "Europe/Berlin" }),
      "BAD_REQUEST",
    );
    expect(e.message).toBe(
      "2030-03-31 02:30 does not exist in Europe/Berlin: the clocks jump forward then (daylight saving time starts). Pick a time outside the jump, such as 03:30.",
    );
  });

  it("a time in the past", async () => {
    const e = await expectTrpcError(
      compose(alice, aliceX, ["Too late"], { kind: "at", local: "2020-01-01T09:00", timeZone: "Europe/Paris" }),
      "BAD_REQUEST",
    );
    expect(e.message).toBe("2020-01-01 09:00 (Europe/Paris) has already passed; pick a time in the future.");
  });

  it("text too long for the platform (X 280 per post, Threads 500, LinkedIn 3000)", async () => {
    const x = await expectTrpcError(compose(alice, aliceX, ["ok", "a".repeat(281)], { kind: "now" }), "BAD_REQUEST");
    expect(x.message).toBe("X (Inkwell Sandbox): Post 2 of the thread is 281 characters; X allows 280. Shorten it by 1.");
    const threads = await expectTrpcError(compose(alice, aliceThreads, ["b".repeat(501)], { kind: "now" }), "BAD_REQUEST");
    expect(threads.message).toContain("Threads allows 500");
    const linkedIn = await expectTrpcError(compose(alice, aliceLinkedIn, ["c".repeat(3001)], { kind: "now" }), "BAD_REQUEST");
    expect(linkedIn.message).toContain("LinkedIn allows 3000");
    // Exactly at the limit is fine.
    const ok = await compose(alice, aliceX, ["d".repeat(280)], { kind: "draft" });
    expect(ok.posts[0]?.status).toBe("draft");
  });

  it("someone else's connection, and someone else's post", async () => {
    await expectTrpcError(compose(bob, aliceX, ["Not mine"], { kind: "now" }), "NOT_FOUND");
    const { posts } = await compose(alice, aliceX, ["Alice's draft"], { kind: "draft" });
    const postId = posts[0]?.id as string;
    await expectTrpcError(bob.caller.publishing.posts.get({ postId }), "NOT_FOUND");
    await expectTrpcError(bob.caller.publishing.posts.cancel({ postId }), "NOT_FOUND");
    await expectTrpcError(bob.caller.publishing.posts.publishNow({ postId }), "NOT_FOUND");
    expect((await bob.caller.publishing.posts.list({})).items).toEqual([]);
    expect((await alice.caller.publishing.posts.get({ postId })).post.status).toBe("draft");
  });

  it("a writer output that is someone else's (a post may link only its owner's output)", async () => {
    const { sessionId } = await alice.caller.writer.sessions.create({
      concept: "Why a bakery should post every morning",
      formats: ["x_thread"],
      style: "natural",
      idempotencyKey: unique("writer"),
    });
    for await (const _ of await alice.caller.writer.sessions.stream({ sessionId })) {
      // until the output is settled
    }
    const outputId = (await alice.caller.writer.sessions.get({ sessionId })).outputs[0]?.id as string;
    const bobX = await connect(bob, "x", sandbox.addAccount("x", "bob_writer").username);
    const e = await expectTrpcError(
      bob.caller.publishing.posts.compose({
        channels: [{ connectionId: bobX, parts: ["Borrowed"] }],
        when: { kind: "draft" },
        writerOutputId: outputId,
        idempotencyKey: unique("borrowed"),
      }),
      "NOT_FOUND",
    );
    expect(e.message).toMatch(/not found/i);
    expect((await bob.caller.publishing.posts.list({})).items).toEqual([]);
    const mine = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: ["From my writer"] }],
      when: { kind: "draft" },
      writerOutputId: outputId,
      idempotencyKey: unique("mine"),
    });
    expect(mine.posts[0]?.writerOutputId).toBe(outputId);
  });
});

describe("list", () => {
  it("filters by status and time window, soonest first for the queue, pages with a cursor", async () => {
    const dave = await h.signUp("dave");
    const daveX = await connect(dave, "x");
    const base = nextMinute(3600);
    const times = [0, 1, 2].map((i) => new Date(base.at.getTime() + i * 3_600_000).toISOString().slice(0, 16));
    for (const [i, local] of times.entries()) {
      await dave.caller.publishing.posts.compose({
        channels: [{ connectionId: daveX, parts: [unique(`Queued ${i}`)] }],
        when: { kind: "at", local, timeZone: "UTC" },
        idempotencyKey: unique("list"),
      });
    }
    await dave.caller.publishing.posts.compose({
      channels: [{ connectionId: daveX, parts: [unique("A draft")] }],
      when: { kind: "draft" },
      idempotencyKey: unique("list-draft"),
    });
    const queue = await dave.caller.publishing.posts.list({ status: ["pending"], order: "asc", limit: 2 });
    expect(queue.items.map((p) => p.scheduledLocal)).toEqual(times.slice(0, 2));
    const rest = await dave.caller.publishing.posts.list({
      status: ["pending"],
      order: "asc",
      limit: 2,
      ...(queue.nextCursor ? { cursor: queue.nextCursor } : {}),
    });
    expect(rest.items.map((p) => p.scheduledLocal)).toEqual(times.slice(2));
    expect(rest.nextCursor).toBeNull();
    const window = await dave.caller.publishing.posts.list({
      from: new Date(`${times[1]}:00Z`),
      to: new Date(`${times[2]}:00Z`),
    });
    expect(window.items.map((p) => p.scheduledLocal)).toEqual([times[1]]);
    expect((await dave.caller.publishing.posts.list({ status: ["draft"] })).items).toHaveLength(1);
  });
});

it("the owner cannot forge a publication or an attempt (RLS)", async () => {
  const { posts } = await alice.caller.publishing.posts.compose({
    channels: [{ connectionId: aliceX, parts: [unique("RLS")] }],
    when: { kind: "draft" },
    idempotencyKey: unique("rls"),
  });
  const postId = posts[0]?.id as string;
  await expect(
    asUser(h.db, alice.me.id, (tx) =>
      tx.updateTable("scheduled_posts").set({ platform_post_id: "forged" }).where("id", "=", postId).execute(),
    ),
  ).rejects.toThrow(/permission denied/);
  await expect(
    asUser(h.db, alice.me.id, (tx) =>
      tx
        .insertInto("post_attempts")
        .values({
          post_id: postId,
          user_id: alice.me.id,
          kind: "publish",
          started_at: new Date(),
          duration_ms: 1,
          request: "forged",
          outcome: "published",
        })
        .execute(),
    ),
  ).rejects.toThrow(/permission denied/);
});

it("a post or a reconnect can name only its owner's connection, even written straight to the table (RLS)", async () => {
  // A foreign key is checked without RLS: the insert policies must check the connection's owner.
  const post = (connectionId: string) =>
    asUser(h.db, bob.me.id, (tx) =>
      tx
        .insertInto("scheduled_posts")
        .values({
          user_id: bob.me.id,
          group_id: crypto.randomUUID(),
          connection_id: connectionId,
          platform: "x",
          parts: ["Posted with someone else's account"],
          status: "draft",
        })
        .execute(),
    );
  await expect(post(aliceX)).rejects.toThrow(/row-level security/);
  const reconnect = (connectionId: string) =>
    asUser(h.db, bob.me.id, (tx) =>
      tx
        .insertInto("oauth_states")
        .values({
          user_id: bob.me.id,
          state_hash: Buffer.alloc(32, Math.floor(Math.random() * 256)),
          platform: "x",
          code_verifier_sealed: "v1:sealed",
          redirect_uri: "https://app.test/oauth/callback/x",
          reconnect_id: connectionId,
          expires_at: new Date(Date.now() + 600_000),
        })
        .execute(),
    );
  await expect(reconnect(aliceX)).rejects.toThrow(/row-level security/);
  // Bob's own connection is fine for both.
  const bobX = await connect(bob, "x", sandbox.addAccount("x", "bob_rls").username);
  await post(bobX);
  await reconnect(bobX);
});
