/**
 * The roster sync through the real worker (pg-boss, the registered handler): a teacher signed in with
 * Clever (the sandbox provider, the domain's sign-in flow), `classrooms.sync-roster` enqueued twice →
 * the same rows; a student taken off the sandbox roster is gone after the next sync.
 */
import { randomUUID } from "node:crypto";
import { asSystem, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { classrooms, syncRosterJob } from "@inkwell/domain/classrooms";
import { type IdentitySandbox, startIdentitySandbox } from "@inkwell/domain/classrooms/testing";
import { defaultIdentitySettings, type OAuthSignInDeps, oauthSignIn } from "@inkwell/domain/identity";
import { createBoss, createEnqueue, generateKeySpec, parseKeyRing } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, inject, it, vi } from "vitest";
import { loadWorkerEnv } from "../src/env.ts";
import { type RunningWorker, startWorker } from "../src/worker.ts";

const url = inject("databaseUrl");
const { db } = createDb({ url, max: 2 });
const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };
const keySpec = generateKeySpec("roster");
let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;
let worker: RunningWorker;
let boss: ReturnType<typeof createBoss>;
let sandbox: IdentitySandbox;

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
  sandbox = await startIdentitySandbox();
  worker = await startWorker(
    loadWorkerEnv({ DATABASE_URL: url, SMTP_URL: smtp.url, WORKER_POLL_SECONDS: "0.5", INKWELL_ENCRYPTION_KEYS: keySpec }),
    log,
  );
  boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
});
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await worker?.stop({ graceful: false });
  await sandbox?.stop();
  await smtp?.stop();
  await db.destroy();
});

/** Signs a Clever sandbox user in through the domain's flow (start → authorize → finish). */
async function signInWithClever(hint: string): Promise<string> {
  const keyRing = parseKeyRing(keySpec);
  const deps: OAuthSignInDeps = {
    db,
    enqueue: createEnqueue(boss),
    config: { ...defaultIdentitySettings, appUrl: "http://app.test", keyRing },
    oauth: {
      providers: {
        clever: { ...sandbox.clients.clever, issuer: sandbox.cleverUrl },
        google: { ...sandbox.clients.google, issuer: sandbox.googleIssuer },
      },
      cleverApiUrl: sandbox.url,
      callbackBaseUrl: "http://app.test",
    },
  };
  const { url: authorize } = await oauthSignIn.startSignIn(deps, "clever", { loginHint: hint });
  const back = await fetch(authorize, { redirect: "manual" });
  const params = new URL(back.headers.get("location") ?? "").searchParams;
  const done = await oauthSignIn.finishSignIn(
    {
      ...deps,
      // As the API wires it: a Clever sign-in records the Clever account (the sync needs the role).
      afterLink: (tx, link) => classrooms.recordCleverSignIn(tx, link),
    },
    "clever",
    params,
    { ip: "127.0.0.1", userAgent: null },
  );
  return done.userId;
}

const rosterOf = (teacherId: string) =>
  asSystem(db, (tx) =>
    tx
      .selectFrom("classroom_students as s")
      .innerJoin("classrooms as c", "c.id", "s.classroom_id")
      .select(["s.id", "s.clever_student_id", "c.clever_section_id", "s.updated_at"])
      .where("c.teacher_id", "=", teacherId)
      .orderBy("s.id")
      .execute(),
  );

async function syncAndWait(teacherId: string) {
  const before = await asSystem(db, (tx) =>
    tx.selectFrom("clever_accounts").select("last_sync_at").where("user_id", "=", teacherId).executeTakeFirstOrThrow(),
  );
  await asSystem(db, (tx) =>
    createEnqueue(boss)(tx, syncRosterJob, { teacherId, apiUrl: sandbox.url }, { singletonKey: teacherId }),
  );
  await vi.waitFor(
    async () => {
      const now = await asSystem(db, (tx) =>
        tx
          .selectFrom("clever_accounts")
          .select(["last_sync_at", "last_sync_status"])
          .where("user_id", "=", teacherId)
          .executeTakeFirstOrThrow(),
      );
      if (now.last_sync_status !== "ok" || now.last_sync_at?.getTime() === before.last_sync_at?.getTime())
        throw new Error("not synced yet");
    },
    { timeout: 20_000, interval: 200 },
  );
}

it("syncing twice gives the same rows; a student removed from the roster is gone after the next sync", async () => {
  const tag = randomUUID().slice(0, 6);
  const teacher = sandbox.addUser({
    id: `t-${tag}`,
    provider: "clever",
    role: "teacher",
    email: `t-${tag}@example.test`,
    firstName: "T",
    lastName: tag,
  });
  const students = [1, 2, 3].map((n) =>
    sandbox.addUser({ id: `s${n}-${tag}`, provider: "clever", role: "student", email: null, firstName: `S${n}`, lastName: tag }),
  );
  sandbox.addSection({ id: `sec-${tag}`, name: `Chemistry ${tag}`, teachers: [teacher.id], students: students.map((s) => s.id) });
  sandbox.setPageSize(2);
  const teacherId = await signInWithClever(teacher.id);

  await syncAndWait(teacherId);
  const first = await rosterOf(teacherId);
  expect(first.map((r) => r.clever_student_id).sort()).toEqual(students.map((s) => s.id).sort());
  await syncAndWait(teacherId);
  expect((await rosterOf(teacherId)).map((r) => [r.id, r.clever_student_id])).toEqual(
    first.map((r) => [r.id, r.clever_student_id]),
  );

  sandbox.removeStudent(`sec-${tag}`, students[1]?.id ?? "");
  await syncAndWait(teacherId);
  const after = await rosterOf(teacherId);
  expect(after.map((r) => r.clever_student_id).sort()).toEqual([students[0]?.id, students[2]?.id].sort());
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM classrooms WHERE teacher_id = ${teacherId}`.execute(
    db,
  );
  expect(rows[0]?.n).toBe(1);
});
