/**
 * Exactly once under crashes: 500 posts (X, LinkedIn, Threads and WordPress variants) fall due within
 * 20 seconds; the worker process is killed with SIGKILL twice while it publishes them and started
 * again each time. Every post must end published, each exactly once on the sandbox platform (0 lost,
 * 0 duplicates) and with the sandbox's id recorded. The figures are printed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { type ConnectionsDeps, connections } from "@inkwell/domain/connections";
import { createBoss, createEnqueue, generateKeySpec, parseKeyRing, prepareQueues } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import { type SandboxPlatform, startSandboxPlatform } from "@inkwell/domain/platforms/testing";
import { type Clock, posts, postsJobs, systemClock } from "@inkwell/domain/posts";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

const url = inject("databaseUrl");
const { db } = createDb({ url, max: 4 });
const workerDir = fileURLToPath(new URL("..", import.meta.url));
const POSTS = 500;
const PLATFORMS = ["x", "linkedin", "threads", "wordpress"] as const;
/** Posts fall due over this span, starting a few seconds after they are composed. */
const SPREAD_MS = 20_000;
const keySpec = generateKeySpec("crash");
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;
let sandbox: SandboxPlatform;
let boss: ReturnType<typeof createBoss>;
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workerDir,
    env: {
      ...process.env,
      DATABASE_URL: url,
      SMTP_URL: smtp.url,
      INKWELL_ENCRYPTION_KEYS: keySpec,
      PUBLISHING_SANDBOX_URL: sandbox.url,
      PUBLISHING_TIMEOUT_MS: "2000",
      WORKER_POLL_SECONDS: "0.5",
      WORKER_SUPERVISE_SECONDS: "1",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

async function kill(child: ChildProcess) {
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
}

const received = () => sandbox.accounts().reduce((n, a) => n + sandbox.feed(a.accountId).length, 0);

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
  sandbox = await startSandboxPlatform();
  boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await prepareQueues(boss, db, postsJobs);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await boss.stop({ graceful: false });
  await sandbox.stop();
  await smtp.stop();
  await db.destroy();
});

it(`publishes ${POSTS} posts exactly once across two SIGKILLs and restarts`, { timeout: 300_000 }, async () => {
  const deps: ConnectionsDeps = {
    db,
    keyRing: parseKeyRing(keySpec),
    publishing: sandboxPublishingRuntime(sandbox.url, "http://app.test", 2_000),
  };
  const userId = await asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `publish-crash-${Date.now()}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return u.id;
  });
  // Real connections: the OAuth flow against the sandbox, and a WordPress application password.
  const connectionIds: Record<(typeof PLATFORMS)[number], string> = { x: "", linkedin: "", threads: "", wordpress: "" };
  for (const platform of ["x", "linkedin", "threads"] as const) {
    const { authorizeUrl } = await asUser(db, userId, (tx) => connections.startOAuth(deps, tx, userId, { platform }));
    const approved = await fetch(authorizeUrl, { redirect: "manual" });
    const back = new URL(approved.headers.get("location") as string);
    const connection = await connections.finishOAuth(deps, userId, platform, {
      code: back.searchParams.get("code") ?? undefined,
      state: back.searchParams.get("state") ?? undefined,
    });
    connectionIds[platform] = connection.id;
  }
  connectionIds.wordpress = (await connections.connectWordPress(deps, userId, sandbox.wordpress)).id;

  // Compose through the queue's own service: 125 groups × 4 channels, all at the minute that has just
  // begun, through a clock a minute behind (a picked time must be in the future, and waiting for the
  // next real minute cost up to a minute); then spread the instants over SPREAD_MS from a few seconds
  // ahead. The jobs, due at once, find most posts not yet due and come back at their own time.
  const enqueue = createEnqueue(boss);
  const due = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const clock: Clock = { now: () => new Date(due.getTime() - 60_000), sleepUntil: systemClock.sleepUntil };
  const local = due.toISOString().slice(0, 16);
  let nextGroup = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let g = nextGroup++; g < POSTS / PLATFORMS.length; g = nextGroup++) {
        await asUser(db, userId, (tx) =>
          posts.compose({ enqueue, clock }, tx, userId, {
            channels: PLATFORMS.map((platform) => ({
              connectionId: connectionIds[platform],
              parts: [`Crash test post ${g} for ${platform}`],
              ...(platform === "wordpress" ? { title: `Crash test ${g}` } : {}),
            })),
            when: { kind: "at", local, timeZone: "UTC" },
            idempotencyKey: `crash-${g}`,
          }),
        );
      }
    }),
  );
  await sql`
    UPDATE scheduled_posts p SET scheduled_at = clock_timestamp() + interval '3 seconds' + (s.n * ${SPREAD_MS / POSTS} || ' milliseconds')::interval
    FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) - 1 AS n FROM scheduled_posts WHERE user_id = ${userId}) s
    WHERE p.id = s.id`.execute(db);

  const started = Date.now();
  let worker = startWorkerProcess();
  await expect
    .poll(received, { timeout: 120_000, interval: 25, message: "the first fifth published" })
    .toBeGreaterThanOrEqual(POSTS * 0.2);
  await kill(worker);
  const atFirstKill = received();
  worker = startWorkerProcess();
  await expect
    .poll(received, { timeout: 120_000, interval: 25, message: "three fifths published" })
    .toBeGreaterThanOrEqual(POSTS * 0.6);
  await kill(worker);
  const atSecondKill = received();
  worker = startWorkerProcess();

  const statuses = async () =>
    asSystem(db, (tx) =>
      tx
        .selectFrom("scheduled_posts")
        .select(["status", sql<number>`count(*)::int`.as("n")])
        .where("user_id", "=", userId)
        .groupBy("status")
        .execute(),
    );
  await expect
    .poll(async () => (await statuses()).filter((s) => s.status !== "published"), {
      timeout: 180_000,
      interval: 25,
      message: "posts not yet published after the restarts",
    })
    .toEqual([]);
  const elapsed = Date.now() - started;

  // On the platform: each post's text exactly once, and the id we recorded is that post.
  const rows = await asSystem(db, (tx) =>
    tx
      .selectFrom("scheduled_posts")
      .select(["id", "parts", "platform", "platform_post_id", "status"])
      .where("user_id", "=", userId)
      .execute(),
  );
  const feed = sandbox.accounts().flatMap((a) => sandbox.feed(a.accountId));
  const copies = new Map<string, number>();
  // WordPress receives the Markdown rendered as HTML ("<p>…</p>"); the others, the text itself.
  const textOf = (p: (typeof feed)[number]) => (p.platform === "wordpress" ? p.text.replace(/<[^>]*>/g, "").trim() : p.text);
  for (const p of feed) copies.set(`${p.platform}|${textOf(p)}`, (copies.get(`${p.platform}|${textOf(p)}`) ?? 0) + 1);
  let lost = 0;
  let duplicates = 0;
  let mismatched = 0;
  for (const row of rows) {
    const n = copies.get(`${row.platform}|${row.parts[0]}`) ?? 0;
    if (n === 0) lost++;
    if (n > 1) duplicates += n - 1;
    const onPlatform = feed.find((p) => p.platform === row.platform && textOf(p) === row.parts[0]);
    if (onPlatform && onPlatform.id !== row.platform_post_id) mismatched++;
  }
  const attempts = await asSystem(db, (tx) =>
    tx
      .selectFrom("post_attempts")
      .select(["kind", "outcome", sql<number>`count(*)::int`.as("n")])
      .where("user_id", "=", userId)
      .groupBy(["kind", "outcome"])
      .execute(),
  );
  const publishes = sandbox.requests.filter(
    (r) => r.method === "POST" && /\/(2\/tweets|rest\/posts|threads_publish|wp\/v2\/posts)$/.test(r.path),
  );
  const publishRequests = publishes.length;
  // A request for a part that had already gone out, answered from its Idempotency-Key (on a platform
  // without such keys, each of these would have been a duplicate).
  const seenKeys = new Set<string>();
  let replays = 0;
  const replayedOn = new Map<string, number>();
  for (const r of publishes) {
    const key = String(r.headers["idempotency-key"] ?? "");
    if (r.outcome === "hung" || r.outcome === "failed") continue;
    if (seenKeys.has(key)) {
      replays++;
      replayedOn.set(r.path.split("/")[1] ?? "?", (replayedOn.get(r.path.split("/")[1] ?? "?") ?? 0) + 1);
    }
    seenKeys.add(key);
  }
  console.log(
    [
      `publish-crash: ${rows.length} posts due over ${SPREAD_MS / 1000} s, worker SIGKILLed at ${atFirstKill} and ${atSecondKill} received, restarted twice`,
      `  published ${rows.filter((r) => r.status === "published").length}, lost ${lost}, duplicates ${duplicates}, recorded id ≠ platform's ${mismatched}`,
      `  platform received ${feed.length} posts from ${publishRequests} publish requests (${replays} repeats answered from their idempotency key${replays ? `: ${[...replayedOn].map(([p, n]) => `${p} ${n}`).join(", ")}` : ""}); done ${(elapsed / 1000).toFixed(1)} s after the first start`,
      `  attempts: ${attempts.map((a) => `${a.kind}/${a.outcome} ${a.n}`).join(", ")}`,
    ].join("\n"),
  );
  expect(rows).toHaveLength(POSTS);
  expect(lost).toBe(0);
  expect(duplicates).toBe(0);
  // The sandbox answers a repeated Idempotency-Key from memory, so the feed alone cannot show a
  // duplicate; a repeat is a part sent again that a platform without such keys would post twice.
  expect(replays).toBe(0);
  expect(mismatched).toBe(0);
  expect(feed.length).toBe(POSTS);
});
