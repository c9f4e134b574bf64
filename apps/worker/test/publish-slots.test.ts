/**
 * A platform host's request slots are shared by every worker process (posts.publisher.slots.ts):
 *
 * - two publishers, each with its own pool, its own per-process cap and its own slots session (two
 *   worker processes as far as the database can tell), publish a burst to one host and never have
 *   more requests in flight there together than the host's slots — the sandbox counts them;
 * - a process holding slots that is killed (SIGKILL, a real child process) gives them back: a waiter
 *   elsewhere gets one within seconds, with nothing to expire or sweep.
 *
 * Native PostgreSQL only for the sharing itself: the embedded database is one backend for every
 * connection, so there the slots notice it and leave each process to its own cap (checked).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { type ConnectionsDeps, connections } from "@inkwell/domain/connections";
import { createBoss, createEnqueue, generateKeySpec, parseKeyRing, prepareQueues } from "@inkwell/domain/platform";
import { sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import { type SandboxPlatform, startSandboxPlatform } from "@inkwell/domain/platforms/testing";
import {
  createHostSlots,
  type HostSlots,
  type PublisherDeps,
  posts,
  postsJobs,
  runPublishJob,
  shareHostSlots,
} from "@inkwell/domain/posts";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

const url = inject("databaseUrl");
const native = Boolean(process.env.DATABASE_URL);
const { db } = createDb({ url, max: 4 });
const workerDir = fileURLToPath(new URL("..", import.meta.url));
const keySpec = generateKeySpec("slots");
const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };
let sandbox: SandboxPlatform;
let boss: ReturnType<typeof createBoss>;
const closing: (() => Promise<unknown>)[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandboxPlatform();
  boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await prepareQueues(boss, db, postsJobs);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const close of closing.reverse()) await close();
  await boss.stop({ graceful: false });
  await sandbox.stop();
  await db.destroy();
});

/** Slots of `host` held by any session, as Postgres counts them. */
async function slotsTaken(host: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pg_locks
     WHERE locktype = 'advisory' AND objsubid = 2 AND granted
       AND classid = (hashtext('inkwell.publish-host:' || ${host}::text)::bigint & 4294967295)::oid`.execute(db);
  return rows[0]?.n ?? 0;
}

/** One "worker process": its own pool, runtime (so its own per-process cap) and slots session. */
async function publisher(perHost: number, maxInFlight: number): Promise<{ deps: PublisherDeps; slots: HostSlots }> {
  const own = createDb({ url, max: 4 }).db;
  const publishing = sandboxPublishingRuntime(sandbox.url, null, 5_000);
  const slots = await createHostSlots({ url, perHost, probe: own, log });
  shareHostSlots(publishing, slots);
  closing.push(
    () => own.destroy(),
    () => slots.close(),
  );
  const deps: PublisherDeps = {
    db: own,
    log,
    keyRing: parseKeyRing(keySpec),
    publishing,
    enqueue: createEnqueue(boss),
    config: { maxInFlight },
  };
  return { deps, slots };
}

it("the embedded database shares no slots (one backend): each process keeps its own cap", async () => {
  const slots = await createHostSlots({ url, perHost: 2, probe: db, log });
  try {
    expect(slots.shared).toBe(native);
  } finally {
    await slots.close();
  }
});

it.skipIf(!native)(
  "two publishers sharing a host's 4 slots never have more than 4 requests in flight there together",
  { timeout: 120_000 },
  async () => {
    const POSTS = 40;
    const a = await publisher(4, 4);
    const b = await publisher(4, 4);
    const deps: ConnectionsDeps = {
      db,
      keyRing: parseKeyRing(keySpec),
      publishing: sandboxPublishingRuntime(sandbox.url, "http://app.test", 5_000),
    };
    const userId = await asSystem(db, async (tx) => {
      const u = await tx
        .insertInto("users")
        .values({ email: `publish-slots-${Date.now()}@example.test`, password_hash: "x" })
        .returning("id")
        .executeTakeFirstOrThrow();
      return u.id;
    });
    // X through its OAuth flow, and the sandbox's WordPress site: on the sandbox both are one host.
    const { authorizeUrl } = await asUser(db, userId, (tx) => connections.startOAuth(deps, tx, userId, { platform: "x" }));
    const back = new URL((await fetch(authorizeUrl, { redirect: "manual" })).headers.get("location") as string);
    const x = await connections.finishOAuth(deps, userId, "x", {
      code: back.searchParams.get("code") ?? undefined,
      state: back.searchParams.get("state") ?? undefined,
    });
    const wordpress = await connections.connectWordPress(deps, userId, sandbox.wordpress);
    for (let i = 0; i < POSTS; i++) {
      const wp = i % 2 === 1;
      await asUser(db, userId, (tx) =>
        posts.compose({ enqueue: createEnqueue(boss) }, tx, userId, {
          channels: [
            {
              connectionId: wp ? wordpress.id : x.id,
              parts: [`Slots post ${i}`],
              ...(wp ? { title: `Slots ${i}` } : {}),
            },
          ],
          when: { kind: "draft" },
          idempotencyKey: `slots-${i}`,
        }),
      );
    }
    // All due in a second, with no queued job: only the runs below touch them.
    const due = await sql<{ id: string }>`
      UPDATE scheduled_posts SET status = 'pending', scheduled_at = clock_timestamp() + interval '1 second', schedule_version = 7
       WHERE user_id = ${userId} RETURNING id`.execute(db);
    expect(due.rows).toHaveLength(POSTS);
    sandbox.slow(150); // each request takes a while, so the two publishers overlap
    sandbox.inFlight({ resetPeak: true });
    const outcomes = await Promise.all(due.rows.map((r, i) => runPublishJob((i % 2 ? b : a).deps, { postId: r.id, version: 7 })));
    sandbox.slow(0);
    const { peak } = sandbox.inFlight();
    console.log(
      `publish-slots: ${POSTS} posts from two publishers, 4 slots per host: at most ${peak} requests in flight at the sandbox`,
    );
    expect(outcomes).toEqual(due.rows.map(() => "published"));
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBe(4); // the cap was used, not just respected
    const feed = sandbox.accounts().flatMap((acc) => sandbox.feed(acc.accountId).filter((p) => /Slots post \d+/.test(p.text)));
    expect(feed).toHaveLength(POSTS);
    // Every slot went back once the burst was over.
    const host = new URL(sandbox.url).host;
    await expect.poll(() => slotsTaken(host), { timeout: 5_000 }).toBe(0);
    expect(a.slots.held(host) + b.slots.held(host)).toBe(0);
  },
);

it.skipIf(!native)("a killed process's slots come back to the others", { timeout: 60_000 }, async () => {
  const host = `killed.example.test:${Date.now()}`;
  const holder = spawn(process.execPath, ["--import", "tsx", "test/publish-slots-holder.ts"], {
    cwd: workerDir,
    env: { ...process.env, DATABASE_URL: url, SLOTS_HOST: host, SLOTS_PER_HOST: "3", SLOTS_TAKE: "3" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(holder);
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    holder.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes("held 3")) resolve();
    });
    holder.once("exit", (code) => reject(new Error(`the holder exited (${code}) before holding its slots`)));
  });
  expect(await slotsTaken(host)).toBe(3);

  const slots = await createHostSlots({ url, perHost: 3, probe: db, log });
  closing.push(() => slots.close());
  let got = 0;
  const waiting = Promise.all([slots.acquire(host), slots.acquire(host), slots.acquire(host)].map((p) => p.then(() => got++)));
  await new Promise((r) => setTimeout(r, 500));
  expect(got).toBe(0); // the host is full: the waiters wait (polling, not spinning)

  const killedAt = performance.now();
  holder.kill("SIGKILL");
  await waiting;
  const seconds = (performance.now() - killedAt) / 1000;
  console.log(`publish-slots: a killed holder's 3 slots taken by another process ${seconds.toFixed(2)} s after SIGKILL`);
  expect(got).toBe(3);
  expect(seconds).toBeLessThan(5);
  expect(slots.held(host)).toBe(3);
  expect(await slotsTaken(host)).toBe(3);
});

it.skipIf(!native)("a lost slots session is reopened: its slots are taken again, the old ones freed with it", async () => {
  const host = `lost.example.test:${Date.now()}`;
  const slots = await createHostSlots({ url, perHost: 2, probe: db, log });
  closing.push(() => slots.close());
  const before = await Promise.all([slots.acquire(host), slots.acquire(host)]);
  expect(await slotsTaken(host)).toBe(2);
  // The server ends the session (a restart, a failover, an idle-session killer): its locks go with it.
  await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = 'inkwell-publish-slots' AND datname = current_database()`.execute(db);
  await expect.poll(() => slotsTaken(host), { timeout: 5_000 }).toBe(0);
  await expect.poll(() => slots.held(host), { timeout: 5_000 }).toBe(0);
  for (const release of before) release(); // frees of the old session's slots change nothing
  const after = await Promise.all([slots.acquire(host), slots.acquire(host)]);
  expect(await slotsTaken(host)).toBe(2);
  for (const release of after) release();
  await expect.poll(() => slotsTaken(host), { timeout: 5_000 }).toBe(0);
});
