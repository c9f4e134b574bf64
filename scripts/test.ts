/**
 * `pnpm test` — every check, in the order that fails fastest: lint, types, the generated schema types
 * against the migrations, the test suites of every package (real Postgres: embedded, or the server
 * named by DATABASE_URL), then the browser test in Chromium.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const steps: [string, string, string[]][] = [
  ["lint", "pnpm", ["lint"]],
  ["typecheck", "pnpm", ["typecheck"]],
  ["schema types are current", "pnpm", ["--filter", "@inkwell/db", "db:codegen:check"]],
  ["unit and integration tests", "pnpm", ["test:unit"]],
  ["browser test", "pnpm", ["test:e2e"]],
];

if (!existsSync("/usr/bin/chromium")) {
  console.log("[test] Chromium is missing: installing Debian's package (scripts/ensure-chromium.sh)");
  const r = spawnSync("bash", ["scripts/ensure-chromium.sh"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const results: { name: string; ok: boolean; seconds: number }[] = [];
for (const [name, cmd, args] of steps) {
  console.log(`\n\x1b[1m[test] ${name}\x1b[0m  (${cmd} ${args.join(" ")})`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, env: process.env });
  results.push({ name, ok: r.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
  if (r.status !== 0) break;
}

console.log(`\n[test] database: ${process.env.DATABASE_URL ? "native (DATABASE_URL)" : "embedded (PGlite)"}`);
for (const r of results) console.log(`[test] ${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds}s)`);
const failed = results.some((r) => !r.ok) || results.length < steps.length;
process.exit(failed ? 1 : 0);
