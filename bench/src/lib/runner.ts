/**
 * The interleaved runner: every variant runs once per round, in the same order (A, B, C, A, B, C...),
 * so slow drift (caches, autovacuum, thermal, the other tenant of the machine) lands on all of them
 * alike. A warm-up pass of each variant runs first and is discarded.
 */
import os from "node:os";
import type { Limits, Sample } from "./load.ts";
import { concat, type LatencySummary, median, summarize } from "./stats.ts";

export interface Variant {
  name: string;
  description: string;
  run(limits: Limits): Promise<Sample>;
}

export interface Plan {
  concurrency: number;
  warmupMs: number;
  roundMs: number;
  rounds: number;
  maxOpsPerRound: number;
}

export interface RoundStat {
  ops: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

export interface VariantResult {
  name: string;
  description: string;
  ops: number;
  errors: number;
  elapsedMs: number;
  /** Successful operations per second over all measured rounds. */
  rps: number;
  /**
   * CPU microseconds per successful operation, by meter: `node` is this whole process (servers, load
   * generator, and PGlite when embedded); `postgres` the server backends when measurable. Steadier
   * than req/s when the machine is shared.
   */
  cpuUsPerOp: Record<string, number>;
  latency: LatencySummary;
  rounds: RoundStat[];
  firstError?: string;
}

export interface RatioSpec {
  name: string;
  a: string;
  b: string;
  note?: string;
}

export interface RatioResult {
  name: string;
  a: string;
  b: string;
  note?: string;
  /** a.rps / b.rps over all rounds. */
  rps: number;
  /** Median over rounds of the paired (same-round) throughput ratio, and its range. */
  roundRps: { median: number; min: number; max: number };
  /** a.p50 / b.p50 and a.p99 / b.p99. */
  p50: number;
  p99: number;
  /** a.cpuUsPerOp / b.cpuUsPerOp, by meter. */
  cpu: Record<string, number>;
}

/** Measures CPU spent while a run goes: start() returns stop(), which resolves to microseconds. */
export interface CpuMeter {
  name: string;
  start(): Promise<() => Promise<number>>;
}

export const processCpu: CpuMeter = {
  name: "node",
  async start() {
    const before = process.cpuUsage();
    return async () => {
      const used = process.cpuUsage(before);
      return used.user + used.system;
    };
  },
};

export interface PlanOptions {
  concurrency: number;
  /** Preferred round length per variant. */
  roundMs: number;
  maxOpsPerRound: number;
  minRounds?: number;
}

/** Fits warm-up and rounds for `variants` into `budgetMs`: shortens rounds (down to 300 ms) before dropping below minRounds. */
export function planFor(budgetMs: number, variants: number, options: PlanOptions): Plan {
  const minRounds = options.minRounds ?? 3;
  const warmupMs = Math.min(2_000, Math.max(800, (budgetMs * 0.2) / variants));
  const measureMs = Math.max(0, budgetMs - warmupMs * variants);
  let roundMs = options.roundMs;
  let rounds = Math.floor(measureMs / (variants * roundMs));
  if (rounds < minRounds) {
    roundMs = Math.max(300, Math.floor(measureMs / (variants * minRounds)));
    rounds = Math.max(1, Math.floor(measureMs / (variants * roundMs)));
  }
  return { concurrency: options.concurrency, warmupMs, roundMs, rounds, maxOpsPerRound: options.maxOpsPerRound };
}

export async function runInterleaved(
  all: Variant[],
  plan: Plan,
  hooks: { log(line: string): void; signal?: AbortSignal; only?: string[]; meters?: CpuMeter[] },
): Promise<VariantResult[]> {
  const meters = [processCpu, ...(hooks.meters ?? [])];
  const variants = hooks.only ? all.filter((v) => hooks.only?.includes(v.name)) : all;
  if (variants.length === 0) throw new Error(`no variant selected; this suite has ${all.map((v) => v.name).join(", ")}`);
  const limits = (durationMs: number): Limits => ({
    concurrency: plan.concurrency,
    durationMs,
    maxOps: plan.maxOpsPerRound,
  });

  for (const v of variants) {
    if (hooks.signal?.aborted) break;
    const s = await v.run(limits(plan.warmupMs));
    if (s.errors > 0) throw new Error(`${v.name}: ${s.errors} errors in warm-up (first: ${s.firstError})`);
  }
  hooks.log(
    `warm-up done (${plan.warmupMs.toFixed(0)} ms each); ${plan.rounds} rounds × ${variants.length} × ${plan.roundMs} ms`,
  );

  const samples = new Map<string, (Sample & { cpuUs: number[] })[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < plan.rounds; round++) {
    if (hooks.signal?.aborted) break;
    const line: string[] = [];
    for (const v of variants) {
      const stops = await Promise.all(meters.map((m) => m.start()));
      const s = await v.run(limits(plan.roundMs));
      const cpuUs = await Promise.all(stops.map((stop) => stop()));
      samples.get(v.name)?.push({ ...s, cpuUs });
      line.push(`${v.name} ${((s.ops * 1000) / s.elapsedMs).toFixed(0)}/s`);
    }
    hooks.log(`round ${round + 1}/${plan.rounds}: ${line.join("  ")}  (load ${(os.loadavg()[0] ?? 0).toFixed(1)})`);
  }

  return variants.map((v) => {
    const list = samples.get(v.name) ?? [];
    const ops = list.reduce((n, s) => n + s.ops, 0);
    const elapsedMs = list.reduce((n, s) => n + s.elapsedMs, 0);
    const firstError = list.find((s) => s.firstError)?.firstError;
    return {
      name: v.name,
      description: v.description,
      ops,
      errors: list.reduce((n, s) => n + s.errors, 0),
      elapsedMs,
      rps: elapsedMs > 0 ? (ops * 1000) / elapsedMs : 0,
      cpuUsPerOp: Object.fromEntries(
        meters.map((m, i) => [m.name, ops > 0 ? list.reduce((n, s) => n + (s.cpuUs[i] ?? 0), 0) / ops : Number.NaN]),
      ),
      latency: summarize(concat(list.map((s) => s.latencies))),
      rounds: list.map((s) => {
        const l = summarize(s.latencies);
        return { ops: s.ops, errors: s.errors, rps: (s.ops * 1000) / s.elapsedMs, p50: l.p50, p99: l.p99 };
      }),
      ...(firstError ? { firstError } : {}),
    };
  });
}

export function ratios(results: VariantResult[], specs: RatioSpec[]): RatioResult[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  return specs.flatMap((spec) => {
    const a = byName.get(spec.a);
    const b = byName.get(spec.b);
    if (!a || !b) return [];
    const paired = a.rounds.map((ra, i) => ra.rps / (b.rounds[i]?.rps ?? Number.NaN)).filter(Number.isFinite);
    return [
      {
        name: spec.name,
        a: spec.a,
        b: spec.b,
        ...(spec.note ? { note: spec.note } : {}),
        rps: a.rps / b.rps,
        roundRps: { median: median(paired), min: Math.min(...paired), max: Math.max(...paired) },
        p50: a.latency.p50 / b.latency.p50,
        p99: a.latency.p99 / b.latency.p99,
        cpu: Object.fromEntries(
          Object.entries(a.cpuUsPerOp).map(([meter, us]) => [meter, us / (b.cpuUsPerOp[meter] ?? Number.NaN)]),
        ),
      },
    ];
  });
}
