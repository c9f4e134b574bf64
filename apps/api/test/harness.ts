/**
 * Everything an API test needs, real: the migrated database, pg-boss, and the run's mailbox (the
 * identity mail jobs are worked once for every file, by the global setup: mailbox.ts says why). Procedures are called in-process through
 * `createCaller`, or over HTTP through the Hono app (`app.request`).
 */
import { randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asSystem, createDb, type Database, type Tx } from "@inkwell/db";
import { type AiProvider, createAiProvider } from "@inkwell/domain/ai";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { chat, chatJobs } from "@inkwell/domain/chat";
import { connectionsJobs } from "@inkwell/domain/connections";
import { LocalDiskStorage } from "@inkwell/domain/files";
import { defaultIdentitySettings } from "@inkwell/domain/identity";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import {
  createBoss,
  createEnqueue,
  createSmtpMailer,
  generateKeySpec,
  parseKeyRing,
  prepareQueues,
  registerJobs,
} from "@inkwell/domain/platform";
import { publishingRuntime, realPlatformsConfig, sandboxPublishingRuntime } from "@inkwell/domain/platforms";
import { type SandboxPlatform, startSandboxPlatform } from "@inkwell/domain/platforms/testing";
import { type QueryResult, type RawBuilder, sql } from "kysely";
import { inject, vi } from "vitest";
import { createApp } from "../src/app.ts";
import { createCaller } from "../src/router.ts";
import { type ApiDeps, createTestContext } from "../src/trpc/context.ts";
import { openMailbox } from "./mailbox.ts";

const silent = {
  info() {},
  warn() {},
  error(obj: object, msg?: string) {
    // Unexpected errors are worth seeing in test output.
    console.error(msg, obj);
  },
};

/** A tRPC caller of the whole router. */
export type Caller = ReturnType<typeof createCaller>;

/**
 * Declared, not inferred: the router grew past the size TypeScript will write out inline for an inferred
 * type (TS7056), and a named interface is referred to by name.
 */
export interface Harness {
  db: Database;
  deps: ApiDeps;
  smtp: ReturnType<typeof openMailbox>;
  app: ReturnType<typeof createApp>;
  /** The address this harness's callers use unless a test gives one. */
  ip: string;
  anon(ip?: string): Caller;
  as(token: string, ip?: string): Caller;
  uniqueEmail(tag?: string): string;
  /** Signs up a fresh user; returns their bearer token and profile, and a caller from their own address. */
  signUp(
    tag?: string,
    password?: string,
  ): Promise<{ email: string; password: string; token: string; me: SignInMe; caller: Caller }>;
  /** The link token from the `nth` mail (the first by default) to `email` whose link path matches. */
  linkToken(email: string, path: "verify-email" | "reset-password", nth?: number): Promise<string>;
  mailJobsDone(email: string, timeout?: number): Promise<void>;
  /** Runs SQL as the connecting (owner) role: for arranging time-based states, never in product code. */
  raw<R>(query: RawBuilder<R>): Promise<QueryResult<R>>;
  asSystem<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}
type SignInMe = NonNullable<Awaited<ReturnType<Caller["auth"]["signIn"]>>["me"]>;

export async function startHarness(
  options: {
    throttle?: Partial<ApiDeps["identity"]["throttle"]>;
    /** The AI provider procedures use; the offline one by default. */
    ai?: AiProvider;
    /** Publishing goes to this sandbox platform; without one no OAuth platform is configured. */
    sandbox?: SandboxPlatform;
    /**
     * Work the connection refresh jobs here. Opt-in: test files share the database and its queues, and a
     * refresh taken by another file's worker would go to that file's sandbox.
     */
    connectionJobs?: boolean;
  } = {},
): Promise<Harness> {
  const url = inject("databaseUrl");
  const smtp = openMailbox(inject("mailUrl"), inject("mailDir"));
  const { db } = createDb({ url, max: 12 });
  const boss = createBoss(url, { supervise: false, schedule: false, max: 3 });
  // A failed poll is retried on the next one; unheard, pg-boss's error event would fail the file.
  boss.on("error", (error) => silent.error({ error: error.message }, "pg-boss error"));
  await boss.start();
  const mailer = createSmtpMailer({ url: smtp.url, from: "Inkwell <no-reply@inkwell.test>" });
  const ai = options.ai ?? createAiProvider({ provider: "offline" });
  // Chat jobs are enqueued (queues exist) but not worked here, so background titles never change rows
  // under a test; chat tests run the handlers directly.
  await prepareQueues(boss, db, chatJobs);
  const keyRing = parseKeyRing(generateKeySpec("t1"));
  // Uploads go to a fresh folder per harness, removed on stop.
  const filesDir = mkdtempSync(join(tmpdir(), "inkwell-api-files-"));
  const deps: ApiDeps = {
    db,
    ai,
    enqueue: createEnqueue(boss),
    keyRing,
    log: silent,
    cookieSecure: false,
    storage: new LocalDiskStorage(filesDir),
    identity: {
      ...defaultIdentitySettings,
      throttle: { ...defaultIdentitySettings.throttle, ...options.throttle },
      appUrl: "http://app.test",
      keyRing,
    },
    publishing: options.sandbox
      ? sandboxPublishingRuntime(options.sandbox.url, "http://app.test")
      : publishingRuntime({
          platforms: realPlatformsConfig({
            x: { clientId: "", clientSecret: "" },
            linkedin: { clientId: "", clientSecret: "" },
            threads: { clientId: "", clientSecret: "" },
          }),
          callbackBaseUrl: "http://app.test",
        }),
  };
  if (options.connectionJobs) {
    // The connection refresh jobs run here (the sweep enqueues them; no cron in tests).
    await prepareQueues(boss, db, connectionsJobs);
    await registerJobs(
      boss,
      handlersFor(connectionsJobs),
      { db, mailer, log: silent, ai, keyRing, publishing: deps.publishing, enqueue: deps.enqueue },
      { pollingIntervalSeconds: 0.5 },
    );
  }
  const app = createApp({
    deps,
    env: {
      APP_URL: "http://app.test",
      ALLOWED_ORIGINS: [],
      TRUST_PROXY: true,
      INKWELL_DEV_MAIL_DIR: undefined,
      WEB_DIST_DIR: undefined,
    },
  });
  // Test files share one database, so per-address limits (sign-in, sign-up, generation starts) would
  // add up across files if every caller came from one address and a later file would be refused. Each
  // harness (one per test file) calls from an address of its own in 198.18.0.0/15 (a range no test
  // writes by hand); a test that passes an address, or an X-Forwarded-For header, still gets exactly
  // that, so the tests of the limits themselves are unchanged.
  const fileIp = `198.${18 + randomInt(2)}.${randomInt(256)}.${1 + randomInt(254)}`;
  // In-process HTTP calls (`app.request`) have no socket, so they carry the address as a trusted proxy
  // would (TRUST_PROXY is on). Requests to a served `app.fetch` come from their real socket.
  const request = app.request;
  app.request = ((input: string | URL | Request, init?: RequestInit, ...rest: unknown[]) => {
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", fileIp);
    return (request as (...args: unknown[]) => ReturnType<typeof request>)(input, { ...init, headers }, ...rest);
  }) as typeof app.request;
  let counter = 0;

  const h: Harness = {
    db,
    deps,
    smtp,
    app,
    /** The address this harness's callers use unless a test gives one. */
    ip: fileIp,
    anon: (ip = fileIp) => createCaller(createTestContext(deps, { ip })),
    as: (token: string, ip = fileIp) => createCaller(createTestContext(deps, { token, ip })),
    uniqueEmail: (tag = "user") => `${tag}-${Date.now()}-${++counter}-${Math.random().toString(36).slice(2, 8)}@example.test`,
    /** Signs up a fresh user; returns their bearer token and profile, and a caller from their own address. */
    async signUp(tag = "user", password = "correct horse battery staple") {
      const email = h.uniqueEmail(tag);
      const ip = `10.${counter % 250}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      // Sign-up answers alike for new and taken addresses and signs nobody in: the new account signs in.
      await h.anon(ip).auth.signUp({ email, password, displayName: tag });
      const res = await h.anon(ip).auth.signIn({ email, password, delivery: "bearer" });
      if (!res.token) throw new Error("no token");
      return { email, password, token: res.token, me: res.me, caller: h.as(res.token, ip) };
    },
    /** The link token from the `nth` mail (the first by default) to `email` whose link path matches. */
    async linkToken(email: string, path: "verify-email" | "reset-password", nth = 1) {
      const mail = await smtp.waitFor((m) => m.to.includes(email) && m.text.includes(`/${path}?token=`), 15_000, nth);
      const token = new RegExp(`/${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text)?.[1];
      if (!token) throw new Error("no token in mail");
      return token;
    },
    /**
     * Waits until the jobs that mention `email` (its mail jobs) have all finished, and at least one was
     * enqueued. Only then does "nothing was mailed to it" mean something: the run's one mail worker may
     * be busy with other files' mail, and a fixed wait that ends before it reaches the job checks nothing.
     */
    async mailJobsDone(email: string, timeout = 15_000) {
      await vi.waitFor(
        async () => {
          const { rows } = await sql<{ jobs: number; open: number }>`
            SELECT count(*)::int AS jobs, count(*) FILTER (WHERE state IN ('created', 'retry', 'active'))::int AS open
              FROM pgboss.job WHERE position(${email} in data::text) > 0`.execute(db);
          const { jobs, open } = rows[0] ?? { jobs: 0, open: 0 };
          if (jobs === 0 || open > 0) throw new Error(`mail jobs for ${email}: ${jobs} enqueued, ${open} not finished`);
        },
        { timeout, interval: 100 },
      );
    },
    /** Runs SQL as the connecting (owner) role: for arranging time-based states, never in product code. */
    raw: <R>(query: RawBuilder<R>) => query.execute(db),
    asSystem: <T>(fn: Parameters<typeof asSystem<T>>[1]) => asSystem(db, fn),
    async stop() {
      await chat.settled();
      await boss.stop({ graceful: false });
      mailer.close();
      await db.destroy();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Expects a tRPC error with this code; returns it for further checks. */
export async function expectTrpcError(promise: Promise<unknown>, code: string) {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; message: string; cause?: unknown; shape?: unknown };
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

/**
 * A harness whose AI provider is the real openai SDK talking to the local OpenAI-compatible server
 * (no retries, so injected faults surface at once). `stop` ends both.
 */
export async function startHarnessWithLocalModel(): Promise<{
  h: Harness;
  server: OpenAiCompatibleServer;
  stop(): Promise<void>;
}> {
  const server = await startOpenAiCompatibleServer();
  const h = await startHarness({
    ai: createAiProvider({ provider: "openai", openai: { baseUrl: server.url, apiKey: "test-key", maxRetries: 0 } }),
  });
  return {
    h,
    server,
    async stop() {
      await h.stop();
      await server.stop();
    },
  };
}

/**
 * A harness whose publishing platforms are a sandbox platform started for the test file (the
 * OAuth callback base is http://app.test, served by `h.app`). `stop` ends both.
 */
export async function startHarnessWithSandbox(
  options: { connectionJobs?: boolean } = {},
): Promise<{ h: Harness; sandbox: SandboxPlatform; stop(): Promise<void> }> {
  const sandbox = await startSandboxPlatform();
  const h = await startHarness({ sandbox, ...options });
  return {
    h,
    sandbox,
    async stop() {
      await h.stop();
      await sandbox.stop();
    },
  };
}
