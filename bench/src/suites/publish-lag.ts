/**
 * publish-lag: how close to its time a scheduled post reaches the platform, when 1,000 posts are due
 * in the same minute. People pick minute-precision local times, so "the same minute" means the same
 * instant — hh:mm:00 — the hardest case: every post is due at once.
 *
 *   setup    the sandbox platform; an API built with PUBLISHING_SANDBOX_URL; users who connect X,
 *            LinkedIn and Threads through the real OAuth flow over HTTP; the real worker (apps/worker)
 *            as its own process, pointed at the same database and sandbox
 *   compose  1,000 posts through `publishing.posts.compose` over HTTP, all at the next whole minute
 *            that leaves time to compose them (UTC wall-clock time)
 *   measure  lag = the sandbox's receipt of each post (its createdAt) − the scheduled instant;
 *            throughput = posts / (last receipt − the instant); then every post must be `published`
 *            in the database, each exactly once on the sandbox
 *
 * Targets (issue #7): lag p50 < 300 ms, p99 < 1 s.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDb } from "@inkwell/db";
import { type LocalSmtpServer, startLocalSmtpServer } from "@inkwell/domain/platform";
import { startSandboxPlatform } from "@inkwell/domain/publishing/testing";
import type { BenchUser } from "../lib/stack.ts";
import { percentile } from "../lib/stats.ts";
import type { Suite } from "../lib/suite.ts";
import { ms } from "../lib/table.ts";

const POSTS = Number(process.env.BENCH_PUBLISH_POSTS ?? 1_000);
const USERS = 10;
const PLATFORMS = ["x", "linkedin", "threads"] as const;
const COMPOSE_CONCURRENCY = 8;
const TARGETS = { p50: 300, p99: 1_000 };

export const publishLag: Suite = {
  name: "publish-lag",
  description: `publish lag (scheduled instant → sandbox receipt) and throughput for ${POSTS} posts due at the same minute`,
  minSeconds: 150,
  async run(ctx) {
    const stack = await ctx.stack();
    const sandbox = await startSandboxPlatform();
    const db = createDb({ url: stack.database.url, max: 2, applicationName: "inkwell-bench-publish" });
    let child: ChildProcess | undefined;
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
      child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        cwd: fileURLToPath(new URL("../../../apps/worker/", import.meta.url)),
        env: {
          ...process.env,
          DATABASE_URL: stack.database.url,
          SMTP_URL: smtp.url,
          INKWELL_ENCRYPTION_KEYS: keySpec,
          PUBLISHING_SANDBOX_URL: sandbox.url,
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      // Ready once it logs that its job handlers are registered.
      await new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error("the worker did not start within 90 s")), 90_000);
        let seen = "";
        child?.stdout?.on("data", (chunk: Buffer) => {
          if (seen === "ready") return;
          seen = (seen + chunk.toString("utf8")).slice(-4_000);
          if (seen.includes('"msg":"worker started"')) {
            seen = "ready";
            clearTimeout(timeout);
            resolve();
          }
        });
        child?.once("exit", (code) => reject(new Error(`the worker exited (${code}) while starting`)));
      });
      child.stdout?.resume();

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

      // One post per compose, spread over the channels. Pick the whole minute after a calibration.
      const runId = Date.now().toString(36);
      const t0 = performance.now();
      const compose = (i: number, local: string) => {
        const channel = channels[Math.abs(i) % channels.length] as (typeof channels)[number];
        return trpc(channel.user, "publishing.posts.compose", {
          channels: [{ connectionId: channel.connectionId, parts: [`Lag ${runId} post ${i} on ${channel.platform}`] }],
          when: { kind: "at", local, timeZone: "UTC" },
          idempotencyKey: `lag-${runId}-${i}`,
        });
      };
      const farLocal = new Date(Date.now() + 3_600_000).toISOString().slice(0, 16);
      for (let i = 0; i < 20; i++) await compose(-1 - i, farLocal); // calibration (an hour out; never due in this run)
      const perPostMs = (performance.now() - t0) / 20 / COMPOSE_CONCURRENCY;
      const composeMs = perPostMs * POSTS * 1.5 + 8_000;
      const due = new Date(Math.ceil((Date.now() + composeMs) / 60_000) * 60_000);
      const local = due.toISOString().slice(0, 16);
      ctx.log(`composing ${POSTS} posts for ${local}Z (~${(composeMs / 1000).toFixed(0)} s budgeted)`);
      let next = 0;
      const c0 = performance.now();
      await Promise.all(
        Array.from({ length: COMPOSE_CONCURRENCY }, async () => {
          for (let i = next++; i < POSTS; i = next++) await compose(i, local);
        }),
      );
      const composeSeconds = (performance.now() - c0) / 1000;
      ctx.log(
        `publish-lag: composed in ${composeSeconds.toFixed(1)} s; ${((due.getTime() - Date.now()) / 1000).toFixed(1)} s to the minute`,
      );

      const mine = () =>
        sandbox.accounts().flatMap((a) => sandbox.feed(a.accountId).filter((p) => p.text.startsWith(`Lag ${runId} post `)));
      const deadline = due.getTime() + 120_000;
      while (mine().length < POSTS && Date.now() < deadline && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 100));
      const received = mine();
      const lags = Float64Array.from(received.map((p) => p.createdAt.getTime() - due.getTime())).sort();
      const last = lags.length ? (lags[lags.length - 1] as number) : Number.NaN;
      const perSecond = received.length / Math.max(0.001, last / 1000);
      const distinct = new Set(received.map((p) => p.text)).size;

      // Every row published, after the worker saved them.
      let published = 0;
      while (Date.now() < deadline && !ctx.signal.aborted) {
        const r = await db.pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM scheduled_posts WHERE compose_key LIKE $1 AND status = 'published'",
          [`lag-${runId}-%`],
        );
        published = Number(r.rows[0]?.n ?? 0);
        if (published >= POSTS) break;
        await new Promise((r2) => setTimeout(r2, 200));
      }
      // Where the lag goes: due → the worker starts the request (claim, credentials, queue), and
      // request start → the sandbox's receipt.
      const starts = await db.pool.query<{ text: string; started: Date }>(
        `SELECT p.parts[1] AS text, min(a.started_at) AS started FROM post_attempts a JOIN scheduled_posts p ON p.id = a.post_id
          WHERE p.compose_key LIKE $1 AND a.kind = 'publish' GROUP BY p.parts[1]`,
        [`lag-${runId}-%`],
      );
      const startOf = new Map(starts.rows.map((r) => [r.text, r.started.getTime()]));
      const toStart = Float64Array.from(
        received.flatMap((p) => (startOf.has(p.text) ? [(startOf.get(p.text) as number) - due.getTime()] : [])),
      ).sort();
      const inFlight = Float64Array.from(
        received.flatMap((p) => (startOf.has(p.text) ? [p.createdAt.getTime() - (startOf.get(p.text) as number)] : [])),
      ).sort();
      const early = lags.filter((l) => l < 0).length;
      const yes = (ok: boolean) => (ok ? "yes" : "NO");
      const p50 = percentile(lags, 50);
      const p99 = percentile(lags, 99);
      const rows = [
        [`lag p50 (${received.length} posts due at ${local}Z)`, `${ms(p50)} ms`, `< ${TARGETS.p50} ms`, yes(p50 < TARGETS.p50)],
        ["lag p99", `${ms(p99)} ms`, `< ${TARGETS.p99} ms`, yes(p99 < TARGETS.p99)],
        ["lag min / max", `${ms(lags[0] ?? Number.NaN)} / ${ms(last)} ms`, "never early", yes(early === 0)],
        ["split: due → request start, p50 / p99", `${ms(percentile(toStart, 50))} / ${ms(percentile(toStart, 99))} ms`, "–", "–"],
        [
          "split: request start → sandbox receipt, p50 / p99",
          `${ms(percentile(inFlight, 50))} / ${ms(percentile(inFlight, 99))} ms`,
          "–",
          "–",
        ],
        ["throughput (posts / (last receipt − due))", `${perSecond.toFixed(0)} posts/s`, "–", "–"],
        [
          "exactly once",
          `${received.length} received, ${distinct} distinct, ${published} published rows`,
          `${POSTS} each`,
          yes(received.length === POSTS && distinct === POSTS && published === POSTS),
        ],
      ];
      ctx.log(
        `publish-lag: p50 ${ms(p50)} ms, p99 ${ms(p99)} ms, ${perSecond.toFixed(0)} posts/s, ${published}/${POSTS} published`,
      );
      return {
        suite: this.name,
        description: this.description,
        plan: { concurrency: COMPOSE_CONCURRENCY, warmupMs: 0, roundMs: 0, rounds: 1, maxOpsPerRound: POSTS },
        variants: [],
        ratios: [],
        notes: [
          `${POSTS} posts on ${channels.length} sandbox accounts (${PLATFORMS.join(", ")}) of ${USERS} users, composed over HTTP in ${composeSeconds.toFixed(1)} s, all due at ${local}Z.`,
          "Jobs are sent with startAfter = due − 2 s; the worker polls the queue every 0.5 s in batches of up to 250 (4 fetchers) run concurrently, claims each post as it arrives, takes its credentials, and sleeps until the instant.",
          "The worker is its own process (apps/worker); API, sandbox platform and this load share this one (and PGlite too when embedded).",
        ],
        tables: [
          { title: "publish-lag: figures against the issue's targets", headers: ["measure", "value", "target", ""], rows },
        ],
      };
    } finally {
      if (child && child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child?.once("exit", r));
      }
      await db.db.destroy();
      await smtp?.stop();
      await sandbox.stop();
    }
  },
};
