/**
 * publish-lag: how close to its time a scheduled post reaches the platform when 1,000 posts are due
 * within one minute, in two phases of the same run:
 *
 *   spread  1,000 posts whose instants are spread evenly over the minute (steady traffic);
 *   burst   1,000 posts all due at hh:mm:00 — what minute-precision scheduling really produces when
 *           many people pick the same minute, so the hardest case.
 *
 *   setup    the sandbox platform; an API built with PUBLISHING_SANDBOX_URL; users who connect X,
 *            LinkedIn and Threads through the real OAuth flow over HTTP; the real worker (apps/worker)
 *            as its own process, pointed at the same database and sandbox
 *   compose  both phases through `publishing.posts.compose` over HTTP before either is due
 *   measure  lag = the sandbox's receipt of each post (its createdAt) − the post's instant, split into
 *            due → the worker starts the request and request → receipt; posts per second; then every
 *            post must be `published` in the database, each exactly once on the sandbox
 *
 * Targets (issue #7): lag p50 < 300 ms, p99 < 1 s.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDb } from "@inkwell/db";
import { type LocalSmtpServer, startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { startSandboxPlatform } from "@inkwell/domain/platforms/testing";
import type { BenchUser } from "../lib/stack.ts";
import { percentile } from "../lib/stats.ts";
import type { Suite } from "../lib/suite.ts";
import { ms } from "../lib/table.ts";

const POSTS = Number(process.env.BENCH_PUBLISH_POSTS ?? 1_000);
const USERS = 10;
const PLATFORMS = ["x", "linkedin", "threads"] as const;
const COMPOSE_CONCURRENCY = 8;
/** Worker processes (apps/worker) sharing the queue: the burst scales out by adding them. */
const WORKERS = Number(process.env.BENCH_PUBLISH_WORKERS ?? 1);
const TARGETS = { p50: 300, p99: 1_000 };

export const publishLag: Suite = {
  name: "publish-lag",
  description: `publish lag (scheduled instant → sandbox receipt) and posts/s for ${POSTS} posts due within one minute, spread over it and all at its start`,
  minSeconds: 240,
  async run(ctx) {
    const stack = await ctx.stack();
    const sandbox = await startSandboxPlatform();
    const db = createDb({ url: stack.database.url, max: 2, applicationName: "inkwell-bench-publish" });
    const children: ChildProcess[] = [];
    let smtp: LocalSmtpServer | undefined;
    try {
      const api = await stack.startApi({ PUBLISHING_SANDBOX_URL: sandbox.url });
      const trpc = async <T>(user: BenchUser, path: string, input: unknown): Promise<T> => {
        const res = await fetch(`${api.origin}/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${user.token}`, "x-forwarded-for": "10.91.0.1" },
          body: JSON.stringify(input),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
        return (JSON.parse(text) as { result: { data: T } }).result.data;
      };

      // The real worker process (apps/worker), polling the same database, publishing to this sandbox,
      // opening tokens with the API's key ring.
      const keySpec = Object.entries(stack.deps.keyRing.keys)
        .sort(([a], [b]) => (a === stack.deps.keyRing.currentKeyId ? -1 : b === stack.deps.keyRing.currentKeyId ? 1 : 0))
        .map(([id, key]) => `${id}:${key.toString("base64")}`)
        .join(",");
      smtp = await startLocalSmtpServer();
      const startWorker = async () => {
        const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
          cwd: fileURLToPath(new URL("../../../apps/worker/", import.meta.url)),
          env: {
            ...process.env,
            DATABASE_URL: stack.database.url,
            SMTP_URL: (smtp as LocalSmtpServer).url,
            INKWELL_ENCRYPTION_KEYS: keySpec,
            PUBLISHING_SANDBOX_URL: sandbox.url,
            LOG_LEVEL: "info",
          },
          stdio: ["ignore", "pipe", "inherit"],
        });
        children.push(child);
        // Ready once it logs that its job handlers are registered.
        await new Promise<void>((resolve, reject) => {
          const timeout = setTimeout(() => reject(new Error("the worker did not start within 90 s")), 90_000);
          let seen = "";
          child.stdout?.on("data", (chunk: Buffer) => {
            if (seen === "ready") return;
            seen = (seen + chunk.toString("utf8")).slice(-4_000);
            if (seen.includes('"msg":"worker started"')) {
              seen = "ready";
              clearTimeout(timeout);
              resolve();
            }
          });
          child.once("exit", (code) => reject(new Error(`the worker exited (${code}) while starting`)));
        });
        child.stdout?.resume();
      };
      for (let i = 0; i < WORKERS; i++) await startWorker();

      const users = await stack.signUp(USERS, "publish-lag");
      const channels: { user: BenchUser; connectionId: string; platform: (typeof PLATFORMS)[number] }[] = [];
      for (const user of users) {
        for (const platform of PLATFORMS) {
          const { authorizeUrl } = await trpc<{ authorizeUrl: string }>(user, "publishing.connections.startOAuth", { platform });
          const approved = await fetch(authorizeUrl, { redirect: "manual" });
          const back = new URL(approved.headers.get("location") as string);
          const done = await fetch(`${api.origin}${back.pathname}${back.search}`, {
            redirect: "manual",
            headers: { authorization: `Bearer ${user.token}` },
          });
          const connected = new URL(done.headers.get("location") ?? "", api.origin).searchParams.get("connected");
          if (!connected) throw new Error(`connecting ${platform} failed: ${done.headers.get("location")}`);
          channels.push({ user, connectionId: connected, platform });
        }
      }
      ctx.log(`${users.length} users connected ${channels.length} sandbox accounts`);

      // Two phases, composed before either is due: `spread` — POSTS posts whose instants are spread
      // evenly over one minute (scheduled_at set after composing; their jobs, sent for the minute, come
      // back at each post's own time) — and `burst` — POSTS posts all due at the next whole minute,
      // which is what minute-precision scheduling produces.
      const runId = Date.now().toString(36);
      const keyOf = (phase: string, i: number) => `lag-${runId}-${phase}-${i}`;
      const textOf = (phase: string, i: number, platform: string) => `Lag ${runId} ${phase} post ${i} on ${platform}`;
      const compose = (phase: string, i: number, local: string) => {
        const channel = channels[Math.abs(i) % channels.length] as (typeof channels)[number];
        return trpc(channel.user, "publishing.posts.compose", {
          channels: [{ connectionId: channel.connectionId, parts: [textOf(phase, i, channel.platform)] }],
          when: { kind: "at", local, timeZone: "UTC" },
          idempotencyKey: keyOf(phase, i),
        });
      };
      const composeAll = async (phase: string, local: string) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: COMPOSE_CONCURRENCY }, async () => {
            for (let i = next++; i < POSTS; i = next++) await compose(phase, i, local);
          }),
        );
      };
      const t0 = performance.now();
      const farLocal = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
      for (let i = 0; i < 20; i++) await compose("calibration", i, farLocal); // an hour out: never due in this run
      const perPostMs = (performance.now() - t0) / 20 / COMPOSE_CONCURRENCY;
      const composeMs = perPostMs * POSTS * 2 * 2 + 15_000;
      const spreadAt = new Date(Math.ceil((Date.now() + composeMs) / 60_000) * 60_000);
      const burstAt = new Date(spreadAt.getTime() + 60_000);
      const minute = (d: Date) => d.toISOString().slice(0, 16);
      ctx.log(`composing 2 × ${POSTS} posts for ${minute(spreadAt)}Z (spread) and ${minute(burstAt)}Z (burst)`);
      const c0 = performance.now();
      await composeAll("spread", minute(spreadAt));
      await composeAll("burst", minute(burstAt));
      const composeSeconds = (performance.now() - c0) / 1000;
      const SPREAD_MS = 57_000;
      await db.pool.query(
        `UPDATE scheduled_posts p SET scheduled_at = $2::timestamptz + (s.n * $3 * interval '1 millisecond')
           FROM (SELECT id, row_number() OVER (ORDER BY compose_key) - 1 AS n FROM scheduled_posts WHERE compose_key LIKE $1) s
          WHERE p.id = s.id`,
        [`lag-${runId}-spread-%`, spreadAt, SPREAD_MS / POSTS],
      );
      ctx.log(
        `composed in ${composeSeconds.toFixed(1)} s; ${((spreadAt.getTime() - Date.now()) / 1000).toFixed(1)} s to the first minute`,
      );

      const received = (phase: string) =>
        sandbox
          .accounts()
          .flatMap((a) => sandbox.feed(a.accountId).filter((p) => p.text.startsWith(`Lag ${runId} ${phase} post `)));
      const deadline = burstAt.getTime() + 120_000;
      while (
        (received("spread").length < POSTS || received("burst").length < POSTS) &&
        Date.now() < deadline &&
        !ctx.signal.aborted
      )
        await new Promise((r) => setTimeout(r, 200));
      let published = 0;
      while (Date.now() < deadline && !ctx.signal.aborted) {
        const r = await db.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM scheduled_posts WHERE compose_key LIKE $1 AND status = 'published'",
          [`lag-${runId}-%`],
        );
        published = Number(r.rows[0]?.n ?? 0);
        if (published >= 2 * POSTS) break;
        await new Promise((r2) => setTimeout(r2, 200));
      }
      // Each post's due instant and when the worker started its request (after a free request slot).
      const timing = await db.pool.query<{ text: string; due: Date; started: Date | null }>(
        `SELECT p.parts[1] AS text, p.scheduled_at AS due,
                (SELECT min(a.started_at) FROM post_attempts a WHERE a.post_id = p.id AND a.kind = 'publish') AS started
           FROM scheduled_posts p WHERE p.compose_key LIKE $1`,
        [`lag-${runId}-%`],
      );
      const byText = new Map(timing.rows.map((r) => [r.text, r]));
      const yes = (ok: boolean) => (ok ? "yes" : "NO");
      const sorted = (values: number[]) => Float64Array.from(values).sort();
      const rows: string[][] = [];
      for (const phase of ["spread", "burst"] as const) {
        const got = received(phase);
        const lags = sorted(got.map((p) => p.createdAt.getTime() - (byText.get(p.text)?.due.getTime() ?? Number.NaN)));
        const toStart = sorted(
          got.flatMap((p) => {
            const t = byText.get(p.text);
            return t?.started ? [t.started.getTime() - t.due.getTime()] : [];
          }),
        );
        const inFlight = sorted(
          got.flatMap((p) => {
            const t = byText.get(p.text);
            return t?.started ? [p.createdAt.getTime() - t.started.getTime()] : [];
          }),
        );
        const first = phase === "spread" ? spreadAt.getTime() : burstAt.getTime();
        const lastReceipt = Math.max(...got.map((p) => p.createdAt.getTime()));
        const seconds = Math.max(0.001, (lastReceipt - first) / 1000);
        const p50 = percentile(lags, 50);
        const p99 = percentile(lags, 99);
        const what = phase === "spread" ? `${POSTS} due over ${SPREAD_MS / 1000} s` : `${POSTS} due at ${minute(burstAt)}:00Z`;
        rows.push(
          [`${phase}: lag p50 (${what})`, `${ms(p50)} ms`, `< ${TARGETS.p50} ms`, yes(p50 < TARGETS.p50)],
          [`${phase}: lag p99`, `${ms(p99)} ms`, `< ${TARGETS.p99} ms`, yes(p99 < TARGETS.p99)],
          [
            `${phase}: lag min / max`,
            `${ms(lags[0] ?? Number.NaN)} / ${ms(lags[lags.length - 1] ?? Number.NaN)} ms`,
            "never early",
            yes((lags[0] ?? -1) >= 0),
          ],
          [
            `${phase}: due → request start, p50 / p99`,
            `${ms(percentile(toStart, 50))} / ${ms(percentile(toStart, 99))} ms`,
            "–",
            "–",
          ],
          [
            `${phase}: request start → receipt, p50 / p99`,
            `${ms(percentile(inFlight, 50))} / ${ms(percentile(inFlight, 99))} ms`,
            "–",
            "–",
          ],
          [
            `${phase}: posts published per second`,
            phase === "burst"
              ? `${(got.length / seconds).toFixed(0)} posts/s`
              : `${(got.length / seconds).toFixed(1)} posts/s (paced by the schedule)`,
            "–",
            "–",
          ],
          [
            `${phase}: exactly once`,
            `${got.length} received, ${new Set(got.map((p) => p.text)).size} distinct`,
            `${POSTS} each`,
            yes(got.length === POSTS && new Set(got.map((p) => p.text)).size === POSTS),
          ],
        );
        ctx.log(`${phase}: p50 ${ms(p50)} ms, p99 ${ms(p99)} ms, ${got.length} received`);
      }
      rows.push(["published rows (both phases)", String(published), String(2 * POSTS), yes(published === 2 * POSTS)]);
      return {
        suite: this.name,
        description: this.description,
        plan: { concurrency: COMPOSE_CONCURRENCY, warmupMs: 0, roundMs: 0, rounds: 1, maxOpsPerRound: POSTS },
        variants: [],
        ratios: [],
        notes: [
          `2 × ${POSTS} posts on ${channels.length} sandbox accounts (${PLATFORMS.join(", ")}) of ${USERS} users, composed over HTTP in ${composeSeconds.toFixed(1)} s.`,
          "Jobs are sent with startAfter = due − 2 s; the workers poll the queue every 0.5 s in batches of up to 250 (4 fetchers) run concurrently, claims each post as it arrives, takes its credentials, and sleeps until the instant.",
          `${WORKERS} worker process(es) (apps/worker, BENCH_PUBLISH_WORKERS); API, sandbox platform and this load share this one (and PGlite too when embedded). The workers share the sandbox host's 256 request slots (session advisory locks; per process only when embedded).`,
          "A claimed post is prepared while it waits (images read; Threads: the first part's container created), so its instant costs only the publish request.",
        ],
        tables: [
          { title: "publish-lag: figures against the issue's targets", headers: ["measure", "value", "target", ""], rows },
        ],
      };
    } finally {
      for (const child of children) {
        if (child.exitCode !== null) continue;
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      await db.db.destroy();
      await smtp?.stop();
      await sandbox.stop();
    }
  },
};
