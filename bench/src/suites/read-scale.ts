/**
 * read-scale: protected-read throughput with one API process and with two, on one database (the API
 * holds no state a request needs, so replicas behind a load balancer share the load). Both API
 * processes are real child processes (lib/processes.ts), started as in production; the load is the
 * same closed loop of `GET /trpc/profile.get` (session lookup + one row under RLS) at the same total
 * concurrency:
 *
 *   one-api   every client against API process 1
 *   two-apis  half the clients against process 1, half against process 2 (round robin by client)
 *
 * On a 2-core machine the two processes, Postgres and the load generator share the same two cores,
 * so the ratio says how much of the API's CPU a second process can use, not what a second machine
 * would add; the per-request Postgres CPU is the budget that stays.
 * The embedded database serves one connection at a time from one process: skipped there.
 */
import os from "node:os";
import { generateKeySpec } from "@inkwell/domain/platform";
import type { HttpRequestSpec } from "../lib/http-client.ts";
import type { Limits, Sample } from "../lib/load.ts";
import { processesCpuMeter } from "../lib/pg-cpu.ts";
import { type ApiProcess, startApiProcess } from "../lib/processes.ts";
import { planFor, type RatioSpec, ratios, runInterleaved, type Variant } from "../lib/runner.ts";
import type { BenchUser } from "../lib/stack.ts";
import type { Suite } from "../lib/suite.ts";

const RATIOS: RatioSpec[] = [
  { name: "two-apis/one-api", a: "two-apis", b: "one-api", note: "what a second API process adds (same cores)" },
];

function merge(parts: Sample[]): Sample {
  const latencies = new Float64Array(parts.reduce((n, p) => n + p.latencies.length, 0));
  let o = 0;
  for (const p of parts) {
    latencies.set(p.latencies, o);
    o += p.latencies.length;
  }
  const firstError = parts.find((p) => p.firstError)?.firstError;
  return {
    ops: parts.reduce((n, p) => n + p.ops, 0),
    errors: parts.reduce((n, p) => n + p.errors, 0),
    elapsedMs: Math.max(...parts.map((p) => p.elapsedMs)),
    latencies,
    ...(firstError ? { firstError } : {}),
  };
}

const loadAverage = () => (os.loadavg()[0] ?? 0).toFixed(1);

export const readScale: Suite = {
  name: "read-scale",
  description: "protected-read throughput (profile.get) with one API process and with two on one database",
  // Two API processes load their TypeScript first (seconds when idle, over a minute on a loaded machine).
  minSeconds: 240,
  async run(ctx) {
    const stack = await ctx.stack();
    const budgetStart = performance.now();
    const budget = ctx.budgetMs();
    if (stack.database.kind !== "native") {
      const plan = planFor(1_000, 1, { concurrency: ctx.concurrency, roundMs: ctx.roundMs, maxOpsPerRound: ctx.maxOpsPerRound });
      return {
        suite: this.name,
        description: this.description,
        plan,
        variants: [],
        ratios: [],
        notes: ["skipped: the embedded database runs in one process (one backend); run with DATABASE_URL for replicas"],
      };
    }
    const users = await stack.signUp(ctx.users, "read-scale");
    const env = {
      NODE_ENV: "production",
      DATABASE_URL: stack.database.url,
      INKWELL_ENCRYPTION_KEYS: generateKeySpec("read-scale"),
      SMTP_URL: "smtp://127.0.0.1:9",
      APP_URL: "http://bench.localhost",
      TRUST_PROXY: "true",
      // Errors only (a failing variant says why in the processes' output); no request lines.
      LOG_LEVEL: "error",
    };
    // One after the other: the second finds tsx's compile cache warm (two at once both compile the
    // whole API, which took over a minute each on a loaded machine).
    const apis: ApiProcess[] = [];
    const started: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        apis.push(await startApiProcess(env));
        started.push(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      ctx.log(`API processes ready in ${started.join(" and ")} (load ${loadAverage()})`);
      const requests: HttpRequestSpec[] = users.map((u: BenchUser, i) => ({
        path: "/trpc/profile.get",
        headers: { authorization: `Bearer ${u.token}`, "x-forwarded-for": `10.78.${Math.floor(i / 250)}.${(i % 250) + 1}` },
      }));
      const [first, second] = apis as [ApiProcess, ApiProcess];
      const run = (targets: ApiProcess[]) => async (l: Limits) => {
        const per = Math.max(1, Math.floor(l.concurrency / targets.length));
        const parts = await Promise.all(
          targets.map((t, i) =>
            ctx.http.run(
              { origin: t.origin, requests: requests.filter((_, k) => k % targets.length === i) },
              { ...l, concurrency: per, maxOps: Math.ceil(l.maxOps / targets.length) },
            ),
          ),
        );
        return merge(parts);
      };
      const variants: Variant[] = [
        { name: "one-api", description: "all clients → API process 1", run: run([first]) },
        { name: "two-apis", description: "half the clients → each of two API processes", run: run([first, second]) },
      ];
      const count = ctx.only ? variants.filter((v) => ctx.only?.includes(v.name)).length : variants.length;
      // The measuring itself: at most a minute (teardown and the processes' stop come after it).
      const remaining = Math.min(60_000, Math.max(2_000, budget - (performance.now() - budgetStart) - 20_000));
      const plan = planFor(remaining, Math.max(1, count), {
        concurrency: ctx.concurrency,
        roundMs: ctx.roundMs,
        maxOpsPerRound: ctx.maxOpsPerRound,
      });
      const loadBefore = loadAverage();
      // The API processes' own CPU (both, whichever the variant uses): the cost of a request where it is served.
      const apiCpu = processesCpuMeter(
        "api",
        apis.flatMap((a) => (a.pid === undefined ? [] : [a.pid])),
      );
      const meters = [...stack.meters, ...(apiCpu ? [apiCpu] : [])];
      const results = await runInterleaved(variants, plan, { ...ctx, meters }).catch((error: unknown) => {
        for (const [i, api] of apis.entries()) ctx.log(`API process ${i + 1}'s last output: ${api.output() || "(none)"}`);
        throw error;
      });
      return {
        suite: this.name,
        description: this.description,
        plan,
        variants: results,
        ratios: ratios(results, RATIOS),
        notes: [
          `${ctx.concurrency} concurrent clients in total (closed loop, keep-alive), ${users.length} users; API processes started with node --import tsx (production env), their own pools (default size) on the run's database.`,
          "node CPU is this process (the load generator); api CPU both API processes; Postgres CPU the bench database's backends. CPU per request is the steadier figure on a shared machine.",
          `API processes started in ${started.join(" and ")}; load average (1 min) ${loadBefore} before the rounds, ${loadAverage()} after.`,
        ],
      };
    } finally {
      await Promise.all(apis.map((a) => a.stop()));
    }
  },
};
