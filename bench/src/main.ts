/**
 * `pnpm bench [suite...]`: runs the named suites (all when none) against one database and one API in
 * this process, prints a table per suite and writes bench/results/latest.json.
 *
 * Env: DATABASE_URL (a server to create a scratch database on; embedded PGlite when unset),
 * BENCH_SECONDS (whole run, default 60), BENCH_CONCURRENCY (16), BENCH_USERS (50),
 * BENCH_ROUND_MS (1000), BENCH_HTTP_CLIENT (worker | inline), BENCH_VARIANTS (e.g. trpc,hono: only those).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { readConfig } from "./lib/config.ts";
import { startHttpLoad } from "./lib/http-load.ts";
import { type Stack, startStack } from "./lib/stack.ts";
import type { SuiteReport } from "./lib/suite.ts";
import { ms, num, table, times } from "./lib/table.ts";
import { suites } from "./suites/index.ts";

/** Kept back from the budget for teardown. */
const TEARDOWN_RESERVE_MS = 4_000;

const config = readConfig();
const started = performance.now();
const elapsed = () => ((performance.now() - started) / 1000).toFixed(1).padStart(5);
const log = (line: string) => console.log(`[${elapsed()} s] ${line}`);

const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = names.filter((n) => !suites.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(", ")}; available: ${suites.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const selected = names.length > 0 ? suites.filter((s) => names.includes(s.name)) : suites;
if (!config.secondsSet) {
  config.seconds += selected.reduce((n, s) => n + (s.minSeconds ?? 0), 0);
}
const deadline = started + config.seconds * 1000;

// Last resort if something hangs: the run is bounded no matter what.
setTimeout(
  () => {
    console.error(`bench: still running ${config.seconds + 60} s after start; giving up`);
    process.exit(3);
  },
  (config.seconds + 60) * 1000,
).unref();

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(130); // a second signal: leave now
    log(`${signal}: finishing the current round, then cleaning up (again to quit at once)`);
    controller.abort();
  });
}

let stack: Promise<Stack> | undefined;
const http = startHttpLoad(config.httpClient);
const reports: SuiteReport[] = [];
let failed = false;

try {
  for (const [index, suite] of selected.entries()) {
    if (controller.signal.aborted) break;
    log(`suite ${suite.name}: ${suite.description}`);
    const report = await suite.run({
      stack: () => {
        stack ??= startStack(log);
        return stack;
      },
      http,
      concurrency: config.concurrency,
      users: config.users,
      roundMs: config.roundMs,
      maxOpsPerRound: config.maxOpsPerRound,
      // Suites still to come keep their minSeconds; the rest of what is left is shared equally.
      budgetMs: () =>
        Math.max(1_000, (deadline - TEARDOWN_RESERVE_MS - performance.now() - reservedAfter(index)) / (selected.length - index)),
      signal: controller.signal,
      ...(config.variants ? { only: config.variants } : {}),
      log: (line) => log(`${suite.name}: ${line}`),
    });
    reports.push(report);
    printReport(report);
  }
} catch (error) {
  failed = true;
  console.error("bench failed:", error);
} finally {
  await http.close();
  const s = await stack?.catch(() => undefined);
  if (s) {
    log("tearing down");
    await s.close();
  }
}

if (reports.length > 0) {
  const s = await stack?.catch(() => undefined);
  const result = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    database: s ? { kind: s.database.kind, serverVersion: s.serverVersion } : null,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", node: process.version, platform: process.platform },
    config,
    durationSeconds: (performance.now() - started) / 1000,
    suites: reports,
  };
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(`${dir}latest.json`, json);
  if (s) writeFileSync(`${dir}latest-${s.database.kind}.json`, json);
  log(`wrote bench/results/latest.json${s ? ` and latest-${s.database.kind}.json` : ""}`);
}
log("done");
process.exit(failed ? 1 : 0);

function printReport(r: SuiteReport) {
  const p = r.plan;
  const meters = Object.keys(r.variants[0]?.cpuUsPerOp ?? {});
  console.log(
    `\n${r.suite} — ${r.description}\n${p.rounds} interleaved rounds × ${p.roundMs} ms per variant, concurrency ${p.concurrency}\n`,
  );
  console.log(
    table(
      [
        "variant",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        ...meters.map((m) => `${m} cpu µs/req`),
        "requests",
        "errors",
        "req/s by round",
        "what",
      ],
      r.variants.map((v) => [
        v.name,
        num(v.rps),
        ms(v.latency.p50),
        ms(v.latency.p90),
        ms(v.latency.p99),
        ms(v.latency.max),
        ...meters.map((m) => num(v.cpuUsPerOp[m] ?? Number.NaN)),
        num(v.ops),
        num(v.errors),
        v.rounds.map((x) => num(x.rps)).join(" "),
        v.description,
      ]),
      ["l", "r", "r", "r", "r", "r", ...meters.map(() => "r" as const), "r", "r", "l", "l"],
    ),
  );
  console.log("");
  console.log(
    table(
      ["ratio", "req/s a/b", "by round (median, min–max)", "p50 a/b", "p99 a/b", ...meters.map((m) => `${m} cpu a/b`), "meaning"],
      r.ratios.map((x) => [
        x.name,
        times(x.rps),
        `${times(x.roundRps.median)} (${times(x.roundRps.min)}–${times(x.roundRps.max)})`,
        times(x.p50),
        times(x.p99),
        ...meters.map((m) => times(x.cpu[m] ?? Number.NaN)),
        x.note ?? "",
      ]),
      ["l", "r", "r", "r", "r", ...meters.map(() => "r" as const), "l"],
    ),
  );
  for (const t of r.tables ?? []) {
    console.log(`\n${t.title}\n`);
    console.log(table(t.headers, t.rows));
  }
  console.log("");
  for (const v of r.variants) if (v.firstError) console.log(`! ${v.name}: first error: ${v.firstError}`);
  for (const n of r.notes) console.log(`· ${n}`);
  console.log("");
}

function reservedAfter(index: number): number {
  return selected.slice(index + 1).reduce((n, s) => n + (s.minSeconds ?? 0), 0) * 1000;
}

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}
