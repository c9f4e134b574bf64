/**
 * The system under test, once per process: a migrated database (provisionTestDatabase: embedded PGlite,
 * or a fresh database on the server in DATABASE_URL), the real API (createApiDeps + createApp) served on
 * loopback, and helpers to sign users up through it and to serve extra apps next to it.
 */
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { type AppRouter, type createApiDeps as CreateApiDeps, createApiDeps, createApp, loadEnv } from "@inkwell/api";
import { provisionTestDatabase, type TestDatabase } from "@inkwell/db/testing";
import { generateKeySpec, type Logger } from "@inkwell/domain/platform";
import { type LocalSmtpServer, startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { createTRPCClient, httpLink } from "@trpc/client";
import pg from "pg";
import { mainThreadCpuMeter, postgresCpuMeter } from "./pg-cpu.ts";
import type { CpuMeter } from "./runner.ts";

export interface BenchUser {
  id: string;
  email: string;
  token: string;
}

export interface Served {
  origin: string;
  close(): Promise<void>;
}

export type ApiDeps = Awaited<ReturnType<typeof CreateApiDeps>>["deps"];
export type ApiEnv = ReturnType<typeof loadEnv>;

export interface Stack {
  database: TestDatabase;
  serverVersion: string;
  api: Served;
  deps: ApiDeps;
  /** The API's validated env (e.g. to serve another app on the same deps). */
  env: ApiEnv;
  /**
   * Extra CPU meters for the runner: this process's main thread (the servers, without the HTTP load
   * generator) and Postgres backend CPU when the server is local and visible.
   */
  meters: CpuMeter[];
  /** Signs up `count` fresh users through the API (bearer delivery), each from its own client IP. */
  signUp(count: number, tag?: string): Promise<BenchUser[]>;
  /**
   * A second API on the same database and SMTP server, built from the stack's env plus `extraEnv`
   * (e.g. AI_PROVIDER=openai with OPENAI_BASE_URL of a local server); closed with the stack.
   */
  startApi(extraEnv: Record<string, string>): Promise<Served>;
  /** Serves a fetch handler on a free loopback port with the same server settings as the API. */
  listen(fetch: (req: Request) => Response | Promise<Response>): Promise<Served>;
  close(): Promise<void>;
}

/** Errors still reach stderr (once per message), so a broken variant is visible; request logs do not. */
function quietLogger(): Logger {
  const seen = new Set<string>();
  return {
    info() {},
    warn() {},
    error(obj, msg) {
      const key = msg ?? "error";
      if (seen.has(key)) return;
      seen.add(key);
      console.error(`[api] ${key}`, obj);
    },
  };
}

export async function listen(fetch: (req: Request) => Response | Promise<Response>): Promise<Served> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const http = server as import("node:http").Server;
  // Rounds leave a server idle for several seconds; keep client connections open across them (as a
  // proxy in front of the API would), instead of racing the default 5 s idle close.
  http.keepAliveTimeout = 120_000;
  const { port } = http.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}

const PASSWORD = "correct horse battery staple";

export async function startStack(log: (line: string) => void): Promise<Stack> {
  const t0 = performance.now();
  const database = await provisionTestDatabase();
  const cleanups: (() => Promise<void>)[] = [() => database.teardown()];
  const closeAll = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error("cleanup failed:", e));
    cleanups.length = 0;
  };
  try {
    const probe = new pg.Client({ connectionString: database.url });
    await probe.connect();
    const serverVersion = (await probe.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "?";
    await probe.end();
    log(`database: ${database.kind} (Postgres ${serverVersion}), migrated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const meters: CpuMeter[] = [];
    const main = mainThreadCpuMeter();
    if (main) meters.push(main);
    if (database.kind === "native") {
      const meter = await postgresCpuMeter(database.url).catch(() => null);
      if (meter) {
        meters.push(meter);
        cleanups.push(() => meter.close());
      }
    }

    const smtp: LocalSmtpServer = await startLocalSmtpServer();
    cleanups.push(() => smtp.stop());
    const baseEnv: Record<string, string> = {
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      INKWELL_ENCRYPTION_KEYS: generateKeySpec("bench"),
      SMTP_URL: smtp.url,
      APP_URL: "http://bench.localhost",
      TRUST_PROXY: "true",
      LOG_LEVEL: "silent",
    };
    const env = loadEnv(baseEnv);
    const { deps, close } = await createApiDeps(env, quietLogger());
    cleanups.push(close);
    const app = createApp({ deps, env });
    const api = await listen(app.fetch);
    cleanups.push(() => api.close());
    log(`api: ${api.origin} (ready after ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

    let signedUp = 0;
    const runId = Date.now().toString(36);
    const client = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${api.origin}/trpc`,
          headers: ({ op }) => ({ "x-forwarded-for": String(op.context.ip) }),
        }),
      ],
    });

    async function signUp(count: number, tag = "bench"): Promise<BenchUser[]> {
      const started = performance.now();
      const users: BenchUser[] = new Array(count);
      let next = 0;
      // argon2 hashing dominates; two at a time matches the two cores.
      const worker = async () => {
        for (let i = next++; i < count; i = next++) {
          const n = ++signedUp;
          // Sign-up is throttled per client IP: every user comes from its own (forwarded) address.
          const ip = `10.77.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
          const email = `${tag}-${runId}-${n}@example.test`;
          // Sign-up answers alike for new and taken addresses and signs nobody in: the new account signs in.
          await client.auth.signUp.mutate({ email, password: PASSWORD, displayName: `${tag} ${n}` }, { context: { ip } });
          const res = await client.auth.signIn.mutate({ email, password: PASSWORD, delivery: "bearer" }, { context: { ip } });
          if (!res.token) throw new Error("sign-up returned no bearer token");
          users[i] = { id: res.me.id, email, token: res.token };
        }
      };
      await Promise.all([worker(), worker()]);
      log(`signed up ${count} users in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return users;
    }

    return {
      database,
      serverVersion,
      api,
      deps,
      env,
      meters,
      signUp,
      async startApi(extraEnv) {
        const extra = loadEnv({ ...baseEnv, ...extraEnv });
        const built = await createApiDeps(extra, quietLogger());
        cleanups.push(built.close);
        const served = await listen(createApp({ deps: built.deps, env: extra }).fetch);
        cleanups.push(() => served.close());
        return served;
      },
      async listen(fetch) {
        const served = await listen(fetch);
        cleanups.push(() => served.close());
        return served;
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
