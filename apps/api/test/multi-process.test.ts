/**
 * Past one machine: two API processes and two worker processes (real child processes, started as in
 * production with `node --import tsx src/main.ts` and their env) on one database. Nothing a request or
 * a job needs may live in one process's memory:
 *
 * - a chat reply sent through API 1 streams from API 2, every delta once and in order (LISTEN/NOTIFY);
 * - posts composed through either API are published exactly once by the two workers, with one worker
 *   killed (SIGKILL) while publishing: its jobs and claims are taken over by the other.
 *
 * Its own scratch database (not the run's shared one): these workers work every queue, and another
 * file's publish jobs must not go to this file's sandbox. The embedded database cannot run it (one
 * backend behind a socket server, no notices to another process): skipped there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDb } from "@inkwell/db";
import { provisionTestDatabase, type TestDatabase } from "@inkwell/db/testing";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { generateKeySpec } from "@inkwell/domain/platform";
import { type LocalSmtpServer, startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { type SandboxPlatform, startSandboxPlatform } from "@inkwell/domain/platforms/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const native = Boolean(process.env.DATABASE_URL);
const ROOT = resolve(import.meta.dirname, "../../..");

interface Child {
  name: string;
  proc: ChildProcess;
  output: string[];
  origin?: string;
}

let database: TestDatabase;
let sandbox: SandboxPlatform;
let model: OpenAiCompatibleServer;
let smtp: LocalSmtpServer;
let filesDir: string;
const children: Child[] = [];

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

function start(name: string, app: "api" | "worker", env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: join(ROOT, "apps", app),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const child: Child = { name, proc, output: [] };
  const keep = (chunk: Buffer) => {
    child.output.push(chunk.toString());
    if (child.output.length > 200) child.output.shift();
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  children.push(child);
  return child;
}

async function startApi(name: string, env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = start(name, "api", { ...env, PORT: String(port), HOST: "127.0.0.1", APP_URL: origin });
  child.origin = origin;
  return child;
}

async function ready(child: Child) {
  await vi.waitFor(
    async () => {
      if (child.proc.exitCode !== null) throw new Error(`${child.name} exited: ${child.output.join("").slice(-2000)}`);
      const res = await fetch(`${child.origin}/readyz`).catch(() => null);
      if (!res?.ok)
        throw new Error(
          `${child.name} not ready (${res?.status ?? "not listening"}): ${children.map((c) => `${c.name}: ${c.output.join("").slice(-1500)}`).join("\n")}`,
        );
    },
    // Four processes loading TypeScript at once on a small, busy machine (40 s each seen at load 20).
    { timeout: Number(process.env.MP_READY_MS ?? 240_000), interval: 250 },
  );
}

const origin = (c: Child) => c.origin as string;

async function call(c: Child, path: string, token: string | null, input: unknown, ip: string, method: "POST" | "GET" = "POST") {
  const headers: Record<string, string> = { "content-type": "application/json", "x-forwarded-for": ip };
  if (token) headers.authorization = `Bearer ${token}`;
  const url =
    method === "GET"
      ? `${origin(c)}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`
      : `${origin(c)}/trpc/${path}`;
  const res = await fetch(url, { method, headers, ...(method === "POST" ? { body: JSON.stringify(input) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} on ${c.name}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { result: { data: unknown } }).result.data;
}

let api1: Child;
let api2: Child;
let worker1: Child;
let worker2: Child;

beforeAll(async () => {
  if (!native) return;
  database = await provisionTestDatabase();
  [sandbox, model, smtp] = await Promise.all([startSandboxPlatform(), startOpenAiCompatibleServer(), startLocalSmtpServer()]);
  filesDir = mkdtempSync(join(tmpdir(), "inkwell-multi-process-"));
  // What every replica shares: the database, the key ring, the providers, the file store.
  const shared = {
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    INKWELL_ENCRYPTION_KEYS: generateKeySpec("mp"),
    SMTP_URL: smtp.url,
    PUBLISHING_SANDBOX_URL: sandbox.url,
    PUBLISHING_TIMEOUT_MS: "5000",
    AI_PROVIDER: "openai",
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: "multi-process",
    STORAGE_LOCAL_DIR: filesDir,
    TRUST_PROXY: "true",
    LOG_LEVEL: process.env.MP_LOG_LEVEL ?? "warn",
  };
  api1 = await startApi("api-1", shared);
  api2 = await startApi("api-2", shared);
  const workerEnv = { ...shared, WORKER_POLL_SECONDS: "0.5", WORKER_SUPERVISE_SECONDS: "1", APP_URL: "http://127.0.0.1:9" };
  worker1 = start("worker-1", "worker", workerEnv);
  worker2 = start("worker-2", "worker", workerEnv);
  await Promise.all([ready(api1), ready(api2)]);
}, 300_000);

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGTERM");
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) return done();
          const timer = setTimeout(() => {
            c.proc.kill("SIGKILL");
            done();
          }, 15_000);
          c.proc.once("exit", () => {
            clearTimeout(timer);
            done();
          });
        }),
    ),
  );
  await Promise.all([sandbox?.stop(), model?.stop(), smtp?.stop()]);
  await database?.teardown();
  if (filesDir) rmSync(filesDir, { recursive: true, force: true });
}, 60_000);

let userSeq = 0;
async function signUp(c: Child) {
  const n = ++userSeq;
  const ip = `10.91.0.${n}`;
  const email = `mp-${Date.now().toString(36)}-${n}@example.test`;
  const password = "correct horse battery staple";
  await call(c, "auth.signUp", null, { email, password, displayName: `mp ${n}` }, ip);
  const res = (await call(c, "auth.signIn", null, { email, password, delivery: "bearer" }, ip)) as {
    token: string;
    me: { id: string };
  };
  return { token: res.token, id: res.me.id, ip };
}

/** Reads an SSE body, calling onData with each `data:` payload until it returns true. */
async function readSse(body: ReadableStream<Uint8Array>, onData: (data: string) => boolean) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const data = buffer
          .slice(0, end)
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        buffer = buffer.slice(end + 2);
        if (data && onData(data)) return;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe("two API processes and two worker processes on one database", () => {
  it("streams a reply sent through API 1 from API 2, every delta once and in order", async (ctx) => {
    if (!native)
      ctx.skip("needs a Postgres server (DATABASE_URL): the embedded database has one backend and delivers no notices");
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    model.setReply(words);
    model.setFirstTokenDelayMs(200);
    model.setTokenDelayMs(20);
    const u = await signUp(api1);
    const conversation = (await call(api1, "chat.create", u.token, { assistant: "companion" }, u.ip)) as { id: string };
    const sent = (await call(
      api1,
      "chat.send",
      u.token,
      { conversationId: conversation.id, content: "Tell me something", idempotencyKey: `mp-${Date.now()}` },
      u.ip,
    )) as { assistantMessage: { id: string } };
    const input = encodeURIComponent(JSON.stringify({ messageId: sent.assistantMessage.id }));
    const res = await fetch(`${origin(api2)}/trpc/chat.stream?input=${input}`, {
      headers: { authorization: `Bearer ${u.token}`, "x-forwarded-for": u.ip, accept: "text/event-stream" },
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.ok).toBe(true);
    let text = "";
    let deltas = 0;
    let final: { status?: string } | undefined;
    await readSse(res.body as ReadableStream<Uint8Array>, (data) => {
      if (!data.startsWith("{")) return false;
      const event = JSON.parse(data) as { type?: string; offset?: number; text?: string; status?: string };
      if (event.type === "delta") {
        expect(event.offset, "each delta once, continuing where the last ended").toBe(text.length);
        text += event.text ?? "";
        deltas++;
      }
      if (event.type === "final") final = event;
      return final !== undefined;
    });
    expect(final?.status).toBe("complete");
    expect(text).toBe(words);
    // Live from API 1's notices, not one replay of the finished row.
    expect(deltas).toBeGreaterThan(1);
  }, 60_000);

  it("publishes every post exactly once while a worker is killed mid-publish", async (ctx) => {
    if (!native) ctx.skip("needs a Postgres server (DATABASE_URL): the embedded database runs one process");
    const u = await signUp(api1);
    // Connect X through the sandbox's OAuth sign-in, on API 1.
    const { authorizeUrl } = (await call(api1, "publishing.connections.startOAuth", u.token, { platform: "x" }, u.ip)) as {
      authorizeUrl: string;
    };
    const approve = await fetch(authorizeUrl, { redirect: "manual" });
    const back = new URL(approve.headers.get("location") as string);
    const done = await fetch(`${origin(api1)}${back.pathname}${back.search}`, {
      headers: { authorization: `Bearer ${u.token}`, "x-forwarded-for": u.ip },
      redirect: "manual",
    });
    const connectionId = new URL(done.headers.get("location") ?? "", "http://app.test").searchParams.get("connected");
    expect(connectionId).toBeTruthy();

    // Each publish request takes 300 ms, so the kill lands while requests are in flight.
    sandbox.slow(300);
    const run = Date.now().toString(36);
    const texts = Array.from({ length: 12 }, (_, i) => `Multi process ${run} post ${i}`);
    const postIds: string[] = [];
    for (const [i, text] of texts.entries()) {
      const via = i % 2 === 0 ? api1 : api2;
      const { posts } = (await call(
        via,
        "publishing.posts.compose",
        u.token,
        { channels: [{ connectionId, parts: [text] }], when: { kind: "now" }, idempotencyKey: `mp-${run}-${i}` },
        u.ip,
      )) as { posts: { id: string }[] };
      postIds.push(posts[0]?.id as string);
    }
    const tweets = (text: string) =>
      sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith("/2/tweets") && r.body.text === text);
    // The first requests are in flight: kill worker 2 outright (no graceful stop, no cleanup).
    await vi.waitFor(
      () => {
        if (!texts.some((t) => tweets(t).length > 0)) throw new Error("no publish request yet");
      },
      { timeout: 30_000, interval: 20 },
    );
    worker2.proc.kill("SIGKILL");
    const owner = createDb({ url: database.url, max: 1 });
    const publishing = await owner.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM scheduled_posts WHERE id = ANY($1::uuid[]) AND status <> 'published'",
      [postIds],
    );
    await owner.db.destroy();
    expect(publishing.rows[0]?.n, "posts were still to publish when the worker died").toBeGreaterThan(0);

    // Worker 1 takes over the killed worker's jobs (missed heartbeats) and its claims (expired leases).
    const statuses = await vi.waitFor(
      async () => {
        const got = await Promise.all(
          postIds.map(
            async (postId, i) =>
              (
                (await call(i % 2 ? api1 : api2, "publishing.posts.get", u.token, { postId }, u.ip, "GET")) as {
                  post: { status: string };
                  attempts: { outcome: string }[];
                }
              ).post.status,
          ),
        );
        if (got.some((s) => s !== "published")) throw new Error(`not all published: ${got.join(", ")}`);
        return got;
      },
      { timeout: 150_000, interval: 1_000 },
    );
    expect(statuses).toEqual(texts.map(() => "published"));
    for (const text of texts) {
      const feed = sandbox.accounts().flatMap((a) => sandbox.feed(a.accountId).filter((p) => p.text === text));
      expect(feed, `"${text}" on the platform once`).toHaveLength(1);
    }
    expect(worker1.proc.exitCode).toBeNull();
  }, 240_000);
});
