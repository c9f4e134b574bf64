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
import { generateKeySpec } from "@inkwell/domain/platform";
import type { HttpRequestSpec } from "../lib/http-client.ts";
import type { Limits, Sample } from "../lib/load.ts";
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

export const readScale: Suite = {
  name: "read-scale",
  description: "protected-read throughput (profile.get) with one API process and with two on one database",
  // Two API processes load their TypeScript first (seconds when idle, over a minute on a loaded machine).
  minSeconds: 240,
  async run(ctx) {
    const stack = await ctx.stack();
    const budgetStart = performance.now();
    const budget = ctx.budgetMs();
    // Opt-in until the hang seen in this session's runs (no round finished after both processes were
    // ready, on a machine at load ~25) is understood: a hung suite would hold the default run to its
    // last-resort timeout.
    const optedIn = process.env.BENCH_READ_SCALE === "1";
    if (stack.database.kind !== "native" || !optedIn) {
      const plan = planFor(1_000, 1, { concurrency: ctx.concurrency, roundMs: ctx.roundMs, maxOpsPerRound: ctx.maxOpsPerRound });
      return {
        suite: this.name,
        description: this.description,
        plan,
        variants: [],
        ratios: [],
        notes: [
          optedIn
            ? "skipped: the embedded database runs in one process (one backend); run with DATABASE_URL for replicas"
            : "skipped: set BENCH_READ_SCALE=1 (see bench/README.md: its runs so far did not finish)",
        ],
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
      LOG_LEVEL: "silent",
    };
    const t0 = performance.now();
    const apis: ApiProcess[] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    ctx.log(`two API processes ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    try {
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
      const results = await runInterleaved(variants, plan, { ...ctx, meters: stack.meters });
      return {
        suite: this.name,
        description: this.description,
        plan,
        variants: results,
        ratios: ratios(results, RATIOS),
        notes: [
          `${ctx.concurrency} concurrent clients in total (closed loop, keep-alive), ${users.length} users; API processes started with node --import tsx (production env), their own pools (default size) on the run's database.`,
          "node CPU is this process only (the load generator); the API processes' CPU is outside it. Postgres CPU per request is the steadier figure on a shared machine.",
        ],
      };
    } finally {
      await Promise.all(apis.map((a) => a.stop()));
    }
  },
};
