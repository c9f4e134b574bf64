/** Run settings from the environment; every value is bounded. */

function int(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

export interface Config {
  /** Whole-run budget: setup, every suite, teardown. */
  seconds: number;
  /** Whether BENCH_SECONDS was given (otherwise suites may ask for more: Suite.minSeconds). */
  secondsSet: boolean;
  concurrency: number;
  users: number;
  roundMs: number;
  maxOpsPerRound: number;
  httpClient: "worker" | "inline";
  /** Only these variants (BENCH_VARIANTS=trpc,hono), e.g. to profile one; all when unset. */
  variants?: string[];
}

export function readConfig(): Config {
  const httpClient = process.env.BENCH_HTTP_CLIENT ?? "worker";
  if (httpClient !== "worker" && httpClient !== "inline") throw new Error('BENCH_HTTP_CLIENT must be "worker" or "inline"');
  return {
    seconds: int("BENCH_SECONDS", 60, 10, 3_600),
    secondsSet: Boolean(process.env.BENCH_SECONDS),
    concurrency: int("BENCH_CONCURRENCY", 16, 1, 256),
    users: int("BENCH_USERS", 50, 1, 1_000),
    roundMs: int("BENCH_ROUND_MS", 1_000, 200, 60_000),
    maxOpsPerRound: int("BENCH_MAX_OPS_PER_ROUND", 500_000, 100, 5_000_000),
    httpClient,
    ...(process.env.BENCH_VARIANTS ? { variants: process.env.BENCH_VARIANTS.split(",").map((v) => v.trim()) } : {}),
  };
}
