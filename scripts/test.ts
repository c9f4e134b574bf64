/**
 * `pnpm test` — every check, in the order that fails fastest: first lint, types and the generated schema
 * types against the migrations (together: they are independent and mostly wait on one core each), then
 * the test suites of every package (real Postgres: embedded, or the server named by DATABASE_URL), then
 * the browser test in Chromium. The first failure stops the run.
 *
 * The package suites run three at a time, the slowest first: they mostly wait (on the database, on the
 * crash tests' clocks), so on two cores three overlap well, and starting the long ones first keeps a
 * long one from starting last. (turbo ran them two at a time in its own order: `pnpm test:unit`.)
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
type Step = { name: string; cmd: string; args: string[] };
type Phase = { steps: Step[]; atOnce: number };

/** The slowest suites, measured: started first. Any other package with a `test` script follows. */
const SLOWEST_FIRST = ["@inkwell/api", "@inkwell/worker", "@inkwell/domain"];
const SUITES_AT_ONCE = 3;

function packageSuites(): Step[] {
  const names: string[] = [];
  for (const dir of ["apps", "packages"]) {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const manifest = join(root, dir, entry.name, "package.json");
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; scripts?: Record<string, string> };
      if (pkg.scripts?.test) names.push(pkg.name);
    }
  }
  const rank = (name: string) => (SLOWEST_FIRST.includes(name) ? SLOWEST_FIRST.indexOf(name) : SLOWEST_FIRST.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((name) => ({ name: `tests: ${name}`, cmd: "pnpm", args: ["--filter", name, "test"] }));
}

const phases: Phase[] = [
  {
    steps: [
      { name: "lint", cmd: "pnpm", args: ["lint"] },
      { name: "typecheck", cmd: "pnpm", args: ["typecheck"] },
      { name: "schema types are current", cmd: "pnpm", args: ["--filter", "@inkwell/db", "db:codegen:check"] },
    ],
    atOnce: 3,
  },
  { steps: packageSuites(), atOnce: SUITES_AT_ONCE },
  { steps: [{ name: "browser test", cmd: "pnpm", args: ["test:e2e"] }], atOnce: 1 },
];
const stepCount = phases.flatMap((p) => p.steps).length;

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

async function runPhase({ steps, atOnce }: Phase): Promise<boolean> {
  if (steps.length === 1) return run(steps[0]!, true).done;
  const how = atOnce >= steps.length ? "in parallel" : `${atOnce} at a time`;
  console.log(`\n${bold(`[test] ${steps.map((s) => s.name).join(" + ")}`)}  (${how}; each prints when it ends)`);
  const started: ChildProcess[] = [];
  const queue = [...steps];
  let failed = false;
  // Each lane takes the next step when its last one ends; a failure stops what runs and starts nothing more.
  const lane = async () => {
    for (let step = queue.shift(); step && !failed; step = queue.shift()) {
      console.log(`[test] ${step.name}: started`);
      const r = run(step, false);
      started.push(r.child);
      const ok = await r.done;
      if (failed && !ok) return; // stopped because another step failed first
      console.log(`\n${bold(`[test] ${step.name}: ${ok ? "ok" : "FAILED"}`)}  (${step.cmd} ${step.args.join(" ")})`);
      process.stdout.write(r.output());
      if (!ok && !failed) {
        failed = true;
        for (const other of started) stop(other);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, steps.length) }, lane));
  return !failed;
}

for (const phase of phases) {
  if (!(await runPhase(phase))) break;
}

console.log(`\n[test] database: ${process.env.DATABASE_URL ? "native (DATABASE_URL)" : "embedded (PGlite)"}`);
const order = phases.flatMap((p) => p.steps).map((s) => s.name);
results.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
for (const r of results)
  console.log(`[test] ${r.ok ? "ok  " : r.note === "stopped" ? "stop" : "FAIL"} ${r.name} (${r.seconds}s)`);
const failed = results.some((r) => !r.ok) || results.length < stepCount;
process.exit(failed ? 1 : 0);
