/**
 * The real Inkwell stack in this process: the API (serving the built web app) on a free port, the
 * worker part that delivers mail (and publishes posts), a local SMTP server that receives it, and the
 * sandbox publishing platform every platform points at.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServerType, serve } from "@hono/node-server";
import { createApiDeps, createApp, loadEnv } from "@inkwell/api";
import { asSystem, createDb } from "@inkwell/db";
import { createAiProvider } from "@inkwell/domain/ai";
import { chatJobs } from "@inkwell/domain/chat";
import { connectionsJobs } from "@inkwell/domain/connections";
import type { Operation } from "@inkwell/domain/credits";
import { identityJobs } from "@inkwell/domain/identity";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import { knowledgeJobs } from "@inkwell/domain/knowledge";
import {
  createBoss,
  createEnqueue,
  createSmtpMailer,
  generateKeySpec,
  type Logger,
  parseKeyRing,
  prepareQueues,
  registerJobs,
} from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { publishingRuntimeFromEnv } from "@inkwell/domain/platforms";
import { startSandboxPlatform } from "@inkwell/domain/platforms/testing";
import { postsJobs } from "@inkwell/domain/posts";
import { usage } from "@inkwell/domain/usage";
import { voiceJobs } from "@inkwell/domain/voice";
import { writerJobs } from "@inkwell/domain/writer";

/** E2E_WEB_DIST: a folder of one's own, so that runs side by side do not rebuild each other's app mid-test. */
export const webDist = process.env.E2E_WEB_DIST ?? fileURLToPath(new URL("../dist", import.meta.url));

/** Quiet, but unexpected errors are worth seeing in the test output. */
const log: Logger = {
  info() {},
  warn(obj, msg) {
    console.warn("[stack]", msg, obj);
  },
  error(obj, msg) {
    console.error("[stack]", msg, obj);
  },
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export interface StackOptions {
  /** Extra API environment, e.g. `AI_PROVIDER: "openai"` with `OPENAI_BASE_URL` of a local test server. */
  env?: Record<string, string>;
}

export async function startStack(databaseUrl: string, options: StackOptions = {}) {
  const smtp = await startLocalSmtpServer();
  // Publishing goes to the local sandbox platform (OAuth, posts and its feed page), as in the embedded default.
  const sandbox = await startSandboxPlatform();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // Uploads (logos) in a fresh folder, removed on stop.
  const filesDir = mkdtempSync(join(tmpdir(), "inkwell-e2e-files-"));
  const env = loadEnv({
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtp.url,
    INKWELL_ENCRYPTION_KEYS: generateKeySpec("e2e"),
    APP_URL: baseUrl,
    WEB_DIST_DIR: webDist,
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLISHING_SANDBOX_URL: sandbox.url,
    STORAGE_LOCAL_DIR: filesDir,
    ...options.env,
  });

  // The API (createApiDeps also creates the queues).
  const api = await createApiDeps(env, log);
  const app = createApp({ deps: api.deps, env });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve(s));
  });

  // The worker's part: run the identity jobs (mail to the local SMTP server), chat's (titles), the
  // writer's (knowledge embeddings) and the voice analysis.
  const { db } = createDb({ url: databaseUrl, max: 3 });
  // Every file signs up from 127.0.0.1 into the run's one database, so the per-address sign-up limit
  // (20 an hour) counted the whole run's sign-ups, and the run has more than that: each file starts as
  // a fresh address would.
  await asSystem(db, (tx) => tx.deleteFrom("auth_throttles").where("key", "like", "signup-ip:%").execute());
  const boss = createBoss(databaseUrl, { supervise: false, schedule: false, max: 3 });
  boss.on("error", (err) => log.error({ err }, "pg-boss (worker) error"));
  await boss.start();
  const mailer = createSmtpMailer({ url: smtp.url, from: "Inkwell <no-reply@inkwell.test>" });
  const jobs = [...identityJobs, ...chatJobs, ...knowledgeJobs, ...writerJobs, ...connectionsJobs, ...postsJobs, ...voiceJobs];
  // The API created the queues it sends to; the worker's own (the publishing sweeps) are created here.
  await prepareQueues(boss, db, jobs);
  await registerJobs(
    boss,
    handlersFor(jobs),
    {
      db,
      mailer,
      log,
      ai: createAiProvider({ provider: "offline" }),
      enqueue: createEnqueue(boss),
      // The app's address too: Threads fetches a post's image from a signed URL under it.
      publishing: publishingRuntimeFromEnv(env, env.APP_URL),
      keyRing: parseKeyRing(env.INKWELL_ENCRYPTION_KEYS),
      // Posts with images read them from the API's storage.
      storage: api.deps.storage,
    },
    { pollingIntervalSeconds: 0.5 },
  );

  return {
    baseUrl,
    smtp,
    sandbox,
    /** The link of the newest mail to `email` pointing at `path` (e.g. "/verify-email"). */
    async linkFromMail(email: string, path: string, timeoutMs = 15_000): Promise<string> {
      const pattern = new RegExp(`https?://\\S+${path}\\?token=[A-Za-z0-9_-]+`);
      const matches = (m: { to: string[]; text: string }) => m.to.includes(email) && pattern.test(m.text);
      await smtp.waitFor(matches, timeoutMs);
      const newest = smtp.messages.filter(matches).at(-1)!;
      return pattern.exec(newest.text)![0];
    },
    /**
     * One metered AI call for the account `email`, exactly as a Generate button's procedure runs it
     * (rate limit, reserve, record, then capture — or release when the provider fails), with a canned
     * provider answer instead of a real one.
     */
    async generate(email: string, call: { operation: Operation; quantity?: number; topic?: string; failWith?: string }) {
      const { id: userId } = await asSystem(db, (tx) =>
        tx.selectFrom("users").select("id").where("email", "=", email.toLowerCase()).executeTakeFirstOrThrow(),
      );
      const run = usage.runMetered(
        { db },
        { userId, ip: "127.0.0.1" },
        {
          operation: call.operation,
          quantity: call.quantity,
          topic: call.topic,
          provider: "e2e",
          idempotencyKey: randomUUID(),
          request: { topic: call.topic },
        },
        async () => {
          if (call.failWith) throw new Error(call.failWith);
          return { result: null, model: "e2e-model-1", inputTokens: 1200, outputTokens: 340, latencyMs: 1830 };
        },
      );
      return call.failWith ? run.catch(() => null) : run;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await boss.stop({ graceful: false });
      mailer.close();
      await db.destroy();
      await api.close();
      await smtp.stop();
      await sandbox.stop();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}
