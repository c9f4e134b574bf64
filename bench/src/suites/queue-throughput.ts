/**
 * queue-throughput: no-op jobs per second through our pg-boss setup and through graphile-worker, on
 * the same database in the same run. Each variant drains a backlog of JOBS jobs queued before its
 * worker starts (graphile-worker's own performance test does the same): the clock runs from starting
 * the worker to the last handler call; afterwards the queue must hold no job left to run.
 *
 *   pg-boss, job defaults  registerJobs as a job without `work` options gets it (batches of 10, run one
 *                          by one, fetching again at once while batches come back full)
 *   pg-boss, tuned         registerJobs with THROUGHPUT_WORK (see below), what a high-volume queue uses
 *   graphile-worker        graphile-worker's `run` with its batching on (a local queue of locked jobs,
 *                          batched completions) and 24 concurrent jobs, as in its performance test
 *
 * The variants take turns, ROUNDS times each; the table shows the median round.
 * Targets (issue 16): ≥ 0.3× graphile-worker and ≥ 2,000 jobs/s.
 */
import { createDb } from "@inkwell/db";
import {
  createBoss,
  defineJob,
  type JobDefinition,
  type Logger,
  prepareQueues,
  registerJobs,
  THROUGHPUT_WORK,
} from "@inkwell/domain/platform";
import { Logger as GraphileLogger, makeWorkerUtils, run as runGraphile } from "graphile-worker";
import { z } from "zod";
import { median } from "../lib/stats.ts";
import type { Suite } from "../lib/suite.ts";
import { num } from "../lib/table.ts";

const JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 20_000);
/** The defaults variant runs ~15× slower: it drains a tenth of the backlog, so a round stays short. */
const DEFAULTS_JOBS = Math.round(JOBS / 10);
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS ?? 3);
const TARGETS = { ratio: 0.3, jobsPerSecond: 2_000 };

/** The tuned pg-boss work options: THROUGHPUT_WORK, or BENCH_QUEUE_TUNED="<batch>,<fetchers>" to try others. */
const tunedOverride = process.env.BENCH_QUEUE_TUNED?.split(",").map(Number);
const TUNED = tunedOverride
  ? { batchSize: tunedOverride[0] ?? 200, localConcurrency: tunedOverride[1] ?? 2, concurrent: true }
  : THROUGHPUT_WORK;

const schema = z.object({ n: z.number().int() });
const defaultsJob = defineJob({ name: "bench.noop-defaults", schema, queue: { retryLimit: 0 } });
const tunedJob = defineJob({ name: "bench.noop-tuned", schema, queue: { retryLimit: 0 }, work: TUNED });

const quiet: Logger = { info() {}, warn() {}, error: (obj, msg) => console.error(`[queue-throughput] ${msg ?? "error"}`, obj) };
const silentGraphile = new GraphileLogger(() => () => {});

export const queueThroughput: Suite = {
  name: "queue-throughput",
  description: `no-op jobs/s draining a ${JOBS.toLocaleString("en-US")}-job backlog: our pg-boss setup vs graphile-worker, same database`,
  minSeconds: 200,
  async run(ctx) {
    const stack = await ctx.stack();
    const url = stack.database.url;
    const { db, pool } = createDb({ url, max: 2, applicationName: "inkwell-bench-queue" });
    const admin = createBoss(url, { supervise: false, schedule: false, max: 4, listenNotify: false });
    const utils = await makeWorkerUtils({ connectionString: url, logger: silentGraphile });
    try {
      admin.on("error", (err) => console.error("[queue-throughput] pg-boss", err));
      await admin.start();
      await prepareQueues(admin, db, [defaultsJob, tunedJob]);
      await utils.migrate();

      /** Runs handlers until `count` calls; resolves with the instant of the last one. */
      const counter = (total: number) => {
        let seen = 0;
        let done!: (at: number) => void;
        const finished = new Promise<number>((resolve) => {
          done = resolve;
        });
        return {
          finished,
          hit() {
            if (++seen === total) done(performance.now());
          },
        };
      };

      const pgBoss = async (job: JobDefinition, jobs: number): Promise<number> => {
        for (let i = 0; i < jobs; i += 1_000) {
          await admin.insert(
            job.name,
            Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({ data: { n: i + k } })),
          );
        }
        const boss = createBoss(url, { supervise: false, schedule: false, max: 6 });
        boss.on("error", (err) => console.error("[queue-throughput] pg-boss", err));
        await boss.start();
        const count = counter(jobs);
        const started = performance.now();
        await registerJobs(boss, [{ job, run: async () => count.hit() }], { log: quiet }, { pollingIntervalSeconds: 1 });
        const ended = await withTimeout(count.finished, job.name);
        await boss.stop({ graceful: true, timeout: 10_000 });
        const left = await pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')",
          [job.name],
        );
        if (Number(left.rows[0]?.n ?? 0) > 0) throw new Error(`${job.name}: ${left.rows[0]?.n} jobs left after the run`);
        return jobs / ((ended - started) / 1000);
      };

      const graphile = async (): Promise<number> => {
        for (let i = 0; i < JOBS; i += 1_000) {
          await utils.addJobs(
            Array.from({ length: Math.min(1_000, JOBS - i) }, (_, k) => ({ identifier: "noop", payload: { n: i + k } })),
          );
        }
        const count = counter(JOBS);
        const started = performance.now();
        const runner = await runGraphile({
          connectionString: url,
          concurrency: 24,
          maxPoolSize: 25,
          noHandleSignals: true,
          pollInterval: 1_000,
          logger: silentGraphile,
          preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
          taskList: { noop: async () => count.hit() },
        });
        const ended = await withTimeout(count.finished, "graphile-worker");
        await runner.stop();
        const left = await pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM graphile_worker._private_jobs WHERE attempts < max_attempts",
        );
        if (Number(left.rows[0]?.n ?? 0) > 0) throw new Error(`graphile-worker: ${left.rows[0]?.n} jobs left after the run`);
        return JOBS / ((ended - started) / 1000);
      };

      const variants = [
        { key: "defaults", name: `pg-boss, job defaults (${DEFAULTS_JOBS} jobs)`, run: () => pgBoss(defaultsJob, DEFAULTS_JOBS) },
        {
          key: "tuned",
          name: `pg-boss, tuned (batch ${TUNED.batchSize} concurrent, ${TUNED.localConcurrency} fetchers)`,
          run: () => pgBoss(tunedJob, JOBS),
        },
        { key: "graphile", name: "graphile-worker (24 concurrent, local queue 500)", run: graphile },
      ].filter((v) => !ctx.only || ctx.only.includes(v.key));
      const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
      for (let round = 0; round < ROUNDS && !ctx.signal.aborted; round++) {
        for (const v of variants) {
          const rate = await v.run();
          results.get(v.name)?.push(rate);
          ctx.log(`round ${round + 1}: ${v.name}: ${num(rate)} jobs/s`);
        }
      }
      const med = (name: string) => median(results.get(name) ?? []);
      const byKey = (key: string) => {
        const v = variants.find((x) => x.key === key);
        return v ? med(v.name) : Number.NaN;
      };
      const [defaults, tuned, gw] = [byKey("defaults"), byKey("tuned"), byKey("graphile")];
      const yes = (ok: boolean) => (ok ? "yes" : "NO");
      const rows = variants.map((v) => [
        `${v.name}: jobs/s (median of ${results.get(v.name)?.length})`,
        `${num(med(v.name))}`,
        `rounds ${(results.get(v.name) ?? []).map((r) => num(r)).join(" / ")}`,
        v.run === graphile ? "baseline" : "",
      ]);
      rows.push(
        [
          "pg-boss tuned / graphile-worker",
          `${(tuned / gw).toFixed(2)}×`,
          `≥ ${TARGETS.ratio}×`,
          yes(tuned / gw >= TARGETS.ratio),
        ],
        ["pg-boss tuned: jobs/s", num(tuned), `≥ ${num(TARGETS.jobsPerSecond)}`, yes(tuned >= TARGETS.jobsPerSecond)],
        ["pg-boss job defaults / graphile-worker", `${(defaults / gw).toFixed(2)}×`, "–", "–"],
      );
      return {
        suite: this.name,
        description: this.description,
        plan: { concurrency: 1, warmupMs: 0, roundMs: 0, rounds: ROUNDS, maxOpsPerRound: JOBS },
        variants: [],
        ratios: [],
        notes: [
          `${JOBS} no-op jobs (${DEFAULTS_JOBS} for the defaults variant) queued before each worker starts; the clock runs from starting the worker to the last handler call; each round checks nothing is left to run.`,
          "All in this process (workers and the bench), against the same database.",
          stack.database.kind === "embedded" ? "Embedded PGlite." : `PostgreSQL ${stack.serverVersion}.`,
        ],
        tables: [{ title: "queue-throughput: no-op jobs per second", headers: ["measure", "value", "target", ""], rows }],
      };
    } finally {
      await admin.stop({ graceful: false }).catch(() => {});
      await utils.release();
      await db.destroy();
    }
  },
};

async function withTimeout<T>(p: Promise<T>, what: string, ms = 300_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: backlog not drained within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
