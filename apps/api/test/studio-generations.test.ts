/**
 * Image generations end to end on a real Postgres, against the local image API (a real HTTP server
 * with the Higgsfield-style submit/poll protocol): the lifecycle to completed with the hold captured
 * once and the images stored as the user's files; failures, NSFW, slow jobs and lost answers injected;
 * a duplicate delivery of the completing poll; cancel (and the job stopped at the API, best effort); the
 * give-up deadline; a user's own image key used for submit and poll at no cost; the signed webhook; every
 * procedure and the watch subscription as another user. The worker's jobs are run here by calling their handlers' functions with the
 * payloads the queue carries (the queues are shared with other test files, so no pg-boss worker runs).
 */
process.env.IMAGE_WEBHOOK_SECRET = "whsec-test-generations";

import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { asUser } from "@inkwell/db";
import { createAiProvider } from "@inkwell/domain/ai";
import { type ImageApiSandbox, startImageApiSandbox } from "@inkwell/domain/ai/testing";
import { insertFixtureConnection } from "@inkwell/domain/connections/testing";
import { identity } from "@inkwell/domain/identity";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { type GenerationStatus, generations, signImageWebhook } from "@inkwell/domain/studio";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_WATCHES_PER_USER } from "../src/routers/studio-generations.router.ts";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let images: ImageApiSandbox;
let ai: ReturnType<typeof createAiProvider>;
/** The same server's image API with no retries: a dropped answer fails the submit (a crash stand-in). */
let noRetryAi: ReturnType<typeof createAiProvider>;
let alice: User;
let bob: User;
const USER_KEY = "sk-user-own-image";
const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };
const settings = { width: 512, height: 512 };

beforeAll(async () => {
  images = await startImageApiSandbox({ apiKey: "sk-server-image", pollsToComplete: 2 });
  images.addKey(USER_KEY);
  const make = (maxRetries: number) =>
    createAiProvider({
      provider: "openai",
      openai: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "unused" },
      imageApi: { baseUrl: images.url, apiKey: images.apiKey, maxRetries, timeoutMs: 5_000 },
    });
  ai = make(2);
  noRetryAi = make(0);
  h = await startHarness({ ai });
  identity.bindSavedAiConnections(ai, h.db, h.deps.keyRing);
  identity.bindSavedAiConnections(noRetryAi, h.db, h.deps.keyRing);
  [alice, bob] = (await Promise.all([h.signUp("gen-alice"), h.signUp("gen-bob")])) as [User, User];
});

// A fresh Alice per test: starting generations is rate limited per user (10 a minute).
beforeEach(async () => {
  alice = await h.signUp("gen-alice");
});

afterAll(async () => {
  await closeUntrustedPool();
  await images.stop();
  await h.stop();
});

const worker = (over: Partial<Parameters<typeof generations.runPoll>[0]> = {}) => ({
  db: h.db,
  ai,
  enqueue: h.deps.enqueue,
  storage: h.deps.storage,
  log,
  firstPollMs: 10,
  ...over,
});

const available = async (u: User) => (await u.caller.credits.balance()).available;

async function row(id: string) {
  const { rows } = await sql<{
    status: GenerationStatus;
    provider_job_id: string | null;
    hold_id: string | null;
    submit_key: string;
    poll_attempts: number;
  }>`SELECT status, provider_job_id, hold_id, submit_key, poll_attempts FROM image_generations WHERE id = ${id}`.execute(h.db);
  return rows[0];
}

async function holdOf(id: string) {
  const { rows } = await sql<{ status: string; captured: number | null; captures: number }>`
    SELECT h.status, h.captured,
           (SELECT count(*)::int FROM credit_ledger l WHERE l.hold_id = h.id AND l.entry_type = 'capture') AS captures
      FROM credit_holds h JOIN image_generations g ON g.hold_id = h.id WHERE g.id = ${id}`.execute(h.db);
  return rows[0];
}

/** Runs the submit job, then polls (as the queue would, each with the attempt it expects) until it settles. */
async function drive(u: User, id: string, deps = worker(), maxPolls = 40) {
  await generations.runSubmit(deps, { userId: u.me.id, generationId: id });
  for (let i = 0; i < maxPolls; i++) {
    const r = await row(id);
    if (!r || !["queued", "in_progress"].includes(r.status)) return r;
    await generations.runPoll(deps, { userId: u.me.id, generationId: id, attempt: r.poll_attempts });
  }
  return row(id);
}

describe("a generation's life", () => {
  it("completes: submitted with its submit_key, polled, the image stored as the user's file, the hold captured once", async () => {
    const before = await available(alice);
    const g = await alice.caller.studio.generations.create({ promptText: "a lighthouse at dusk", settings });
    expect(g).toMatchObject({ status: "pending", provider: "image-api", offline: false, results: [] });
    // The hold is taken at once (40 credits) and the submit job is queued in the same transaction.
    expect(await available(alice)).toBe(before - 40);
    const { rows: jobs } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'studio.submit-generation' AND data->>'generationId' = ${g.id}`.execute(
      h.db,
    );
    expect(jobs[0]?.n).toBe(1);

    const done = await drive(alice, g.id);
    expect(done?.status).toBe("completed");
    const job = images.job(done?.provider_job_id as string);
    expect(job?.idempotencyKey).toBe(done?.submit_key);
    expect(await holdOf(g.id)).toMatchObject({ status: "captured", captured: 40, captures: 1 });
    expect(await available(alice)).toBe(before - 40);

    const got = await alice.caller.studio.generations.get({ generationId: g.id });
    expect(got.status).toBe("completed");
    expect(got.results).toHaveLength(1);
    const res = await h.app.request(`http://app.test${got.results[0]?.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    const { rows: filesRows } = await sql<{ user_id: string; purpose: string }>`
      SELECT user_id, purpose FROM stored_files WHERE id = ${got.results[0]?.fileId}`.execute(h.db);
    expect(filesRows[0]).toEqual({ user_id: alice.me.id, purpose: "studio_generation" });

    // The settled row is left alone by any later delivery.
    expect(await generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id })).toBe("not-polling");
    expect(await generations.runSubmit(worker(), { userId: alice.me.id, generationId: g.id })).toBe("not-in-flight");
    expect((await holdOf(g.id))?.captures).toBe(1);
  });

  it("a completing poll delivered twice at once stores one set of images and captures once", async () => {
    const g = await alice.caller.studio.generations.create({ promptText: "two deliveries", settings });
    await generations.runSubmit(worker(), { userId: alice.me.id, generationId: g.id });
    // Poll up to the last step before completion, then deliver the completing poll twice concurrently.
    const r = await row(g.id);
    await generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id, attempt: r?.poll_attempts });
    const outcomes = await Promise.all([
      generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id }),
      generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id }),
    ]);
    expect(outcomes.filter((o) => o === "completed")).toHaveLength(1);
    expect((await row(g.id))?.status).toBe("completed");
    expect(await holdOf(g.id)).toMatchObject({ status: "captured", captures: 1 });
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM stored_files WHERE user_id = ${alice.me.id} AND purpose = 'studio_generation'
         AND filename LIKE ${`generation-${g.id.slice(0, 8)}%`}`.execute(h.db);
    expect(rows[0]?.n).toBe(1);
  });

  it("failed and NSFW answers release the hold and keep the provider's message", async () => {
    const before = await available(alice);
    images.injectNext({ outcome: "failed" });
    const failed = await alice.caller.studio.generations.create({ promptText: "this one fails", settings });
    images.injectNext({ outcome: "nsfw" });
    const nsfw = await alice.caller.studio.generations.create({ promptText: "this one is flagged", settings });
    expect(await available(alice)).toBe(before - 80);
    expect((await drive(alice, failed.id))?.status).toBe("failed");
    expect((await drive(alice, nsfw.id))?.status).toBe("nsfw");
    expect((await holdOf(failed.id))?.status).toBe("released");
    expect((await holdOf(nsfw.id))?.status).toBe("released");
    expect(await available(alice)).toBe(before);
    const got = await alice.caller.studio.generations.get({ generationId: nsfw.id });
    expect(got.errorMessage).toMatch(/NSFW/);
    expect(got.results).toEqual([]);
  });

  it("a slow job is polled with growing gaps until it finishes", async () => {
    // Three seconds: enough polls to see the gaps grow even when each poll is slow (at 400 ms a loaded
    // machine's first two polls took it all).
    images.injectNext({ completeAfterMs: 3_000 });
    const g = await alice.caller.studio.generations.create({ promptText: "a slow sunrise", settings });
    await generations.runSubmit(worker(), { userId: alice.me.id, generationId: g.id });
    const gaps: number[] = [];
    for (let i = 0; i < 30; i++) {
      const before = await sql<{ next_poll_at: Date | null; status: string; poll_attempts: number }>`
        SELECT next_poll_at, status, poll_attempts FROM image_generations WHERE id = ${g.id}`.execute(h.db);
      const r = before.rows[0];
      if (!r || r.status === "completed") break;
      const wait = Math.max(0, (r.next_poll_at?.getTime() ?? Date.now()) - Date.now());
      gaps.push(wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
      await generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id, attempt: r.poll_attempts });
    }
    expect((await row(g.id))?.status).toBe("completed");
    expect(gaps.length).toBeGreaterThan(2);
    // 10, 20, 40, 80 … ms: each wait longer than the one before (first poll aside).
    expect(gaps.at(-1) as number).toBeGreaterThan(gaps[1] as number);
    expect(generations.backoffMs(10)).toBe(60_000);
    expect((await holdOf(g.id))?.captures).toBe(1);
  });

  it("an answer lost after the API accepted the job: submitted again with the same key, one job at the API", async () => {
    const jobsBefore = images.jobCount();
    images.injectNext({ dropAnswer: true });
    const g = await alice.caller.studio.generations.create({ promptText: "the lost answer", settings });
    // The worker dies with the call (no retries here): the row stays `submitting`, its id unknown.
    await expect(generations.runSubmit(worker({ ai: noRetryAi }), { userId: alice.me.id, generationId: g.id })).rejects.toThrow();
    expect((await row(g.id))?.status).toBe("submitting");
    expect(images.jobCount()).toBe(jobsBefore + 1);
    // The job's retry (or the sweep) submits again: the same submit_key answers the same job.
    const done = await drive(alice, g.id);
    expect(done?.status).toBe("completed");
    expect(images.jobCount()).toBe(jobsBefore + 1);
    expect((await holdOf(g.id))?.captures).toBe(1);
  });

  it("the sweep re-drives a row whose job was lost", async () => {
    const g = await alice.caller.studio.generations.create({ promptText: "a lost job", settings });
    await h.raw(sql`UPDATE image_generations SET next_poll_at = now() - interval '5 minutes' WHERE id = ${g.id}`);
    const swept = await generations.sweep({ db: h.db, enqueue: h.deps.enqueue });
    expect(swept.redriven).toBeGreaterThanOrEqual(1);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'studio.submit-generation' AND data->>'generationId' = ${g.id}`.execute(
      h.db,
    );
    expect(rows[0]?.n).toBe(2);
    expect((await drive(alice, g.id))?.status).toBe("completed");
  });

  it("gives up after the deadline: failed, nothing charged", async () => {
    const before = await available(alice);
    const g = await alice.caller.studio.generations.create({ promptText: "never finishes", settings });
    await generations.runSubmit(worker(), { userId: alice.me.id, generationId: g.id });
    const later = worker({ now: () => Date.now() + generations.GIVE_UP_MS + 1_000 });
    expect(await generations.runPoll(later, { userId: alice.me.id, generationId: g.id })).toBe("gave-up");
    expect((await row(g.id))?.status).toBe("failed");
    expect(await available(alice)).toBe(before);
  });

  it("cancel releases the hold, and the worker never moves a cancelled row", async () => {
    const before = await available(alice);
    const g = await alice.caller.studio.generations.create({ promptText: "changed my mind", settings });
    await generations.runSubmit(worker(), { userId: alice.me.id, generationId: g.id });
    const cancelled = await alice.caller.studio.generations.cancel({ generationId: g.id });
    expect(cancelled.status).toBe("cancelled");
    expect(await available(alice)).toBe(before);
    for (let i = 0; i < 3; i++) await generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id });
    expect((await row(g.id))?.status).toBe("cancelled");
    expect((await holdOf(g.id))?.status).toBe("released");
    // The job is stopped at the image API too, by a job the cancel enqueued (asking twice stops nothing more).
    const { rows: stops } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'studio.cancel-generation' AND data->>'generationId' = ${g.id}`.execute(
      h.db,
    );
    expect(stops[0]?.n).toBe(1);
    const target = { userId: alice.me.id, generationId: g.id };
    expect(await generations.runCancelAtProvider(worker(), target)).toBe("stopped");
    expect(await generations.runCancelAtProvider(worker(), target)).toBe("finished-there");
    expect(images.job((await row(g.id))?.provider_job_id as string)?.cancels).toBe(1);
    // Cancelling again answers the same; a finished one cannot be cancelled.
    expect((await alice.caller.studio.generations.cancel({ generationId: g.id })).status).toBe("cancelled");
    const done = await alice.caller.studio.generations.create({ promptText: "finished already", settings });
    await drive(alice, done.id);
    await expectTrpcError(alice.caller.studio.generations.cancel({ generationId: done.id }), "PRECONDITION_FAILED");
  });

  it("cancel is ours whatever the image API answers: a failed stop there still cancels, the hold released once", async () => {
    const before = await available(alice);
    const g = await alice.caller.studio.generations.create({ promptText: "the API is down for cancels", settings });
    await generations.runSubmit(worker(), { userId: alice.me.id, generationId: g.id });
    images.failCancels(10);
    try {
      await alice.caller.studio.generations.cancel({ generationId: g.id });
      // The job's run fails (the queue retries it a few times, then gives up); nothing of ours moves.
      await expect(generations.runCancelAtProvider(worker(), { userId: alice.me.id, generationId: g.id })).rejects.toThrow();
    } finally {
      images.failCancels(0);
    }
    expect((await row(g.id))?.status).toBe("cancelled");
    expect((await holdOf(g.id))?.status).toBe("released");
    const { rows: releases } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM credit_ledger l JOIN image_generations g ON g.hold_id = l.hold_id
       WHERE g.id = ${g.id} AND l.entry_type = 'release'`.execute(h.db);
    expect(releases[0]?.n).toBe(1);
    expect(await available(alice)).toBe(before);

    // Cancelled while the API is still answering the submit: the submit stops the job it was given.
    images.injectNext({ answerAfterMs: 3_000 });
    const late = await alice.caller.studio.generations.create({ promptText: "cancelled mid-submit", settings });
    const jobsBefore = images.jobCount();
    const submitting = generations.runSubmit(worker(), { userId: alice.me.id, generationId: late.id });
    await expect.poll(() => images.jobCount(), { timeout: 2_500, interval: 20 }).toBe(jobsBefore + 1);
    await alice.caller.studio.generations.cancel({ generationId: late.id });
    expect(await submitting).toBe("settled-meanwhile");
    expect(images.job(`gen-${jobsBefore + 1}`)?.cancels).toBe(1);
    expect((await row(late.id))?.status).toBe("cancelled");
    expect(await available(alice)).toBe(before);
  });

  it("a submit delivered twice (the sweep re-drives a slow one) never stops the job the other recorded", async () => {
    const before = await available(alice);
    images.injectNext({ answerAfterMs: 1_500 });
    const g = await alice.caller.studio.generations.create({ promptText: "submitted twice", settings });
    const jobsBefore = images.jobCount();
    const target = { userId: alice.me.id, generationId: g.id };
    // The first delivery waits for a slow answer; the second (same submit_key) is answered the same job at once.
    const slow = generations.runSubmit(worker(), target);
    await expect.poll(() => images.jobCount(), { timeout: 1_400, interval: 20 }).toBe(jobsBefore + 1);
    expect(await generations.runSubmit(worker(), target)).toBe("submitted");
    expect(await slow).toBe("settled-meanwhile");
    const jobId = `gen-${jobsBefore + 1}`;
    expect(images.job(jobId)?.cancels).toBe(0);
    expect(await row(g.id)).toMatchObject({ status: "queued", provider_job_id: jobId });
    const done = await drive(alice, g.id);
    expect(done?.status).toBe("completed");
    expect(await holdOf(g.id)).toMatchObject({ status: "captured", captured: 40, captures: 1 });
    expect(await available(alice)).toBe(before - 40);
  });

  it("a result URL off the image API's own origin on a private address is not fetched: failed, nothing charged", async () => {
    // The API is configured as localhost; its answers point at 127.0.0.1 (another origin, a private address),
    // as a provider's result URL could point at the metadata service or the database.
    const viaName = createAiProvider({
      provider: "openai",
      openai: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "unused" },
      imageApi: { baseUrl: images.url.replace("127.0.0.1", "localhost"), apiKey: images.apiKey, timeoutMs: 5_000 },
    });
    const before = await available(alice);
    const fetched = () => images.requests.filter((r) => r.path.startsWith("/files/")).length;
    const filesBefore = fetched();
    const g = await alice.caller.studio.generations.create({ promptText: "a result on a private address", settings });
    const done = await drive(alice, g.id, worker({ ai: viaName }));
    expect(done?.status).toBe("failed");
    expect(fetched()).toBe(filesBefore);
    expect((await alice.caller.studio.generations.get({ generationId: g.id })).errorMessage).toMatch(/private network/);
    expect((await holdOf(g.id))?.status).toBe("released");
    expect(await available(alice)).toBe(before);
  });

  it("a result larger than the cap fails the generation at once (fetched once, not at every poll until the deadline)", async () => {
    // An image API (its own origin, so reachable) whose one result is 21 MB, sent without a length.
    let bigFetches = 0;
    const api = createServer((req, res) => {
      if (req.method === "POST") return void res.writeHead(200, { "content-type": "application/json" }).end('{"id":"big-1"}');
      if (req.url?.startsWith("/v1/generations/")) {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ status: "completed", result_urls: [`${base}/big.png`] }));
      }
      bigFetches++;
      res.writeHead(200, { "content-type": "image/png" });
      const chunk = Buffer.alloc(1024 * 1024, 1);
      let sent = 0;
      const more = () => {
        while (sent < 21 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const bigAi = createAiProvider({
        provider: "openai",
        openai: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "unused" },
        imageApi: { baseUrl: base, apiKey: "k", timeoutMs: 5_000, maxRetries: 0 },
      });
      const before = await available(alice);
      const g = await alice.caller.studio.generations.create({ promptText: "an enormous image", settings });
      const done = await drive(alice, g.id, worker({ ai: bigAi }), 5);
      expect(done?.status).toBe("failed");
      expect(bigFetches).toBe(1);
      expect((await alice.caller.studio.generations.get({ generationId: g.id })).errorMessage).toMatch(/larger than 20 MB/);
      expect(await available(alice)).toBe(before);
    } finally {
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it("the placeholder renderer's images are labelled offline", async () => {
    const offline = await startHarness();
    try {
      const u = await offline.signUp("gen-offline");
      const g = await u.caller.studio.generations.create({ promptText: "a placeholder", settings });
      expect(g).toMatchObject({ provider: "offline", offline: true });
      await generations.runSubmit({ ...worker(), db: offline.db, ai: offline.deps.ai }, { userId: u.me.id, generationId: g.id });
      await generations.runPoll(
        { ...worker(), db: offline.db, ai: offline.deps.ai, storage: offline.deps.storage },
        {
          userId: u.me.id,
          generationId: g.id,
        },
      );
      const got = await u.caller.studio.generations.get({ generationId: g.id });
      expect(got).toMatchObject({ status: "completed", offline: true });
      expect(got.results).toHaveLength(1);
    } finally {
      await offline.stop();
    }
  });
});

describe("a user's own image key", () => {
  it("submits and polls with their key and holds no credits", async () => {
    const carol = await h.signUp("gen-carol");
    await carol.caller.apiKeys.save({ service: "higgsfield", key: USER_KEY });
    const before = await available(carol);
    const from = images.requests.length;
    const g = await carol.caller.studio.generations.create({ promptText: "my own key", settings });
    expect(g.provider).toBe("own-key");
    expect((await row(g.id))?.hold_id).toBeNull();
    expect((await drive(carol, g.id))?.status).toBe("completed");
    const keys = new Set(
      images.requests
        .slice(from)
        .filter((r) => r.path.startsWith("/v1/"))
        .map((r) => r.headers.authorization),
    );
    expect([...keys]).toEqual([`Bearer ${USER_KEY}`]);
    expect(await available(carol)).toBe(before);
  });
});

describe("using a result", () => {
  it("saves it as an asset once, and makes a draft post with it attached", async () => {
    const g = await alice.caller.studio.generations.create({ promptText: "for the feed", settings });
    await drive(alice, g.id);
    const saved = await alice.caller.studio.generations.saveAsAsset({ generationId: g.id, index: 0 });
    expect(await alice.caller.studio.generations.saveAsAsset({ generationId: g.id, index: 0 })).toEqual(saved);
    const got = await alice.caller.studio.generations.get({ generationId: g.id });
    expect(got.results[0]?.assetId).toBe(saved.assetId);
    const { rows } = await sql<{ source: string; user_id: string }>`
      SELECT source, user_id FROM studio_assets WHERE id = ${saved.assetId}`.execute(h.db);
    expect(rows[0]).toEqual({ source: "generation", user_id: alice.me.id });
    await expectTrpcError(alice.caller.studio.generations.saveAsAsset({ generationId: g.id, index: 3 }), "NOT_FOUND");

    // No connected account yet: said plainly.
    await expectTrpcError(alice.caller.studio.generations.toPost({ generationId: g.id, index: 0 }), "PRECONDITION_FAILED");
    await asUser(h.db, alice.me.id, (tx) => insertFixtureConnection(tx, alice.me.id));
    const made = await alice.caller.studio.generations.toPost({ generationId: g.id, index: 0 });
    const post = await alice.caller.publishing.posts.get({ postId: made.postId });
    expect(post.post).toMatchObject({ status: "draft", mediaFileIds: [got.results[0]?.fileId] });
  });
});

describe("saving a result twice at once", () => {
  it("makes one asset (a double click, two tabs)", async () => {
    const g = await alice.caller.studio.generations.create({ promptText: "saved twice at once", settings });
    await drive(alice, g.id);
    const input = { generationId: g.id, index: 0 };
    const [a, b] = await Promise.all([
      alice.caller.studio.generations.saveAsAsset(input),
      alice.caller.studio.generations.saveAsAsset(input),
    ]);
    expect(a).toEqual(b);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM studio_assets WHERE user_id = ${alice.me.id} AND metadata->>'generationId' = ${g.id}`.execute(
      h.db,
    );
    expect(rows[0]?.n).toBe(1);
    expect((await alice.caller.studio.generations.get({ generationId: g.id })).results[0]?.assetId).toBe(a.assetId);
  });
});

describe("the webhook", () => {
  const post = (body: string, signature?: string) =>
    h.app.request("http://app.test/webhooks/image-api", {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "x-image-signature": signature } : {}) },
      body,
    });

  it("refuses a bad or stale signature (401) and short-cuts the poll on a good one", async () => {
    const g = await alice.caller.studio.generations.create({ promptText: "announced by webhook", settings });
    await generations.runSubmit(worker(), { userId: alice.me.id, generationId: g.id });
    const jobId = (await row(g.id))?.provider_job_id as string;
    const body = JSON.stringify({ id: jobId, status: "completed" });
    const secret = process.env.IMAGE_WEBHOOK_SECRET as string;
    expect((await post(body)).status).toBe(401);
    expect((await post(body, signImageWebhook("wrong-secret", body))).status).toBe(401);
    expect((await post(body, signImageWebhook(secret, body, Math.floor(Date.now() / 1000) - 3600))).status).toBe(401);
    expect((await post(`${body} `, signImageWebhook(secret, body))).status).toBe(401);
    expect((await post("x".repeat(20_000), signImageWebhook(secret, "x".repeat(20_000)))).status).toBe(413);

    const ok = await post(body, signImageWebhook(secret, body));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ polled: 1 });
    // An immediate poll (no start delay, no expected attempt) is queued for that generation.
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'studio.poll-generation'
         AND data->>'generationId' = ${g.id} AND NOT (data ? 'attempt') AND start_after <= now()`.execute(h.db);
    expect(rows[0]?.n).toBe(1);
    // That poll, run, supersedes the scheduled chain (which then finds itself stale).
    await generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id });
    expect(await generations.runPoll(worker(), { userId: alice.me.id, generationId: g.id, attempt: 0 })).toBe("stale");
  });
});

describe("another user", () => {
  it("cannot see, cancel, save, post or watch someone else's generation", async () => {
    const g = await alice.caller.studio.generations.create({ promptText: "alice's private image", settings });
    await drive(alice, g.id);
    const input = { generationId: g.id };
    await expectTrpcError(bob.caller.studio.generations.get(input), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.generations.cancel(input), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.generations.saveAsAsset({ ...input, index: 0 }), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.generations.toPost({ ...input, index: 0 }), "NOT_FOUND");
    expect((await bob.caller.studio.generations.list({})).items.map((i) => i.id)).not.toContain(g.id);
    // A prompt or persona id of someone else's is not found either.
    const prompt = await alice.caller.studio.prompts.create({ promptText: "alice's prompt" });
    await expectTrpcError(bob.caller.studio.generations.create({ promptId: prompt.id, settings }), "NOT_FOUND");
    await expectTrpcError(
      bob.caller.studio.generations.create({ promptText: "with her persona", personaId: randomUUID(), settings }),
      "NOT_FOUND",
    );
    expect((await alice.caller.studio.generations.get(input)).status).toBe("completed");
  });

  it("the watch subscription yields the caller's own changes only", async () => {
    const stream = await bob.caller.studio.generations.watch({});
    const seen: { id: string; status: string }[] = [];
    const reading = (async () => {
      for await (const event of stream as AsyncIterable<unknown>) {
        // A tracked event: [id, data] (the SSE link turns it into { id, data } on the wire).
        const data = (Array.isArray(event) ? event[1] : (event as { data: unknown }).data) as { id: string; status: string };
        seen.push({ id: data.id, status: data.status });
        if (data.status === "completed") break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Alice's generation runs start to finish while Bob watches …
    const theirs = await alice.caller.studio.generations.create({ promptText: "not for bob", settings });
    await drive(alice, theirs.id);
    // … then Bob's own.
    const mine = await bob.caller.studio.generations.create({ promptText: "bob's own", settings });
    await drive(bob, mine.id);
    await reading;
    expect(seen.every((e) => e.id === mine.id)).toBe(true);
    expect(seen.map((e) => e.status)).toContain("completed");
  });

  it("the watch is bounded per user: past the limit TOO_MANY_REQUESTS, and an ended watch frees its place", async () => {
    // Long enough that all eight are still open when the ninth is tried on a loaded machine (at 1.5 s with a
    // 200 ms head start, a loaded native run let the ninth in).
    process.env.STUDIO_WATCH_MAX_MS = "5000";
    try {
      // Each runs until its watch ends (nothing changes here).
      const open = async (u: User) => {
        const stream = (await u.caller.studio.generations.watch({})) as AsyncIterable<unknown>;
        return stream[Symbol.asyncIterator]().next();
      };
      const running = Array.from({ length: MAX_WATCHES_PER_USER }, () => open(alice));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await expectTrpcError(open(alice), "TOO_MANY_REQUESTS");
      // Another user's watch is not counted with hers.
      running.push(open(await h.signUp("gen-dora")));
      expect((await Promise.all(running)).every((r) => r.done)).toBe(true);
      // Ended watches free their places.
      expect((await open(alice)).done).toBe(true);
    } finally {
      delete process.env.STUDIO_WATCH_MAX_MS;
    }
  });

  it("a prompt from the caller's library is used with its persona", async () => {
    const prompt = await alice.caller.studio.prompts.create({ promptText: "a cat in a teacup, soft light" });
    const g = await alice.caller.studio.generations.create({ promptId: prompt.id, settings: { width: 768, height: 1360 } });
    expect(g).toMatchObject({ promptId: prompt.id, promptText: "a cat in a teacup, soft light" });
    await expectTrpcError(
      alice.caller.studio.generations.create({ promptText: "too big", settings: { width: 4096, height: 4096 } }),
      "BAD_REQUEST",
    );
  });
});
