/**
 * The worker is killed (SIGKILL, no goodbye) while it settles credit reservations, then started again:
 * every reservation ends captured exactly once and every balance still equals its ledger.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { credits, settleHoldJob } from "@inkwell/domain/credits";
import { createBoss, generateKeySpec } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

const url = inject("databaseUrl");
const { db } = createDb({ url, max: 4 });
const workerDir = fileURLToPath(new URL("..", import.meta.url));
const HOLDS = 60;
const USED = 7;
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;
let boss: ReturnType<typeof createBoss>;
const children: ChildProcess[] = [];

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workerDir,
    env: {
      ...process.env,
      DATABASE_URL: url,
      SMTP_URL: smtp.url,
      WORKER_POLL_SECONDS: "0.5",
      WORKER_SUPERVISE_SECONDS: "1",
      // The worker refuses to start without what its jobs need (the publishing jobs open tokens with it).
      INKWELL_ENCRYPTION_KEYS: generateKeySpec(),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

async function capturedCount(userId: string) {
  const r = await asSystem(db, (tx) =>
    tx
      .selectFrom("credit_holds")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("user_id", "=", userId)
      .where("status", "=", "captured")
      .executeTakeFirstOrThrow(),
  );
  return r.n;
}

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
  boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await boss.stop({ graceful: false });
  await smtp.stop();
  await db.destroy();
});

it("settles every reservation exactly once across a SIGKILL and a restart", { timeout: 120_000 }, async () => {
  const userId = await asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `crash-${Date.now()}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await credits.grant(tx, u.id, { source: "bonus", amount: 100_000, idempotencyKey: "start" });
    return u.id;
  });
  const holds: string[] = [];
  for (let i = 0; i < HOLDS; i++) {
    const h = await asUser(db, userId, (tx) =>
      credits.hold(tx, userId, { operation: "image.generate", idempotencyKey: `h${i}`, request: { i } }),
    );
    holds.push(h.holdId);
  }

  const first = startWorkerProcess();
  // The worker creates the queues on start; wait for them before sending.
  await expect
    .poll(() => boss.getQueue(settleHoldJob.name), { timeout: 60_000, interval: 50, message: "the worker to create its queues" })
    .not.toBeNull();
  for (const holdId of holds) await boss.send(settleHoldJob.name, { userId, holdId, used: USED });

  await expect
    .poll(() => capturedCount(userId), { timeout: 60_000, interval: 50, message: "the first settlements" })
    .toBeGreaterThanOrEqual(5);
  first.kill("SIGKILL");
  await new Promise((r) => first.once("exit", r));
  const atKill = await capturedCount(userId);
  expect(atKill).toBeLessThan(HOLDS); // it really died part-way

  startWorkerProcess();
  await expect
    .poll(() => capturedCount(userId), { timeout: 90_000, interval: 50, message: "every reservation to be settled" })
    .toBe(HOLDS);

  const captures = await asSystem(db, (tx) =>
    tx
      .selectFrom("credit_ledger")
      .select(["hold_id", sql<number>`count(*)::int`.as("n")])
      .where("user_id", "=", userId)
      .where("entry_type", "=", "capture")
      .groupBy("hold_id")
      .execute(),
  );
  expect(captures).toHaveLength(HOLDS);
  expect(captures.every((c) => c.n === 1)).toBe(true);
  const balance = await asUser(db, userId, (tx) => credits.balance(tx, userId));
  expect(balance).toMatchObject({ available: 100_000 - HOLDS * USED, held: 0 });
  const drift = (await credits.reconcile(db, { info() {}, warn() {}, error() {} })).filter((d) => d.userId === userId);
  expect(drift).toEqual([]);
});
