/**
 * The background worker: pg-boss 12 on the application database. It creates the queues, registers a
 * handler per job (see jobs.ts) and the cron schedules, and on stop lets in-flight jobs finish (up to
 * a timeout) before closing; a job still running when the process dies is retried by pg-boss once its
 * expiry passes, so handlers are written to be safe to run twice.
 */
import { createDb } from "@inkwell/db";
import { aiConfigFromEnv, createAiProvider } from "@inkwell/domain/ai";
import { printVendorRuntimeFromEnv } from "@inkwell/domain/books";
import { createStorageFromEnv } from "@inkwell/domain/files";
import { identity } from "@inkwell/domain/identity";
import { assertWorkerDeps, type WorkerDeps } from "@inkwell/domain/jobs/handlers";
import {
  createBoss,
  createEnqueue,
  createSmtpMailer,
  type Logger,
  parseKeyRing,
  prepareQueues,
  registerJobs,
} from "@inkwell/domain/platform";
import { publishingRuntimeFromEnv } from "@inkwell/domain/platforms";
import { createHostSlots, type HostSlots, shareHostSlots } from "@inkwell/domain/posts";
import { reelStatsClientFromEnv } from "@inkwell/domain/studio";
import type { WorkerEnv } from "./env.ts";
import { allHandlers, allJobs } from "./jobs.ts";

export interface RunningWorker {
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

export async function startWorker(env: WorkerEnv, log: Logger): Promise<RunningWorker> {
  // Nothing below connects until boss.start(), so a worker missing what a job needs (say
  // INKWELL_ENCRYPTION_KEYS for the publishing jobs) stops first, naming the job, instead of failing
  // that job on every run.
  const { db } = createDb({ url: env.DATABASE_URL, max: 6, applicationName: "inkwell-worker" });
  // pg-boss holds a LISTENing session (woken at commit for new jobs): direct when a pooler fronts DATABASE_URL.
  const boss = createBoss(env.DATABASE_DIRECT_URL ?? env.DATABASE_URL, {
    supervise: true,
    schedule: true,
    max: 6,
    superviseIntervalSeconds: env.WORKER_SUPERVISE_SECONDS,
  });
  const mailer = createSmtpMailer({ url: env.SMTP_URL, from: env.MAIL_FROM });
  const deps: WorkerDeps = {
    db,
    mailer,
    log,
    ai: createAiProvider(aiConfigFromEnv(env)),
    enqueue: createEnqueue(boss),
    storage: createStorageFromEnv(env),
    publishing: publishingRuntimeFromEnv(env, env.APP_URL ?? null),
    reelStats: reelStatsClientFromEnv(env),
    // The printer downloads a book's PDFs from signed /files links on the app's public origin.
    printVendor: printVendorRuntimeFromEnv(env, env.APP_URL ?? "http://localhost:3000"),
    ...(env.INKWELL_ENCRYPTION_KEYS ? { keyRing: parseKeyRing(env.INKWELL_ENCRYPTION_KEYS) } : {}),
  };
  // Users' saved AI connections are used for their metered calls here too (voice analysis).
  if (deps.keyRing && deps.ai) identity.bindSavedAiConnections(deps.ai, db, deps.keyRing);
  try {
    assertWorkerDeps(allHandlers, deps);
  } catch (err) {
    mailer.close();
    await db.destroy();
    throw err;
  }
  boss.on("error", (err) => log.error({ err }, "pg-boss error"));
  await boss.start();
  await prepareQueues(boss, db, allJobs, { directUrl: env.DATABASE_DIRECT_URL });
  // A platform host's request slots are shared with every other worker, as session locks on a
  // connection of this process's own (direct, like pg-boss's): see posts.publisher.slots.ts.
  let slots: HostSlots | undefined;
  if (deps.publishing) {
    slots = await createHostSlots({
      url: env.DATABASE_DIRECT_URL ?? env.DATABASE_URL,
      perHost: env.PUBLISHING_MAX_IN_FLIGHT_PER_HOST,
      probe: db,
      log,
    });
    shareHostSlots(deps.publishing, slots);
  }
  await registerJobs(boss, allHandlers, deps, { pollingIntervalSeconds: env.WORKER_POLL_SECONDS });
  log.info({ queues: allJobs.map((j) => j.name) }, "worker started");
  return {
    async stop({ graceful = true, timeoutMs = 20_000 } = {}) {
      await boss.stop({ graceful, timeout: timeoutMs });
      await slots?.close();
      mailer.close();
      await db.destroy();
    },
  };
}
