/**
 * Site administration on the real database and pg-boss: every admin procedure refused to a plain user;
 * site settings read back and used (the maintenance message reaches everyone's banner); announcements shown
 * only while enabled and unexpired; queue health shows a failed job with its error and retry requeues it;
 * a credit grant reaches the user's balance and history with its reason; users, sign-ins, dashboards and
 * reconciliation answer an administrator.
 */
import { randomUUID } from "node:crypto";
import { pgBossQueueAdmin } from "@inkwell/domain/admin";
import { createBoss } from "@inkwell/domain/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from "vitest";
import { inventory } from "../src/inventory.ts";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let boss: ReturnType<typeof createBoss>;
let admin: User;
let user: User;

function call(caller: unknown, path: string, input?: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<any>((node, key) => node[key], caller);
  return fn(input);
}

beforeAll(async () => {
  h = await startHarness();
  // The api's deps give the admin service pg-boss's queue API; the harness has none, so this file adds one.
  boss = createBoss(inject("databaseUrl"), { supervise: false, schedule: false, max: 2, listenNotify: false });
  boss.on("error", () => {});
  await boss.start();
  h.deps.queueAdmin = pgBossQueueAdmin(boss);
  admin = await h.signUp("admin");
  await h.raw(sql`UPDATE users SET role = 'admin' WHERE id = ${admin.me.id}`);
  user = await h.signUp("plain");
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await h?.stop();
});

describe("admin access", () => {
  it("refuses every admin procedure to a plain user (walking the inventory)", async () => {
    const adminPaths = Object.entries(inventory).filter(([, e]) => e.access === "admin");
    expect(adminPaths.map(([p]) => p)).toEqual(
      expect.arrayContaining(["admin.config.set", "admin.queues.retry", "admin.feedback.updateFeedback"]),
    );
    for (const [path] of adminPaths) {
      await expectTrpcError(call(user.caller, path, {}), "FORBIDDEN").catch((e) => {
        throw new Error(`${path}: ${(e as Error).message}`);
      });
    }
  });

  it("lets an administrator in with the moved procedure names", async () => {
    const found = await admin.caller.admin.listUsers({ query: user.email });
    expect(found.users.map((u) => u.id)).toEqual([user.me.id]);
  });
});

describe("site settings", () => {
  afterAll(async () => {
    await admin.caller.admin.config.set({ key: "maintenance_message", value: null });
  });

  it("reads defaults, stores a value, and the maintenance message reaches every visitor's banner", async () => {
    const before = await admin.caller.admin.config.get();
    expect(before.map((e) => e.key).sort()).toEqual(["feedback_open", "maintenance_message"]);

    const text = `Down for upgrades at 22:00 ${randomUUID().slice(0, 6)}`;
    await admin.caller.admin.config.set({ key: "maintenance_message", value: text });
    const after = await admin.caller.admin.config.get();
    expect(after.find((e) => e.key === "maintenance_message")).toMatchObject({ value: text, isSet: true });

    const banner = await h.anon().system.announcements();
    expect(banner[0]).toMatchObject({ kind: "maintenance", message: text });

    await admin.caller.admin.config.set({ key: "maintenance_message", value: null });
    const cleared = await h.anon().system.announcements();
    expect(cleared.some((a) => a.message === text)).toBe(false);
  });

  it("refuses unknown keys and values of the wrong type", async () => {
    await expectTrpcError(call(admin.caller, "admin.config.set", { key: "signups_open", value: false }), "BAD_REQUEST");
    await expectTrpcError(call(admin.caller, "admin.config.set", { key: "feedback_open", value: "yes" }), "BAD_REQUEST");
    await expectTrpcError(
      call(admin.caller, "admin.config.set", { key: "maintenance_message", value: "x".repeat(301) }),
      "BAD_REQUEST",
    );
  });
});

describe("announcements", () => {
  it("are visible to everyone only while enabled and unexpired", async () => {
    const title = `Heads up ${randomUUID().slice(0, 8)}`;
    const visible = async () => (await h.anon().system.announcements()).some((a) => a.title === title);

    const a = await admin.caller.admin.announcements.create({ title, message: "New study modes are here." });
    // Every file's banner reads this table: a failure half-way must not leave it showing.
    onTestFinished(() => h.raw(sql`DELETE FROM announcements WHERE id = ${a.id}`).then(() => undefined));
    expect(a.enabled).toBe(false);
    expect(await visible()).toBe(false);

    await admin.caller.admin.announcements.update({ id: a.id, enabled: true });
    expect(await visible()).toBe(true);
    expect((await admin.caller.admin.announcements.list()).find((x) => x.id === a.id)?.enabled).toBe(true);

    await admin.caller.admin.announcements.update({ id: a.id, expiresAt: new Date(Date.now() - 60_000) });
    expect(await visible()).toBe(false);

    await admin.caller.admin.announcements.update({ id: a.id, expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await visible()).toBe(true);

    await admin.caller.admin.announcements.update({ id: a.id, enabled: false });
    expect(await visible()).toBe(false);

    await admin.caller.admin.announcements.delete({ id: a.id });
    await expectTrpcError(admin.caller.admin.announcements.delete({ id: a.id }), "NOT_FOUND");
    await expectTrpcError(admin.caller.admin.announcements.update({ id: a.id, enabled: true }), "NOT_FOUND");
  });

  it("validates titles and messages", async () => {
    await expectTrpcError(call(admin.caller, "admin.announcements.create", { title: " ", message: "x" }), "BAD_REQUEST");
    await expectTrpcError(
      call(admin.caller, "admin.announcements.create", { title: "t", message: "x".repeat(1001) }),
      "BAD_REQUEST",
    );
  });
});

describe("queue health", () => {
  it("shows a failed job with its error, and retry requeues it", async () => {
    const queue = `admintest.fail-job-${randomUUID().slice(0, 8)}`;
    await boss.createQueue(queue, { retryLimit: 0 });
    try {
      const jobId = await boss.send(queue, { n: 1 });
      expect(jobId).toBeTruthy();
      const [job] = await boss.fetch(queue);
      expect(job?.id).toBe(jobId);
      await boss.fail(queue, jobId as string, { message: "disk on fire", stack: "Error: disk on fire\n    at handler" });

      const depths = await admin.caller.admin.queues.depths();
      expect(depths.find((d) => d.name === queue)).toMatchObject({ failed: 1, queued: 0, active: 0 });

      const failed = await admin.caller.admin.queues.failed({ queue });
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ id: jobId, queue, data: { n: 1 } });
      expect(failed[0]?.error).toContain("disk on fire");

      await admin.caller.admin.queues.retry({ queue, jobId: jobId as string });
      const [after] = await boss.findJobs(queue, { id: jobId as string });
      expect(after?.state).toBe("retry");
      expect(await admin.caller.admin.queues.failed({ queue })).toHaveLength(0);
      // The job is fetched again by a worker: it is really back in the queue.
      const [again] = await boss.fetch(queue);
      expect(again?.id).toBe(jobId);

      // Not failed any more (active now), and a job that does not exist: nothing to retry.
      await expectTrpcError(admin.caller.admin.queues.retry({ queue, jobId: jobId as string }), "NOT_FOUND");
      await expectTrpcError(admin.caller.admin.queues.retry({ queue, jobId: randomUUID() }), "NOT_FOUND");
      await expectTrpcError(admin.caller.admin.queues.retry({ queue: "no.such-queue", jobId: randomUUID() }), "NOT_FOUND");
      await expectTrpcError(admin.caller.admin.queues.failed({ queue: "not a queue; drop" }), "BAD_REQUEST");
    } finally {
      await boss.deleteQueue(queue);
    }
  });
});

describe("users and credits", () => {
  it("a grant shows in the user's balance and history with its reason, once per key", async () => {
    const before = await user.caller.credits.balance();
    const key = randomUUID();
    const reason = "Sorry for the outage on Monday";
    expect(await admin.caller.admin.users.grantCredits({ userId: user.me.id, amount: 250, reason, idempotencyKey: key })).toEqual(
      {
        granted: true,
      },
    );
    const after = await user.caller.credits.balance();
    expect(after.available).toBe(before.available + 250);
    const history = await user.caller.credits.history({});
    expect(history.some((e) => e.note === reason && e.amount === 250)).toBe(true);

    // A retried request grants once.
    expect(await admin.caller.admin.users.grantCredits({ userId: user.me.id, amount: 250, reason, idempotencyKey: key })).toEqual(
      {
        granted: false,
      },
    );
    expect((await user.caller.credits.balance()).available).toBe(after.available);

    await expectTrpcError(
      admin.caller.admin.users.grantCredits({ userId: randomUUID(), amount: 5, reason: "nobody", idempotencyKey: randomUUID() }),
      "NOT_FOUND",
    );
    await expectTrpcError(
      call(admin.caller, "admin.users.grantCredits", {
        userId: user.me.id,
        amount: 0,
        reason: "zero",
        idempotencyKey: randomUUID(),
      }),
      "BAD_REQUEST",
    );

    const dash = await admin.caller.admin.dashboard.overview({ days: 1 });
    const today = new Date().toISOString().slice(0, 10);
    const grants = dash.ledgerByDay.find((r) => r.day === today && r.entryType === "grant");
    expect(grants?.amount).toBeGreaterThanOrEqual(250);
  });

  it("finds users, changes their tier and shows their sign-ins and balance", async () => {
    const found = await admin.caller.admin.users.search({ query: user.email });
    expect(found.users).toHaveLength(1);
    await admin.caller.admin.users.setTier({ userId: user.me.id, tier: "pro" });
    expect((await user.caller.profile.get()).subscriptionTier).toBe("pro");

    const detail = await admin.caller.admin.users.detail({ userId: user.me.id });
    expect(detail.signIns.length).toBeGreaterThanOrEqual(1);
    expect(detail.signIns[0]).toMatchObject({ userAgent: "vitest" });
    expect(detail.balance.available).toBe((await user.caller.credits.balance()).available);
    // Another user's sign-ins are not mixed in (the admin's own session is not the user's).
    const adminSessions = await admin.caller.sessions.list();
    expect(detail.signIns.map((s) => s.id)).not.toContain(adminSessions[0]?.id);
  });

  it("reconciliation reports no drift for a healthy account", async () => {
    const report = await admin.caller.admin.credits.reconcile();
    expect(Array.isArray(report)).toBe(true);
    expect(report.some((d) => d.userId === user.me.id)).toBe(false);
  });
});
