/**
 * Exactly once when claims race: the publish job run by hand, as several workers would run it at
 * once or after one died, against the real database and the sandbox platform. No queue worker here
 * (see publishing-kit.ts): each case makes its post due with no queued job, so only its runs touch it.
 */
import { sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import { type Clock, claimLeaseMsOf, type PublisherDeps, runPublishJob } from "@inkwell/domain/posts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Publishing, startPublishing, type User, unique } from "./publishing-kit.ts";

let h: Publishing["h"];
let sandbox: Publishing["sandbox"];
let publisher: PublisherDeps;
let connect: Publishing["connect"];
let orphanedOnX: Publishing["orphanedOnX"];
let onSandbox: Publishing["onSandbox"];
let tweetsOf: Publishing["tweetsOf"];
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ h, sandbox, publisher, connect, orphanedOnX, onSandbox, tweetsOf, stop } = await startPublishing({ worker: false }));
}, 60_000);
afterAll(() => stop());

let alice: User;
let aliceX: string;

beforeAll(async () => {
  alice = await h.signUp("alice");
  aliceX = await connect(alice, "x");
}, 60_000);

describe("exactly once", () => {
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
    const tweets = tweetsOf(text);
    expect(tweets).toHaveLength(1);
    const { post, attempts } = await alice.caller.publishing.posts.get({ postId });
    expect(post.status).toBe("published");
    expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([["publish", "published"]]);
  });

  it("a worker that died mid-publish (claim left behind) is taken over after its lease, reconciled, not repeated", async () => {
    const text = unique("Orphaned");
    const postId = await orphanedOnX(alice, aliceX, text);
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
    await vi.waitFor(
      async () => {
        const taken = await h.asSystem((tx) =>
          tx
            .updateTable("scheduled_posts")
            .set({ claim_token: crypto.randomUUID(), claimed_at: sql<Date>`clock_timestamp()` })
            .where("id", "=", postId)
            .where("status", "=", "publishing")
            .where("claimed_at", "<", sql<Date>`clock_timestamp() - make_interval(secs => ${leaseSeconds})`)
            .executeTakeFirst(),
        );
        expect(Number(taken.numUpdatedRows), "the first claim's lease to run out").toBe(1);
      },
      { timeout: 20_000, interval: 50 },
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
    const tweets = () => tweetsOf(text);
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
});

describe("the publisher's clock", () => {
  it("a job that arrives before the due instant claims the post, then waits for the instant on the clock before sending", async () => {
    const text = unique("On its time");
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: aliceX, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("clock"),
    });
    const postId = posts[0]?.id as string;
    // Due in 8 s (within the early claim's 10 s), with no queued job: only the run below touches it.
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({ status: "pending", scheduled_at: sql<Date>`clock_timestamp() + interval '8 seconds'`, schedule_version: 13 })
        .where("id", "=", postId)
        .execute(),
    );
    // A clock the test drives: the wait is recorded and over at once, so nothing sleeps 8 s.
    const waits: { until: Date; sentBefore: number; status: string }[] = [];
    const clock: Clock = {
      now: () => new Date(),
      async sleepUntil(until) {
        const { post } = await alice.caller.publishing.posts.get({ postId });
        waits.push({ until, sentBefore: tweetsOf(text).length, status: post.status });
      },
    };
    expect(await runPublishJob({ ...publisher, clock }, { postId, version: 13 })).toBe("published");
    const { post } = await alice.caller.publishing.posts.get({ postId });
    // It waited once, for the post's instant, holding the claim and with nothing sent yet.
    expect(waits).toEqual([{ until: new Date(post.scheduledAt as string), sentBefore: 0, status: "publishing" }]);
    expect(post.status).toBe("published");
    expect(tweetsOf(text)).toHaveLength(1);
  });
  it("a Threads post claimed early has its container made while it waits: at the instant only the publish goes out", async () => {
    const threads = await connect(alice, "threads");
    const text = unique("Prepared ahead");
    const { posts } = await alice.caller.publishing.posts.compose({
      channels: [{ connectionId: threads, parts: [text] }],
      when: { kind: "draft" },
      idempotencyKey: unique("prepared"),
    });
    const postId = posts[0]?.id as string;
    await h.asSystem((tx) =>
      tx
        .updateTable("scheduled_posts")
        .set({ status: "pending", scheduled_at: sql<Date>`clock_timestamp() + interval '8 seconds'`, schedule_version: 14 })
        .where("id", "=", postId)
        .execute(),
    );
    const forThisPost = () =>
      sandbox.requests
        .filter(
          (r) =>
            r.method === "POST" &&
            (r.body.text === text ||
              (r.path.endsWith("threads_publish") && r.headers["idempotency-key"] === `inkwell-post-${postId}#0`)),
        )
        .map((r) => r.path.split("/").at(-1));
    const atTheInstant: (string | undefined)[][] = [];
    const clock: Clock = {
      now: () => new Date(),
      async sleepUntil() {
        atTheInstant.push(forThisPost());
      },
    };
    expect(await runPublishJob({ ...publisher, clock }, { postId, version: 14 })).toBe("published");
    // While it waited, the container was made and nothing published; after the instant, one publish.
    expect(atTheInstant).toEqual([["threads"]]);
    expect(forThisPost()).toEqual(["threads", "threads_publish"]);
    expect(onSandbox(text)).toHaveLength(1);
  });
});
