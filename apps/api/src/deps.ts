/** Builds what procedures need from the validated environment. */
import { createDb } from "@inkwell/db";
import { pgBossQueueAdmin } from "@inkwell/domain/admin";
import { aiConfigFromEnv, createAiProvider } from "@inkwell/domain/ai";
import { DEFAULT_PRINT_API_URL } from "@inkwell/domain/books";
import { createStorageFromEnv } from "@inkwell/domain/files";
import { defaultEngine } from "@inkwell/domain/generation";
import { defaultIdentitySettings, identity, oauthRuntimeFromEnv } from "@inkwell/domain/identity";
import { allJobs } from "@inkwell/domain/jobs";
import { paymentsRuntimeFromEnv } from "@inkwell/domain/payments";
import { createBoss, createEnqueue, type Logger, parseKeyRing, prepareQueues } from "@inkwell/domain/platform";
import { publishingRuntimeFromEnv } from "@inkwell/domain/platforms";
import { DEFAULT_REEL_STATS_URL, ttsRuntimeFromEnv } from "@inkwell/domain/studio";
import type { Env } from "./env.ts";
import type { ApiDeps } from "./trpc/context.ts";

/**
 * The queues the API may enqueue into (inside its transactions): every job in the domain's registry,
 * the same list the worker runs. Created at start, which also fills pg-boss's queue cache: an uncached
 * queue would be looked up on a second connection mid-transaction, which the embedded database (one
 * transaction at a time) would never answer.
 */
export const apiQueues = allJobs;

export async function createApiDeps(env: Env, log: Logger): Promise<{ deps: ApiDeps; close(): Promise<void> }> {
  const { db } = createDb({ url: env.DATABASE_URL, max: 10, applicationName: "inkwell-api" });
  // The API only enqueues: no supervision, no cron, no workers (those are the worker's job), and so no
  // listening connection either — the NOTIFY that wakes the worker is sent by the enqueuing statement itself.
  const boss = createBoss(env.DATABASE_URL, { supervise: false, schedule: false, max: 2, listenNotify: false });
  boss.on("error", (err) => log.error({ err }, "pg-boss error"));
  await boss.start();
  await prepareQueues(boss, db, apiQueues, { directUrl: env.DATABASE_DIRECT_URL });
  // Streams follow generations of other API instances through LISTEN/NOTIFY, on a connection of its
  // own opened here (never inside a transaction), direct to Postgres when a pooler fronts DATABASE_URL.
  // The embedded database does not deliver notices: there the bus stays in-process (one API process)
  // and streams poll rows for anything else.
  await defaultEngine.bus.listen(env.DATABASE_DIRECT_URL ?? env.DATABASE_URL, { log, probe: db });
  const keyRing = parseKeyRing(env.INKWELL_ENCRYPTION_KEYS);
  const ai = createAiProvider(aiConfigFromEnv(env));
  // Users' saved AI connections are used for their calls (identity reads and opens them).
  identity.bindSavedAiConnections(ai, db, keyRing);
  const deps: ApiDeps = {
    db,
    ai,
    enqueue: createEnqueue(boss),
    keyRing,
    log,
    cookieSecure: new URL(env.APP_URL).protocol === "https:",
    storage: createStorageFromEnv(env),
    identity: { ...defaultIdentitySettings, appUrl: env.APP_URL, keyRing },
    // The OAuth callback is /oauth/callback/:platform on the app's own origin (Vite proxies it in development).
    publishing: publishingRuntimeFromEnv(env, env.APP_URL),
    // Checkout returns the buyer to the app's origin; STRIPE_API_URL points the SDK at the local sandbox.
    payments: paymentsRuntimeFromEnv(env, env.APP_URL),
    reelStatsSandbox: env.REEL_STATS_URL === DEFAULT_REEL_STATS_URL,
    printSandbox: env.PRINT_API_URL === DEFAULT_PRINT_API_URL,
    tts: ttsRuntimeFromEnv(env),
    // Sign-in with Clever / Google comes back to /auth/oauth/:provider/callback on the app's origin.
    oauth: oauthRuntimeFromEnv(env, env.APP_URL),
    queueAdmin: pgBossQueueAdmin(boss),
  };
  return {
    deps,
    async close() {
      await boss.stop({ graceful: true, timeout: 5_000 });
      await defaultEngine.bus.close();
      await db.destroy();
    },
  };
}
