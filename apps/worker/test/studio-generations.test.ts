/**
 * Image generations under a crash: 40 generations (some failing, some whose submit answer is lost, all
 * taking a few seconds at the local image API) are worked by the real worker process, which is killed
 * with SIGKILL while it is polling them and started again. Every generation must end completed (its
 * hold captured exactly once, its image stored) or failed (its hold released); none may be submitted
 * twice at the API (one job per submit_key) and none charged twice. The figures are printed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { type ImageApiSandbox, startImageApiSandbox } from "@inkwell/domain/ai/testing";
import { credits } from "@inkwell/domain/credits";
import { createBoss, createEnqueue, generateKeySpec, parseKeyRing, prepareQueues } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { generations, studioJobs } from "@inkwell/domain/studio";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

const url = inject("databaseUrl");
const { db } = createDb({ url, max: 4 });
const workerDir = fileURLToPath(new URL("..", import.meta.url));
const COUNT = 40;
const FAILING = 6;
const LOST_ANSWERS = 4;
const keySpec = generateKeySpec("gen-crash");
const filesDir = mkdtempSync(join(tmpdir(), "inkwell-gen-crash-"));
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;
let images: ImageApiSandbox;
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
      AI_PROVIDER: "openai",
      OPENAI_API_KEY: "unused",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      IMAGE_API_BASE_URL: images.url,
      IMAGE_API_KEY: images.apiKey,
      IMAGE_GENERATION_FIRST_POLL_MS: "300",
      STORAGE_DRIVER: "local",
      STORAGE_LOCAL_DIR: filesDir,
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

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
  // Each job settles 3-6 s after it is submitted: long enough that the kill lands mid-polling.
  images = await startImageApiSandbox({ apiKey: "sk-crash-image", completeAfterMs: 6_000 });
  boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await prepareQueues(boss, db, studioJobs);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await boss.stop({ graceful: false });
  await images.stop();
  await smtp.stop();
  await db.destroy();
  rmSync(filesDir, { recursive: true, force: true });
});

it(`settles ${COUNT} generations exactly once across a SIGKILL mid-polling`, { timeout: 300_000 }, async () => {
  const userId = await asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `gen-crash-${Date.now()}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await credits.grant(tx, u.id, { source: "bonus", amount: 10_000, idempotencyKey: "gen-crash" });
    return u.id;
  });
  const before = await asUser(db, userId, (tx) => credits.balance(tx, userId));
  // Faults are taken in submit order: the first jobs fail, the next lose their answer once.
  images.injectNext({ outcome: "failed", completeAfterMs: 3_000 }, FAILING);
  images.injectNext({ dropAnswer: true, completeAfterMs: 5_000 }, LOST_ANSWERS);
  const enqueue = createEnqueue(boss);
  const keyRing = parseKeyRing(keySpec);
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const g = await asUser(db, userId, (tx) =>
      generations.create(
        { enqueue, keyRing },
        tx,
        userId,
        { promptText: `crash test image ${i}`, settings: { width: 256, height: 256 } },
        {
          provider: "image-api",
          offline: false,
          price: 40,
        },
      ),
    );
    ids.push(g.id);
  }

  const counts = () =>
    asSystem(db, (tx) =>
      tx
        .selectFrom("image_generations")
        .select(["status", sql<number>`count(*)::int`.as("n")])
        .where("user_id", "=", userId)
        .groupBy("status")
        .execute(),
    ).then((rows) => Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>);

  const started = Date.now();
  let worker = startWorkerProcess();
  // Killed while a quarter of them are submitted and being polled. (Half, as it was, needs the worker to
  // submit faster than the first ones settle: on a loaded machine with the embedded database it did not, and
  // the wait timed out.) The rest are still pending, so the restart also submits, polls and settles.
  await expect
    .poll(
      async () => {
        const c = await counts();
        return (c.queued ?? 0) + (c.in_progress ?? 0);
      },
      { timeout: 60_000, interval: 50, message: "generations being polled" },
    )
    .toBeGreaterThanOrEqual(COUNT / 4);
  const atKill = await counts();
  await kill(worker);
  await new Promise((r) => setTimeout(r, 1_000));
  worker = startWorkerProcess();

  await expect
    .poll(
      async () => {
        const c = await counts();
        return (c.completed ?? 0) + (c.failed ?? 0);
      },
      { timeout: 200_000, interval: 250, message: "generations settled after the restart" },
    )
    .toBe(COUNT);
  const elapsed = Date.now() - started;

  const rows = await asSystem(db, (tx) =>
    tx
      .selectFrom("image_generations as g")
      .leftJoin("credit_holds as h", "h.id", "g.hold_id")
      .select([
        "g.id",
        "g.status",
        "g.provider_job_id",
        "g.submit_key",
        "g.result_file_ids",
        "h.status as hold_status",
        "h.captured",
        sql<number>`(SELECT count(*)::int FROM credit_ledger l WHERE l.hold_id = g.hold_id AND l.entry_type = 'capture')`.as(
          "captures",
        ),
      ])
      .where("g.user_id", "=", userId)
      .execute(),
  );
  const completed = rows.filter((r) => r.status === "completed");
  const failed = rows.filter((r) => r.status === "failed");
  expect(completed.length + failed.length).toBe(COUNT);
  expect(failed.length).toBe(FAILING);
  for (const r of completed) {
    expect(r).toMatchObject({ hold_status: "captured", captured: 40, captures: 1 });
    expect(r.result_file_ids).toHaveLength(1);
  }
  for (const r of failed) expect(r).toMatchObject({ hold_status: "released", captures: 0 });
  // One job at the API per generation: every submit_key made exactly one job, and each row holds its own.
  expect(images.jobCount()).toBe(COUNT);
  expect(new Set(rows.map((r) => r.provider_job_id)).size).toBe(COUNT);
  for (const r of rows) expect(images.job(r.provider_job_id as string)?.idempotencyKey).toBe(r.submit_key);
  const after = await asUser(db, userId, (tx) => credits.balance(tx, userId));
  expect(before.available - after.available).toBe(40 * completed.length);
  expect(after.held).toBe(0);
  const submits = images.requests.filter((r) => r.method === "POST" && r.path === "/v1/generations").length;
  console.log(
    [
      `studio-generations crash: ${COUNT} generations, worker SIGKILLed with ${JSON.stringify(atKill)}, restarted`,
      `  completed ${completed.length} (each captured once), failed ${failed.length} (released); ${images.jobCount()} jobs at the API from ${submits} submit requests (repeats answered from their Idempotency-Key); settled ${(elapsed / 1000).toFixed(1)} s after the first start`,
    ].join("\n"),
  );
});
