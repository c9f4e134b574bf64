/**
 * image-generations: what tracking many image generations costs the database, and how soon a finished
 * image reaches the person watching it, with 1,000 generations in flight against the local image API.
 *
 *   setup    the local image API (each job settles 60–80 s after it is submitted); the generation
 *            jobs' handlers registered in this process (pg-boss, as the worker runs them) with an AI
 *            provider pointed at that API; 20 users, each with one `studio.generations.watch`
 *            subscription open over HTTP (SSE) on the bench API
 *   measure  Postgres work per second (pg_stat_database: transactions committed, rows returned +
 *            fetched) over the same 10 s window length in three states of one run — idle (worker
 *            polling its queues only: the baseline), + the 20 watch subscriptions, + 1,000
 *            generations in flight (polls backing off 2, 4, 8 … 60 s) — and, per generation, the
 *            time from the API settling it to its `completed` status reaching the watcher (p50 / p99):
 *            first found by polling alone, then in a second batch with the API's signed webhooks on
 *            (the webhook enqueues an immediate poll).
 *
 * Rows are created through the generations service (the per-user rate limit of the procedure would
 * otherwise pace the setup, not what is measured).
 */
import { asUser, createDb } from "@inkwell/db";
import { createAiProvider } from "@inkwell/domain/ai";
import { startImageApiSandbox } from "@inkwell/domain/ai/testing";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import { createBoss, prepareQueues, registerJobs } from "@inkwell/domain/platform";
import { generations, generationsJobs } from "@inkwell/domain/studio";
import type { BenchUser } from "../lib/stack.ts";
import { percentile } from "../lib/stats.ts";
import type { Suite } from "../lib/suite.ts";
import { ms } from "../lib/table.ts";

const IN_FLIGHT = Number(process.env.BENCH_IMAGE_GENERATIONS ?? 1_000);
const WEBHOOK_BATCH = Math.min(IN_FLIGHT, 300);
/** Each user's signup credits (5,000) cover their share of both batches at 40 a generation. */
const USERS = 20;
const WINDOW_MS = 10_000;
const SETTLE_MIN_MS = 60_000;
const SETTLE_SPREAD_MS = 20_000;
const SECRET = "bench-image-webhook-secret";

async function readSse(body: ReadableStream<Uint8Array>, onData: (data: string) => void, signal: AbortSignal) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined), { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (data.startsWith("{")) onData(data);
        end = buffer.indexOf("\n\n");
      }
    }
  } catch {
    // aborted at the end of the suite
  }
}

export const imageGenerations: Suite = {
  name: "image-generations",
  description: `Postgres work per second while ${IN_FLIGHT} image generations are polled (baseline: idle), and provider-finished → watcher latency, polling alone and with webhooks`,
  // Two batches that each settle a minute or more after submission, plus three measuring windows.
  minSeconds: 480,
  async run(ctx) {
    const stack = await ctx.stack();
    process.env.IMAGE_WEBHOOK_SECRET = SECRET;
    const images = await startImageApiSandbox({ apiKey: "bench-image-key" });
    // Apart: the worker's pool (hundreds of polls at once) must not starve the setup's and the counters'.
    const db = createDb({ url: stack.database.url, max: 6, applicationName: "inkwell-bench-images" });
    const workerDb = createDb({ url: stack.database.url, max: 20, applicationName: "inkwell-bench-images-worker" });
    const boss = createBoss(stack.database.url, { supervise: true, schedule: false, max: 6 });
    boss.on("error", () => undefined);
    const aborts = new AbortController();
    try {
      await boss.start();
      await prepareQueues(boss, db.db, generationsJobs);
      const ai = createAiProvider({
        provider: "openai",
        openai: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "unused" },
        imageApi: { baseUrl: images.url, apiKey: images.apiKey },
      });
      const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(`[worker] ${m}`, o) };
      const startWorker = () =>
        registerJobs(boss, handlersFor(generationsJobs), {
          db: workerDb.db,
          log,
          ai,
          enqueue: stack.deps.enqueue,
          storage: stack.deps.storage,
        });
      const stopWorker = async () => {
        for (const job of generationsJobs) await boss.offWork(job.name);
      };
      await startWorker();

      const counters = async () => {
        const r = await db.pool.query<{ xact: string; tup: string }>(
          `SELECT xact_commit + xact_rollback AS xact, tup_returned + tup_fetched AS tup
             FROM pg_stat_database WHERE datname = current_database()`,
        );
        return { xact: Number(r.rows[0]?.xact ?? 0), tup: Number(r.rows[0]?.tup ?? 0), at: performance.now() };
      };
      const window = async () => {
        // pg_stat counters are flushed by backends now and then: a short settle before and after.
        await new Promise((r) => setTimeout(r, 1_000));
        const a = await counters();
        await new Promise((r) => setTimeout(r, WINDOW_MS));
        const b = await counters();
        const seconds = (b.at - a.at) / 1000;
        return { xact: (b.xact - a.xact) / seconds, tup: (b.tup - a.tup) / seconds };
      };

      ctx.log("idle window (the worker's queue polling only)");
      const idle = await window();

      const users = await stack.signUp(USERS, "image-gen");
      const seenCompleted = new Map<string, number>();
      for (const user of users) {
        const input = encodeURIComponent(JSON.stringify({}));
        const res = await fetch(`${stack.api.origin}/trpc/studio.generations.watch?input=${input}`, {
          headers: { authorization: `Bearer ${user.token}`, accept: "text/event-stream", "x-forwarded-for": "10.92.0.1" },
          signal: aborts.signal,
        });
        if (!res.ok || !res.body) throw new Error(`watch: HTTP ${res.status}`);
        void readSse(
          res.body,
          (data) => {
            const event = JSON.parse(data) as { id?: string; status?: string };
            if (event.status === "completed" && event.id && !seenCompleted.has(event.id)) seenCompleted.set(event.id, Date.now());
          },
          aborts.signal,
        );
      }
      ctx.log(`${USERS} watch subscriptions open`);
      const watching = await window();

      const create = async (count: number, tag: string) => {
        const ids: string[] = [];
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            for (let i = next++; i < count; i = next++) {
              const user = users[i % users.length] as BenchUser;
              images.injectNext({ completeAfterMs: SETTLE_MIN_MS + Math.floor(Math.random() * SETTLE_SPREAD_MS) });
              const g = await asUser(db.db, user.id, (tx) =>
                generations.create(
                  stack.deps,
                  tx,
                  user.id,
                  { promptText: `bench ${tag} image ${i}`, settings: { width: 256, height: 256 } },
                  { provider: "image-api", offline: false, price: 40 },
                ),
              );
              ids.push(g.id);
            }
          }),
        );
        return ids;
      };
      const latencies = async (ids: string[], deadline: number) => {
        while (Date.now() < deadline && ids.some((id) => !seenCompleted.has(id)) && !ctx.signal.aborted) {
          await new Promise((r) => setTimeout(r, 250));
        }
        const jobOf = async (id: string) =>
          (await db.pool.query<{ job: string }>("SELECT provider_job_id AS job FROM image_generations WHERE id = $1", [id]))
            .rows[0]?.job;
        const values: number[] = [];
        for (const id of ids) {
          const job = images.job((await jobOf(id)) ?? "");
          const seen = seenCompleted.get(id);
          if (job?.completeAt && seen) values.push(seen - job.completeAt);
        }
        return Float64Array.from(values).sort();
      };

      // Created with the worker paused, then submitted in one burst: all 1,000 are in flight together.
      const inFlightNow = async () =>
        Number(
          (
            await db.pool.query<{ n: string }>(
              "SELECT count(*) AS n FROM image_generations WHERE status IN ('pending', 'submitting')",
            )
          ).rows[0]?.n ?? 0,
        );
      const createBurst = async (count: number, tag: string) => {
        await stopWorker();
        const c0 = performance.now();
        const ids = await create(count, tag);
        ctx.log(`${tag}: ${count} created in ${((performance.now() - c0) / 1000).toFixed(1)} s (worker paused)`);
        const s0 = performance.now();
        await startWorker();
        while ((await inFlightNow()) > 0 && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 250));
        ctx.log(`${tag}: all submitted in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
        return ids;
      };
      const polled = await createBurst(IN_FLIGHT, "polled");
      const inFlight = await window();
      const polledLag = await latencies(polled, Date.now() + SETTLE_MIN_MS + SETTLE_SPREAD_MS + 120_000);
      ctx.log(
        `in flight: ${inFlight.xact.toFixed(0)} tx/s, ${inFlight.tup.toFixed(0)} rows/s (idle ${idle.xact.toFixed(0)} / ${idle.tup.toFixed(0)}, watching ${watching.xact.toFixed(0)} / ${watching.tup.toFixed(0)})`,
      );
      ctx.log(
        `polling alone: ${polledLag.length}/${polled.length} seen completed, p50 ${ms(percentile(polledLag, 50))} ms, p99 ${ms(percentile(polledLag, 99))} ms`,
      );

      images.setWebhook(`${stack.api.origin}/webhooks/image-api`, SECRET);
      const hooked = await createBurst(WEBHOOK_BATCH, "webhook");
      const hookedLag = await latencies(hooked, Date.now() + SETTLE_MIN_MS + SETTLE_SPREAD_MS + 120_000);
      const delivered = images.webhooks.filter((w) => w.status === 200).length;
      ctx.log(
        `with webhooks: ${hookedLag.length}/${hooked.length} seen completed, ${delivered} webhooks accepted, p50 ${ms(percentile(hookedLag, 50))} ms, p99 ${ms(percentile(hookedLag, 99))} ms`,
      );

      const rate = (v: number) => `${v.toFixed(0)}/s`;
      const rows: string[][] = [
        ["idle (baseline): transactions, rows read", `${rate(idle.xact)}, ${rate(idle.tup)}`, "–"],
        [
          `+ ${USERS} watch subscriptions`,
          `${rate(watching.xact)}, ${rate(watching.tup)}`,
          `+${rate(watching.xact - idle.xact)} tx`,
        ],
        [
          `+ ${IN_FLIGHT} generations being polled`,
          `${rate(inFlight.xact)}, ${rate(inFlight.tup)}`,
          `+${rate(inFlight.xact - watching.xact)} tx, +${rate(inFlight.tup - watching.tup)} rows`,
        ],
        [
          "finished → watcher, polling alone: p50 / p99",
          `${ms(percentile(polledLag, 50))} / ${ms(percentile(polledLag, 99))} ms`,
          `${polledLag.length}/${polled.length} seen`,
        ],
        [
          "finished → watcher, with webhooks: p50 / p99",
          `${ms(percentile(hookedLag, 50))} / ${ms(percentile(hookedLag, 99))} ms`,
          `${hookedLag.length}/${hooked.length} seen, ${delivered} webhooks`,
        ],
      ];
      return {
        suite: this.name,
        description: this.description,
        plan: { concurrency: 8, warmupMs: 0, roundMs: WINDOW_MS, rounds: 3, maxOpsPerRound: IN_FLIGHT },
        variants: [],
        ratios: [],
        notes: [
          `${IN_FLIGHT} generations of ${USERS} users settle ${SETTLE_MIN_MS / 1000}–${(SETTLE_MIN_MS + SETTLE_SPREAD_MS) / 1000} s after submission at the local image API; the jobs run in this process (batches of 200, two fetchers, concurrent).`,
          "Database work is the whole database's (pg_stat_database), so pg-boss's own fetches and completions are in it; the idle window is the same run's baseline. Embedded PGlite keeps no such statistics (zeros).",
          "The watch subscription asks for the caller's changed rows every 500 ms (one indexed query in a short transaction); the poller's next look is 2, 4, 8 … up to 60 s after the last, so without webhooks the latency is mostly the backoff gap.",
        ],
        tables: [{ title: "image-generations: database work and status latency", headers: ["measure", "value", "note"], rows }],
      };
    } finally {
      aborts.abort();
      await boss.stop({ graceful: false, timeout: 5_000 }).catch(() => undefined);
      await images.stop();
      await db.db.destroy();
      await workerDb.db.destroy();
    }
  },
};
