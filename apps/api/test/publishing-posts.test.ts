/**
 * The publishing queue end to end: procedures through the real router and database, the publish job
 * run by pg-boss in this process (the same handler the worker runs, with fast retries), and the
 * sandbox platform receiving the posts, with its fault switches.
 */
import { asUser } from "@inkwell/db";
import { connections } from "@inkwell/domain/connections";
import type { WorkerDeps } from "@inkwell/domain/jobs/handlers";
import { createBoss, createEnqueue, type JobHandler, registerJobs } from "@inkwell/domain/platform";
import { sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import type { SandboxPost } from "@inkwell/domain/platforms/testing";
import {
  claimLeaseMsOf,
  type Post,
  type PublisherDeps,
  publishPostJob,
  runPublishJob,
  sweepStranded,
} from "@inkwell/domain/posts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { expectTrpcError, type Harness, startHarnessWithSandbox } from "./harness.ts";

type Sandbox = Awaited<ReturnType<typeof startHarnessWithSandbox>>["sandbox"];
type User = Awaited<ReturnType<Harness["signUp"]>>;

let h: Harness;
let sandbox: Sandbox;
let stopAll: () => Promise<void>;
let boss: ReturnType<typeof createBoss>;
let publisher: PublisherDeps;

const silent = { info() {}, warn() {}, error() {} };
let seq = 0;
// Letters and digits only: LinkedIn escapes punctuation such as # in its "little text".
const unique = (text: string) => `${text} r${Date.now().toString(36)}x${++seq}`;

/**
 * The next whole minute at least `leadSeconds` away, as UTC wall-clock time (the composer picks
 * minutes), and its instant.
 */
function nextMinute(leadSeconds: number): { local: string; at: Date } {
  const at = new Date(Math.ceil((Date.now() + leadSeconds * 1000) / 60_000) * 60_000);
  return { local: at.toISOString().slice(0, 16), at };
}

beforeAll(async () => {
  const started = await startHarnessWithSandbox();
  h = started.h;
  sandbox = started.sandbox;
  // The worker side, in this process: the real publish job on its real queue, with a 1 s platform
  // timeout and fast retries so the fault cases finish quickly.
  boss = createBoss(inject("databaseUrl"), { supervise: false, schedule: false, max: 4 });
  await boss.start();
  publisher = {
    db: h.db,
    log: silent,
    keyRing: h.deps.keyRing,
    publishing: sandboxPublishingRuntime(sandbox.url, null, 1_000),
    enqueue: createEnqueue(boss),
    config: { retryBaseMs: 200, reconcileDelayMs: 300, claimLeaseMs: 3_000 },
  };
  const job: JobHandler<WorkerDeps> = {
    job: publishPostJob,
    run: async (data) => void (await runPublishJob(publisher, data as { postId: string; version: number })),
  };
  await registerJobs(boss, [job], {
    db: h.db,
    log: silent,
    ai: h.deps.ai,
    mailer: { send: async () => {}, close() {} } as never,
  });
  stopAll = async () => {
    await boss.stop({ graceful: false });
    await started.stop();
  };
}, 60_000);
afterAll(() => stopAll());

/** Connects the sandbox's account on `platform` for `user` through the real OAuth flow (or WordPress form). */
async function connect(user: User, platform: "x" | "linkedin" | "threads" | "wordpress", account?: string): Promise<string> {
  if (platform === "wordpress") {
    const c = await user.caller.publishing.connections.connectWordPress(sandbox.wordpress);
    return c.id;
  }
  const { authorizeUrl } = await user.caller.publishing.connections.startOAuth({ platform });
  const url = new URL(authorizeUrl);
  if (account) url.searchParams.set("sandbox_account", account);
  const approve = await fetch(url, { redirect: "manual" });
  const back = new URL(approve.headers.get("location") as string);
  const done = await h.app.request(`${back.pathname}${back.search}`, { headers: { authorization: `Bearer ${user.token}` } });
  const landed = new URL(done.headers.get("location") ?? "", "http://app.test");
  const id = landed.searchParams.get("connected");
  if (!id) throw new Error(`connect ${platform} failed: ${landed.searchParams.get("error")}`);
  return id;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const settled = (user: User, postId: string, statuses: Post["status"][] = ["published", "failed"], timeoutMs = 20_000) =>
  until(
    () => user.caller.publishing.posts.get({ postId }),
    (r) => statuses.includes(r.post.status),
    timeoutMs,
    `post ${postId} to reach ${statuses.join("/")}`,
  );

const onSandbox = (text: string): SandboxPost[] =>
  sandbox.accounts().flatMap((a) => sandbox.feed(a.accountId).filter((p) => p.text === text));

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

describe("at the picked minute (one shared minute for these cases)", () => {
  let minute: { local: string; at: Date };
  const texts = { x: "", linkedIn: "", cancelled: "", rescheduled: "" };
  let composed: Post[] = [];
  let cancelledId = "";
  let rescheduledId = "";

  beforeAll(async () => {
    // Far enough ahead that composing, cancelling and rescheduling finish before the jobs' early claim
    // (2 s before the minute) even on a loaded 2-core CI machine.
    minute = nextMinute(12);
    texts.x = unique("Short take for X");
    texts.linkedIn = unique("A longer, more considered version of the same idea for LinkedIn readers.");
    texts.cancelled = unique("Cancelled");
    texts.rescheduled = unique("New words");
    const at = { kind: "at" as const, local: minute.local, timeZone: "UTC" };
    composed = (
      await alice.caller.publishing.posts.compose({
        channels: [
          { connectionId: aliceX, parts: [texts.x] },
          { connectionId: aliceLinkedIn, parts: [texts.linkedIn] },
        ],
        when: at,
        idempotencyKey: unique("compose"),
      })
    ).posts;
    const toCancel = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [texts.cancelled] }],
      when: at,
      idempotencyKey: unique("cancel"),
    });
    cancelledId = toCancel.posts[0]?.id as string;
    // Scheduled an hour later first, then edited and moved to the shared minute.
    const later = new Date(minute.at.getTime() + 3_600_000).toISOString().slice(0, 16);
    const toMove = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [unique("Old words")] }],
      when: { kind: "at", local: later, timeZone: "UTC" },
      idempotencyKey: unique("reschedule"),
    });
    rescheduledId = toMove.posts[0]?.id as string;
  }, 30_000);

  it("composes one post per channel with its own variant, sharing a group, at the instant of the local time", () => {
    expect(composed.map((p) => [p.platform, p.status, p.scheduledLocal, p.timeZone, p.parts])).toEqual([
      ["x", "pending", minute.local, "UTC", [texts.x]],
      ["linkedin", "pending", minute.local, "UTC", [texts.linkedIn]],
    ]);
    expect(new Set(composed.map((p) => p.groupId)).size).toBe(1);
    expect(composed[0]?.scheduledAt).toBe(minute.at.toISOString());
  });

  it("cancels a pending post; edits and reschedules another", async () => {
    const cancelled = await alice.caller.publishing.posts.cancel({ postId: cancelledId });
    expect(cancelled.status).toBe("cancelled");
    const moved = await alice.caller.publishing.posts.update({
      postId: rescheduledId,
      parts: [texts.rescheduled],
      when: { kind: "at", local: minute.local, timeZone: "UTC" },
    });
    expect(moved).toMatchObject({ status: "pending", scheduledLocal: minute.local, parts: [texts.rescheduled] });
  });

  // Never early is the invariant; how late is the bench's measure (`pnpm bench publish-lag`): a shared
  // CI machine running other test files in parallel gets a few seconds.
  it("publishes at the time, within seconds and never early; the cancelled one never; the moved one with its new text", async () => {
    for (const post of composed) {
      const { post: done, attempts } = await settled(alice, post.id, ["published", "failed"], 80_000);
      expect(done.status).toBe("published");
      expect(done.platformPostId).toBeTruthy();
      expect(done.platformUrl).toContain(sandbox.url);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ kind: "publish", outcome: "published", errorKind: null });
    }
    const moved = await settled(alice, rescheduledId, ["published", "failed"], 10_000);
    expect(moved.post.status).toBe("published");
    const outs = [texts.x, texts.linkedIn, texts.rescheduled].map((t) => onSandbox(t));
    expect(outs.map((o) => o.length)).toEqual([1, 1, 1]);
    for (const [p] of outs) {
      const lag = (p as SandboxPost).createdAt.getTime() - minute.at.getTime();
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(3_000);
    }
    // The cancelled post's job ran (for its old schedule version) and sent nothing.
    await until(
      async () =>
        (
          await h.raw(
            sql`SELECT state FROM pgboss.job WHERE name = 'publishing.publish-post' AND data->>'postId' = ${cancelledId}`,
          )
        ).rows as { state: string }[],
      (rows) => rows.length === 1 && rows[0]?.state === "completed",
      10_000,
      "the cancelled post's job to finish",
    );
    expect(sandbox.requests.filter((r) => r.body.text === texts.cancelled)).toHaveLength(0);
    expect(onSandbox(texts.cancelled)).toHaveLength(0);
    expect((await alice.caller.publishing.posts.get({ postId: cancelledId })).post.status).toBe("cancelled");
    // Neither can be edited or cancelled now.
    await expectTrpcError(alice.caller.publishing.posts.update({ postId: cancelledId, parts: ["x"] }), "PRECONDITION_FAILED");
    await expectTrpcError(alice.caller.publishing.posts.cancel({ postId: rescheduledId }), "PRECONDITION_FAILED");
  }, 90_000);
});

describe("compose", () => {
  it("publishes a thread as a reply chain, each part once", async () => {
    const parts = [unique("1/3 A thread starts"), unique("2/3 It goes on"), unique("3/3 And ends")];
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceThreads, parts }],
      when: { kind: "now" },
      idempotencyKey: unique("thread"),
    });
    const { post, attempts } = await settled(alice, posts[0]?.id as string);
    expect(post.status).toBe("published");
    expect(attempts.map((a) => a.outcome)).toEqual(["partial", "partial", "published"]);
    const published = parts.map((text) => onSandbox(text));
    expect(published.map((p) => p.length)).toEqual([1, 1, 1]);
    expect(published[1]?.[0]?.replyToId).toBe(published[0]?.[0]?.id);
    expect(published[2]?.[0]?.replyToId).toBe(published[1]?.[0]?.id);
    expect(post.platformPostId).toBe(published[0]?.[0]?.id);
  });

  it("keeps drafts unpublished until asked, then publishes now", async () => {
    const text = unique("Draft for later");
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("draft"),
    });
    expect(posts[0]).toMatchObject({ status: "draft", scheduledAt: null });
    // A draft has no job at all (nothing could send it), until publish now.
    const jobs = async () =>
      (
        (
          await h.raw(
            sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'publishing.publish-post' AND data->>'postId' = ${posts[0]?.id as string}`,
          )
        ).rows[0] as { n: number }
      ).n;
    expect(await jobs()).toBe(0);
    await alice.caller.publishing.posts.publishNow({ postId: posts[0]?.id as string });
    expect(await jobs()).toBe(1);
    expect((await settled(alice, posts[0]?.id as string)).post.status).toBe("published");
    expect(onSandbox(text)).toHaveLength(1);
  });

  it("answers a repeated compose (same idempotency key) with the first group", async () => {
    const input = {
      channels: [{ connectionId: aliceX, parts: [unique("Once only")] }],
      when: { kind: "draft" as const },
      idempotencyKey: unique("repeat"),
    };
    const first = await alice.caller.publishing.posts.compose(input);
    const second = await alice.caller.publishing.posts.compose(input);
    expect(second.groupId).toBe(first.groupId);
    expect(second.posts.map((p) => p.id)).toEqual(first.posts.map((p) => p.id));
  });
});

describe("failures", () => {
  it("retries 429 and 5xx answers with backoff, logging each attempt, and publishes once", async () => {
    const text = unique("Through the storm");
    sandbox.failNext(1, { status: 429, retryAfterSeconds: 1, path: /\/2\/tweets$/ });
    sandbox.failNext(1, { status: 503, path: /\/2\/tweets$/ });
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "now" },
      idempotencyKey: unique("retry"),
    });
    const { post, attempts } = await settled(alice, posts[0]?.id as string);
    expect(post.status).toBe("published");
    expect(post.error).toBeNull();
    expect(attempts.map((a) => [a.outcome, a.statusCode, a.errorKind])).toEqual([
      ["retry", 429, "transient"],
      ["retry", 503, "transient"],
      ["published", null, null],
    ]);
    // Retry-After: 1 was honoured.
    const waited = Date.parse(attempts[1]?.startedAt as string) - Date.parse(attempts[0]?.startedAt as string);
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(onSandbox(text)).toHaveLength(1);
  });

  it("a 502/504 answer to a publish may have gone through: it is checked on the platform before being sent again", async () => {
    const text = unique("Gateway said no");
    sandbox.failNext(1, { status: 504, path: /\/2\/tweets$/ });
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "now" },
      idempotencyKey: unique("gateway"),
    });
    const { post, attempts } = await settled(alice, posts[0]?.id as string, ["published"]);
    expect(attempts.map((a) => [a.kind, a.outcome, a.statusCode])).toEqual([
      ["publish", "unknown", 504],
      ["reconcile", "not_found", null],
      ["publish", "published", null],
    ]);
    expect(onSandbox(text)).toHaveLength(1);
    expect(post.platformPostId).toBe(onSandbox(text)[0]?.id);
  });

  it("marks a permanent refusal failed with the platform's reason, and retry from the UI publishes it", async () => {
    const text = unique("Refused once");
    sandbox.failNext(1, { status: 403, message: "You are not permitted to post this content.", path: /\/rest\/posts$/ });
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceLinkedIn, parts: [text] }],
      when: { kind: "now" },
      idempotencyKey: unique("permanent"),
    });
    const postId = posts[0]?.id as string;
    const failed = await settled(alice, postId);
    expect(failed.post.status).toBe("failed");
    expect(failed.post.error).toBe("LinkedIn refused publishing the post: You are not permitted to post this content.");
    expect(failed.attempts).toHaveLength(1);
    expect(failed.attempts[0]).toMatchObject({ outcome: "failed", statusCode: 403, errorKind: "permanent" });
    expect(onSandbox(text)).toHaveLength(0);

    const retried = await alice.caller.publishing.posts.retry({ postId });
    expect(retried).toMatchObject({ status: "pending", error: null, attemptCount: 0 });
    expect((await settled(alice, postId)).post.status).toBe("published");
    expect(onSandbox(text)).toHaveLength(1);
  });

  it("a timeout after the request went out is `unknown`, reconciled with the platform, and never posted twice", async () => {
    const text = unique("Did it go out?");
    // The sandbox creates the post, then never answers.
    sandbox.timeoutNext(1, { path: /\/2\/tweets$/ });
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "now" },
      idempotencyKey: unique("unknown"),
    });
    const postId = posts[0]?.id as string;
    await until(
      () => alice.caller.publishing.posts.get({ postId }),
      (r) => r.attempts.some((a) => a.outcome === "unknown"),
      10_000,
      "the unknown outcome",
    );
    const { post, attempts } = await settled(alice, postId, ["published"]);
    expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([
      ["publish", "unknown"],
      ["reconcile", "found"],
    ]);
    expect(attempts[0]?.errorKind).toBe("unknown");
    const onPlatform = onSandbox(text);
    expect(onPlatform).toHaveLength(1);
    expect(post.platformPostId).toBe(onPlatform[0]?.id);
  });

  it("while the platform cannot even be checked, an unknown post stays unknown — nothing is sent again blindly", async () => {
    const text = unique("Still unsure");
    sandbox.timeoutNext(1, { path: /\/2\/tweets$/ });
    // The first look at the timeline fails too (503): the post must stay unknown, not be re-sent.
    sandbox.failNext(1, { status: 503, path: /\/2\/users\/[^/]+\/tweets$/ });
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "now" },
      idempotencyKey: unique("unsure"),
    });
    const { post, attempts } = await settled(alice, posts[0]?.id as string, ["published"], 20_000);
    expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([
      ["publish", "unknown"],
      ["reconcile", "unknown"],
      ["reconcile", "found"],
    ]);
    expect(attempts[1]?.statusCode).toBe(503);
    expect(onSandbox(text)).toHaveLength(1);
    expect(post.platformPostId).toBe(onSandbox(text)[0]?.id);
    const tweets = sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith("/2/tweets") && r.body.text === text);
    expect(tweets).toHaveLength(1);
  });

  it("a revoked token fails the post with a reconnect message and flags the connection", async () => {
    const carol = await h.signUp("carol");
    const carolX = await connect(carol, "x");
    const { accessToken } = (await connections.credentialsFor(
      { db: h.db, keyRing: h.deps.keyRing, publishing: h.deps.publishing },
      carolX,
    )) as { accessToken: string };
    sandbox.revoke(accessToken);
    const { posts } = await carol.caller.publishing.posts.compose({
      channels: [{ connectionId: carolX, parts: [unique("Will not go")] }],
      when: { kind: "now" },
      idempotencyKey: unique("auth"),
    });
    const { post, attempts } = await settled(carol, posts[0]?.id as string);
    expect(post.status).toBe("failed");
    expect(post.error).toMatch(/Reconnect X to keep publishing/);
    expect(attempts[0]).toMatchObject({ errorKind: "auth", statusCode: 401 });
    const [connection] = await carol.caller.publishing.connections.list();
    expect(connection?.status).toBe("needs_reauth");
  });
});

describe("exactly once", () => {
  it("three workers running the same job at once (two by hand, one through pg-boss) publish it once", async () => {
    const text = unique("Raced");
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("race"),
    });
    const postId = posts[0]?.id as string;
    await alice.caller.publishing.posts.publishNow({ postId });
    const { schedule_version: version } = await h.asSystem((tx) =>
      tx.selectFrom("scheduled_posts").select("schedule_version").where("id", "=", postId).executeTakeFirstOrThrow(),
    );
    // A second worker process: its own platform runtime, so its own batchers and request slots.
    const other: PublisherDeps = { ...publisher, publishing: sandboxPublishingRuntime(sandbox.url, null, 1_000) };
    const outcomes = await Promise.all([
      runPublishJob(publisher, { postId, version }),
      runPublishJob(other, { postId, version }),
    ]);
    const { post, attempts } = await settled(alice, postId);
    expect(post.status).toBe("published");
    expect(outcomes.filter((o) => o === "published").length).toBeLessThanOrEqual(1);
    expect(attempts.filter((a) => a.outcome === "published")).toHaveLength(1);
    expect(onSandbox(text)).toHaveLength(1);
    // One request, not one per worker answered from the idempotency key (a platform without such
    // keys would have posted each).
    const tweets = sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith("/2/tweets") && r.body.text === text);
    expect(tweets).toHaveLength(1);
  });

  it("two copies of one job fetched in the same batch by one worker claim the post once: one platform request", async () => {
    const text = unique("Twin jobs");
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("twins"),
    });
    const postId = posts[0]?.id as string;
    // Due now, with no queued job: only the two runs below (one process, so one claim batch) run it.
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({ status: "pending", scheduled_at: new Date(), schedule_version: 11 })
        .where("id", "=", postId)
        .execute(),
    );
    const outcomes = await Promise.all([
      runPublishJob(publisher, { postId, version: 11 }),
      runPublishJob(publisher, { postId, version: 11 }),
    ]);
    expect(outcomes.filter((o) => o === "published")).toHaveLength(1);
    const tweets = sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith("/2/tweets") && r.body.text === text);
    expect(tweets).toHaveLength(1);
    const { post, attempts } = await alice.caller.publishing.posts.get({ postId });
    expect(post.status).toBe("published");
    expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([["publish", "published"]]);
  });

  it("a worker that died mid-publish (claim left behind) is taken over after its lease, reconciled, not repeated", async () => {
    const text = unique("Orphaned");
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("orphan"),
    });
    const postId = posts[0]?.id as string;
    // What a killed worker leaves: the post claimed and already on the platform, the answer never saved.
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({
          status: "publishing",
          scheduled_at: new Date(),
          claim_token: crypto.randomUUID(),
          claimed_at: new Date(Date.now() - 60_000),
        })
        .where("id", "=", postId)
        .execute(),
    );
    const { credentials } = await connections.credentialsFor(
      { db: h.db, keyRing: h.deps.keyRing, publishing: h.deps.publishing },
      aliceX,
    );
    await h.deps.publishing.adapters.x.publish({ parts: [text], idempotencyKey: `inkwell-post-${postId}` }, credentials as never);
    expect(onSandbox(text)).toHaveLength(1);
    expect(await runPublishJob(publisher, { postId, version: 0 })).toBe("published");
    const { post, attempts } = await alice.caller.publishing.posts.get({ postId });
    expect(post.status).toBe("published");
    expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([["reconcile", "found"]]);
    expect(post.platformPostId).toBe(onSandbox(text)[0]?.id);
    expect(onSandbox(text)).toHaveLength(1);
  });

  it("a worker whose lease ran out before it reached the platform sends nothing; the worker that took over publishes once", async () => {
    const erin = await h.signUp("erin");
    const erinX = await connect(erin, "x");
    const text = unique("Overtaken");
    const { posts } = await erin.caller.publishing.posts.compose({
      channels: [{ connectionId: erinX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("overtaken"),
    });
    const postId = posts[0]?.id as string;
    // The sign-in is near expiry and another process holds its refresh lease: the worker waits for it.
    await h.asSystem((tx) =>
      tx
        .updateTable("social_connections")
        .set({
          access_expires_at: new Date(Date.now() + 60_000),
          refresh_lease_id: crypto.randomUUID(),
          refresh_lease_until: new Date(Date.now() + 120_000),
        })
        .where("id", "=", erinX)
        .execute(),
    );
    // Due now, with no queued job: only the workers below run it.
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({ status: "pending", scheduled_at: new Date(), schedule_version: 9 })
        .where("id", "=", postId)
        .execute(),
    );
    const first = runPublishJob(publisher, { postId, version: 9 });
    // Another worker takes the post over the moment the first claim's lease has run out (the
    // condition claimUncertain uses), and is itself still at work.
    const leaseSeconds = claimLeaseMsOf(publisher) / 1000;
    await until(
      () =>
        h.asSystem((tx) =>
          tx
            .updateTable("scheduled_posts")
            .set({ claim_token: crypto.randomUUID(), claimed_at: sql<Date>`clock_timestamp()` })
            .where("id", "=", postId)
            .where("status", "=", "publishing")
            .where("claimed_at", "<", sql<Date>`clock_timestamp() - make_interval(secs => ${leaseSeconds})`)
            .executeTakeFirst(),
        ),
      (r) => Number(r.numUpdatedRows) === 1,
      20_000,
      "the first claim's lease to run out",
    );
    // The renewal finishes; the first worker may now go on, but the post is no longer its.
    await h.asSystem((tx) =>
      tx
        .updateTable("social_connections")
        .set({ access_expires_at: new Date(Date.now() + 3_600_000), refresh_lease_id: null, refresh_lease_until: null })
        .where("id", "=", erinX)
        .execute(),
    );
    expect(await first).toBe("lost");
    const tweets = () =>
      sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith("/2/tweets") && r.body.text === text);
    expect(tweets()).toHaveLength(0);

    // The worker that took over dies too; the next one reconciles (nothing there) and publishes once.
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({ claimed_at: new Date(Date.now() - 60_000) })
        .where("id", "=", postId)
        .execute(),
    );
    const other: PublisherDeps = { ...publisher, publishing: sandboxPublishingRuntime(sandbox.url, null, 1_000) };
    expect(await runPublishJob(other, { postId, version: 9 })).toBe("published");
    const { attempts } = await erin.caller.publishing.posts.get({ postId });
    expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([
      ["reconcile", "not_found"],
      ["publish", "published"],
    ]);
    expect(tweets()).toHaveLength(1);
    expect(onSandbox(text)).toHaveLength(1);
  }, 30_000);

  it("an uncertain post whose account must be reconnected stays unknown (not failed, so no retry re-sends it) until it can be checked", async () => {
    const dave = await h.signUp("dave");
    const daveX = await connect(dave, "x");
    const text = unique("Unsure signed out");
    const { posts } = await dave.caller.publishing.posts.compose({
      channels: [{ connectionId: daveX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("unsure-auth"),
    });
    const postId = posts[0]?.id as string;
    // A worker died mid-publish: the post is on the platform, its answer never saved.
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({
          status: "publishing",
          scheduled_at: new Date(),
          claim_token: crypto.randomUUID(),
          claimed_at: new Date(Date.now() - 60_000),
        })
        .where("id", "=", postId)
        .execute(),
    );
    const { credentials } = await connections.credentialsFor(
      { db: h.db, keyRing: h.deps.keyRing, publishing: h.deps.publishing },
      daveX,
    );
    await h.deps.publishing.adapters.x.publish({ parts: [text], idempotencyKey: `inkwell-post-${postId}` }, credentials as never);
    // Meanwhile the sign-in stopped working: the connection waits for a reconnect.
    const reauth = (status: "active" | "needs_reauth") =>
      h.asSystem((tx) =>
        tx
          .updateTable("social_connections")
          .set({ status, last_error: status === "active" ? null : "the sign-in was revoked" })
          .where("id", "=", daveX)
          .execute(),
      );
    await reauth("needs_reauth");
    expect(await runPublishJob(publisher, { postId, version: 0 })).toBe("unknown");
    const unsure = await dave.caller.publishing.posts.get({ postId });
    expect(unsure.post.status).toBe("unknown");
    expect(unsure.post.error).toMatch(/could not yet check X.*reconnected/);
    expect(unsure.attempts.map((a) => [a.kind, a.outcome])).toEqual([["reconcile", "unknown"]]);
    await expectTrpcError(dave.caller.publishing.posts.retry({ postId }), "PRECONDITION_FAILED");

    // Reconnected: the next look finds the post; it is never sent again.
    await reauth("active");
    const { post, attempts } = await settled(dave, postId, ["published"]);
    expect(attempts.at(-1)).toMatchObject({ kind: "reconcile", outcome: "found" });
    expect(attempts.some((a) => a.kind === "publish")).toBe(false);
    const onPlatform = onSandbox(text);
    expect(onPlatform).toHaveLength(1);
    expect(post.platformPostId).toBe(onPlatform[0]?.id);
    const tweets = sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith("/2/tweets") && r.body.text === text);
    expect(tweets).toHaveLength(1);
  }, 30_000);
});

describe("the sweeper", () => {
  it("re-enqueues a pending post whose time passed without a job, and it goes out once", async () => {
    const text = unique("Stranded");
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("stranded"),
    });
    const postId = posts[0]?.id as string;
    // A pending post two minutes overdue with no job for its version (as if the job were lost).
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({ status: "pending", scheduled_at: new Date(Date.now() - 120_000), schedule_version: 7 })
        .where("id", "=", postId)
        .execute(),
    );
    expect(await sweepStranded(publisher)).toBeGreaterThanOrEqual(1);
    // Sweeping again while that job waits adds nothing new (one queued job per post and version).
    await sweepStranded(publisher);
    const { post, attempts } = await settled(alice, postId);
    expect(post.status).toBe("published");
    expect(attempts).toHaveLength(1);
    expect(onSandbox(text)).toHaveLength(1);
  });
});

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
