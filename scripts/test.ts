/**
 * `pnpm test` — every check, in the order that fails fastest: first lint, types and the generated schema
 * types against the migrations (together: they are independent and mostly wait on one core each), then
 * the test suites of every package (real Postgres: embedded, or the server named by DATABASE_URL), then
 * the browser test in Chromium. The first failure stops the run.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
type Step = { name: string; cmd: string; args: string[] };
const phases: Step[][] = [
  [
    { name: "lint", cmd: "pnpm", args: ["lint"] },
    { name: "typecheck", cmd: "pnpm", args: ["typecheck"] },
    { name: "schema types are current", cmd: "pnpm", args: ["--filter", "@inkwell/db", "db:codegen:check"] },
  ],
  [{ name: "unit and integration tests", cmd: "pnpm", args: ["test:unit"] }],
  [{ name: "browser test", cmd: "pnpm", args: ["test:e2e"] }],
];
const stepCount = phases.flat().length;

if (!existsSync("/usr/bin/chromium")) {
  console.log("[test] Chromium is missing: installing Debian's package (scripts/ensure-chromium.sh)");
  const r = spawnSync("bash", ["scripts/ensure-chromium.sh"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const results: { name: string; ok: boolean; seconds: number; note?: string }[] = [];
const running = new Set<ChildProcess>();
const stopped = new WeakSet<ChildProcess>();

// Each step runs in its own process group, so stopping it also stops what pnpm started under it.
function stop(child: ChildProcess) {
  if (child.pid !== undefined && child.exitCode === null) {
    stopped.add(child);
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const child of running) stop(child);
    process.exit(130);
  });
}

/**
 * Runs one step. Alone, its output streams live; beside others it is buffered and printed whole when it
 * ends, so the interleaved output of parallel steps stays readable.
 */
function run(step: Step, live: boolean): { done: Promise<boolean>; child: ChildProcess; output: () => string } {
  if (live) console.log(`\n${bold(`[test] ${step.name}`)}  (${step.cmd} ${step.args.join(" ")})`);
  const started = Date.now();
  const child = spawn(step.cmd, step.args, {
    cwd: root,
    env: live ? process.env : { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? "1" },
    stdio: live ? "inherit" : ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  const chunks: Buffer[] = [];
  child.stdout?.on("data", (c: Buffer) => chunks.push(c));
  child.stderr?.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<boolean>((resolveDone) => {
    child.on("close", (code) => {
      running.delete(child);
      const ok = code === 0;
      results.push({
        name: step.name,
        ok,
        seconds: Math.round((Date.now() - started) / 1000),
        ...(stopped.has(child) && !ok ? { note: "stopped" } : {}),
      });
      resolveDone(ok);
    });
    child.on("error", (error) => {
      chunks.push(Buffer.from(`${error.message}\n`));
    });
  });
  return { done, child, output: () => Buffer.concat(chunks).toString() };
}

async function runPhase(steps: Step[]): Promise<boolean> {
  if (steps.length === 1) return run(steps[0]!, true).done;
  console.log(`\n${bold(`[test] ${steps.map((s) => s.name).join(" + ")}`)}  (in parallel; each prints when it ends)`);
  const runs = steps.map((step) => ({ step, ...run(step, false) }));
  let failed = false;
  await Promise.all(
    runs.map(async (r) => {
      const ok = await r.done;
      if (failed && !ok) return; // stopped because another step failed first
      console.log(`\n${bold(`[test] ${r.step.name}: ${ok ? "ok" : "FAILED"}`)}  (${r.step.cmd} ${r.step.args.join(" ")})`);
      process.stdout.write(r.output());
      if (!ok && !failed) {
        failed = true;
        for (const other of runs) stop(other.child);
      }
    }),
  );
  return !failed;
}

for (const phase of phases) {
  if (!(await runPhase(phase))) break;
}

console.log(`\n[test] database: ${process.env.DATABASE_URL ? "native (DATABASE_URL)" : "embedded (PGlite)"}`);
const order = phases.flat().map((s) => s.name);
results.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
for (const r of results)
  console.log(`[test] ${r.ok ? "ok  " : r.note === "stopped" ? "stop" : "FAIL"} ${r.name} (${r.seconds}s)`);
const failed = results.some((r) => !r.ok) || results.length < stepCount;
process.exit(failed ? 1 : 0);
