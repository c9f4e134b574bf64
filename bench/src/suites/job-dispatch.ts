/**
 * job-dispatch: how soon after its transaction commits an immediate job's handler starts, through our
 * own pg-boss setup (createBoss + prepareQueues + registerJobs, as apps/worker runs them), in two
 * variants of the same run:
 *
 *   notify   the worker's setup today: the queue notifies (pg_notify inside the enqueuing transaction,
 *            delivered at commit) and the idle worker fetches at once; polling stays as the safety net
 *   polling  the baseline: the same queue without notify and a boss without a listener, so the worker
 *            finds the job at its next poll (WORKER_POLL_SECONDS, 1 s by default)
 *
 * Each job is enqueued as the app does it: inside a transaction as inkwell_system with `send(…, { db })`.
 * The clock starts just before COMMIT is sent and stops when the handler is called (same process).
 * Jobs go one at a time with random gaps, so they land anywhere in the polling cycle.
 *
 * Targets (issue 16): p50 < 20 ms, p99 < 50 ms.
 */
import { createDb, type Tx } from "@inkwell/db";
import {
  createBoss,
  createEnqueue,
  defineJob,
  type JobHandler,
  type Logger,
  prepareQueues,
  registerJobs,
} from "@inkwell/domain/platform";
import { sql } from "kysely";
import { z } from "zod";
import { percentile } from "../lib/stats.ts";
import type { Suite } from "../lib/suite.ts";
import { ms } from "../lib/table.ts";

const TARGETS = { p50: 20, p99: 50 };
const POLL_SECONDS = 1; // apps/worker's WORKER_POLL_SECONDS default
const NOTIFY_JOBS = Number(process.env.BENCH_DISPATCH_JOBS ?? 300);
const POLL_JOBS = Math.max(10, Math.round(NOTIFY_JOBS / 8));

const schema = z.object({ seq: z.number().int() });
const notifyJob = defineJob({ name: "bench.dispatch-notify", schema, queue: { retryLimit: 0 } });
const pollJob = defineJob({ name: "bench.dispatch-poll", schema, queue: { retryLimit: 0, notify: false } });

const quiet: Logger = { info() {}, warn() {}, error: (obj, msg) => console.error(`[job-dispatch] ${msg ?? "error"}`, obj) };

export const jobDispatch: Suite = {
  name: "job-dispatch",
  description: "immediate job dispatch latency (commit → handler start): LISTEN/NOTIFY wake-up vs polling",
  minSeconds: 60,
  async run(ctx) {
    const stack = await ctx.stack();
    const url = stack.database.url;
    const { db } = createDb({ url, max: 2, applicationName: "inkwell-bench-dispatch" });
    const notifyBoss = createBoss(url, { supervise: false, schedule: false, max: 4 });
    const pollBoss = createBoss(url, { supervise: false, schedule: false, max: 4, listenNotify: false });
    const waiting = new Map<number, (at: number) => void>();
    const handlerOf = (job: typeof notifyJob): JobHandler<{ log: Logger }> => ({
      job: job as JobHandler["job"],
      async run(data) {
        const at = performance.now();
        waiting.get((data as z.output<typeof schema>).seq)?.(at);
      },
    });
    try {
      for (const boss of [notifyBoss, pollBoss]) {
        boss.on("error", (err) => console.error("[job-dispatch] pg-boss", err));
        await boss.start();
      }
      await prepareQueues(notifyBoss, db, [notifyJob, pollJob]);
      await registerJobs(notifyBoss, [handlerOf(notifyJob)], { log: quiet }, { pollingIntervalSeconds: POLL_SECONDS });
      await registerJobs(pollBoss, [handlerOf(pollJob)], { log: quiet }, { pollingIntervalSeconds: POLL_SECONDS });
      const enqueue = createEnqueue(notifyBoss);

      let seq = 0;
      /** One job: enqueued in an inkwell_system transaction; ms from COMMIT sent to the handler's start. */
      const once = async (job: typeof notifyJob): Promise<number> => {
        const n = seq++;
        const started = new Promise<number>((resolve) => waiting.set(n, resolve));
        let committing = 0;
        await db.connection().execute(async (conn) => {
          await sql`BEGIN; SET LOCAL ROLE inkwell_system`.execute(conn);
          try {
            await enqueue(conn as Tx, job, { seq: n });
          } catch (error) {
            await sql`ROLLBACK`.execute(conn);
            throw error;
          }
          committing = performance.now();
          await sql`COMMIT`.execute(conn);
        });
        const timeout = new Promise<number>((_, reject) =>
          setTimeout(() => reject(new Error(`${job.name}: handler did not start within 10 s`)), 10_000).unref(),
        );
        const at = await Promise.race([started, timeout]);
        waiting.delete(n);
        return at - committing;
      };
      const measure = async (job: typeof notifyJob, count: number, gapMs: () => number) => {
        for (let i = 0; i < 3; i++) await once(job); // warm-up: connections, prepared plans
        const samples: number[] = [];
        for (let i = 0; i < count && !ctx.signal.aborted; i++) {
          samples.push(await once(job));
          await new Promise((r) => setTimeout(r, gapMs()));
        }
        return Float64Array.from(samples).sort();
      };
      ctx.log(`notify: ${NOTIFY_JOBS} jobs`);
      const notified = await measure(notifyJob, NOTIFY_JOBS, () => 10 + Math.random() * 40);
      ctx.log(`polling: ${POLL_JOBS} jobs (poll every ${POLL_SECONDS} s)`);
      const polled = await measure(pollJob, POLL_JOBS, () => Math.random() * POLL_SECONDS * 1000);

      const yes = (ok: boolean) => (ok ? "yes" : "NO");
      const row = (name: string, s: Float64Array, target?: boolean): string[][] => {
        const p50 = percentile(s, 50);
        const p99 = percentile(s, 99);
        return [
          [
            `${name}: p50 (${s.length} jobs)`,
            `${ms(p50)} ms`,
            target ? `< ${TARGETS.p50} ms` : "baseline",
            target ? yes(p50 < TARGETS.p50) : "–",
          ],
          [`${name}: p99`, `${ms(p99)} ms`, target ? `< ${TARGETS.p99} ms` : "baseline", target ? yes(p99 < TARGETS.p99) : "–"],
          [`${name}: min / max`, `${ms(s[0] ?? Number.NaN)} / ${ms(s[s.length - 1] ?? Number.NaN)} ms`, "–", "–"],
        ];
      };
      const ratio = percentile(polled, 50) / percentile(notified, 50);
      return {
        suite: this.name,
        description: this.description,
        plan: { concurrency: 1, warmupMs: 0, roundMs: 0, rounds: 1, maxOpsPerRound: NOTIFY_JOBS },
        variants: [],
        ratios: [],
        notes: [
          "commit → handler start: from just before COMMIT is sent to the handler being called, one job at a time, random gaps.",
          `notify: createBoss (useListenNotify) + a queue with notify, polled every ${POLL_SECONDS} s as the safety net; polling: the same without a listener or notify.`,
          stack.database.kind === "embedded"
            ? "Embedded PGlite: one shared session, so a NOTIFY reaches the sender's socket, not the listener; both variants poll here."
            : `PostgreSQL ${stack.serverVersion}.`,
        ],
        tables: [
          {
            title: "job-dispatch: commit → handler start",
            headers: ["measure", "value", "target", ""],
            rows: [
              ...row("notify", notified, true),
              ...row("polling (baseline)", polled),
              ["polling p50 / notify p50", `${ratio.toFixed(0)}×`, "–", "–"],
            ],
          },
        ],
      };
    } finally {
      await Promise.all([notifyBoss, pollBoss].map((b) => b.stop({ graceful: false }).catch(() => {})));
      await db.destroy();
    }
  },
};
