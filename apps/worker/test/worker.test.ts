import { asSystem, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { purgeExpiredJob, sendEmailJob } from "@inkwell/domain/identity";
import { createBoss, generateKeySpec } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadWorkerEnv } from "../src/env.ts";
import { allHandlers, allJobs } from "../src/jobs.ts";
import { type RunningWorker, startWorker } from "../src/worker.ts";

const url = inject("databaseUrl");
const { db } = createDb({ url, max: 2 });
const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;
let worker: RunningWorker;
let boss: ReturnType<typeof createBoss>;

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
  worker = await startWorker(
    loadWorkerEnv({
      DATABASE_URL: url,
      SMTP_URL: smtp.url,
      WORKER_POLL_SECONDS: "0.5",
      INKWELL_ENCRYPTION_KEYS: generateKeySpec(),
    }),
    log,
  );
  boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await worker.stop({ graceful: false });
  await smtp.stop();
  await db.destroy();
});

describe("the worker's configuration", () => {
  it("refuses to start without the key ring the publishing jobs need, naming the jobs and the variable", async () => {
    const env = loadWorkerEnv({ DATABASE_URL: url, SMTP_URL: smtp.url });
    const started = startWorker(env, log);
    await expect(started).rejects.toThrow(/publishing\.publish-post needs keyRing: the key ring \(INKWELL_ENCRYPTION_KEYS\)/);
    await expect(started).rejects.toThrow(/publishing\.refresh-connection needs keyRing/);
  });

  it("registers a handler for exactly the registry's jobs (the list the API creates queues from)", () => {
    expect(allHandlers.map((h) => h.job.name)).toEqual(allJobs.map((j) => j.name));
    expect(allJobs.map((j) => j.name)).toContain("publishing.refresh-connection");
  });
});

describe("the worker, end to end through pg-boss", () => {
  it("purges expired sessions and spent tokens, and keeps live ones", async () => {
    const ids = await asSystem(db, async (tx) => {
      const user = await tx
        .insertInto("users")
        .values({ email: `purge-${Date.now()}@example.test`, password_hash: "x" })
        .returning("id")
        .executeTakeFirstOrThrow();
      const session = (idle: string, hash: number) =>
        tx
          .insertInto("sessions")
          .values({
            user_id: user.id,
            token_hash: Buffer.alloc(32, hash),
            idle_expires_at: sql<Date>`now() + ${idle}::interval`,
            expires_at: sql<Date>`now() + interval '30 days'`,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
      const expired = await session("-1 minute", 1);
      const live = await session("1 day", 2);
      return { user: user.id, expired: expired.id, live: live.id };
    });
    await boss.send(purgeExpiredJob.name, {});
    const left = async () =>
      (await asSystem(db, (tx) => tx.selectFrom("sessions").select("id").where("user_id", "=", ids.user).execute())).map(
        (r) => r.id,
      );
    await expect.poll(left, { timeout: 15_000, interval: 100 }).toEqual([ids.live]);
  });

  it("delivers queued e-mail over SMTP", async () => {
    await boss.send(sendEmailJob.name, { to: "someone@example.test", subject: "Hello", text: "Body text" });
    const mail = await smtp.waitFor((m) => m.subject === "Hello");
    expect(mail).toMatchObject({ to: ["someone@example.test"], text: expect.stringContaining("Body text") });
  });

  it("schedules the periodic purge", async () => {
    const schedules = await boss.getSchedules();
    expect(schedules.map((s) => s.name)).toContain(purgeExpiredJob.name);
  });
});
