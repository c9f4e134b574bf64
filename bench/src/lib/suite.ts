/** What a benchmark suite is: given the shared stack and a time budget, it measures and reports. */
import type { HttpLoad } from "./http-load.ts";
import type { Plan, RatioResult, VariantResult } from "./runner.ts";
import type { Stack } from "./stack.ts";

export interface SuiteContext {
  /** The database + API, started on first use and shared by all suites of the run. */
  stack(): Promise<Stack>;
  /** Where HTTP load comes from (a worker thread by default). */
  http: HttpLoad;
  concurrency: number;
  users: number;
  roundMs: number;
  maxOpsPerRound: number;
  /** Milliseconds this suite may spend measuring from now (its share of what is left of the run). */
  budgetMs(): number;
  signal: AbortSignal;
  /** Run only these variants (BENCH_VARIANTS); all when undefined. */
  only?: string[];
  log(line: string): void;
}

export interface SuiteReport {
  suite: string;
  description: string;
  plan: Plan;
  variants: VariantResult[];
  ratios: RatioResult[];
  notes: string[];
  /** Extra tables printed after the variants (e.g. figures against their targets). */
  tables?: { title: string; headers: string[]; rows: string[][] }[];
}

export interface Suite {
  name: string;
  description: string;
  /** The whole run is given at least this long when the suite is selected and BENCH_SECONDS is unset. */
  minSeconds?: number;
  run(ctx: SuiteContext): Promise<SuiteReport>;
}
