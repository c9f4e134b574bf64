/**
 * The dev/start supervisor with real child processes: one that keeps dying is restarted with a growing
 * backoff while its sibling keeps running untouched; stop() ends both and nothing restarts after.
 * Run: `npx tsx --test scripts/supervise.test.ts`.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { supervise } from "./supervise.ts";

const node = (code: string) => () => spawn(process.execPath, ["-e", code], { stdio: "ignore", detached: true });

test("a child that dies is restarted with backoff; the others keep running; stop ends everything", async () => {
  const lines: string[] = [];
  const supervisor = supervise(
    [
      { name: "api", start: node("setTimeout(() => process.exit(3), 50)") },
      { name: "worker", start: node("setInterval(() => {}, 1000)") },
    ],
    { log: (m) => lines.push(m), initialBackoffMs: 100, maxBackoffMs: 400, graceMs: 5_000 },
  );
  const worker = supervisor.current("worker");
  try {
    // Each run is a node start (slow on a busy machine): wait for three restarts rather than a fixed time.
    const deadline = Date.now() + 30_000;
    while ((supervisor.restarts.get("api") ?? 0) < 3 && Date.now() < deadline) await sleep(50);
    assert.ok((supervisor.restarts.get("api") ?? 0) >= 3, "api was restarted three times");
    // The backoff doubles: 0.1, 0.2, 0.4 s (then stays at the 0.4 s cap).
    assert.match(lines[0] ?? "", /api .*exited with code 3.*restarting it in 0\.1 s \(restart 1\)/);
    assert.match(lines[1] ?? "", /restarting it in 0\.2 s \(restart 2\)/);
    assert.match(lines[2] ?? "", /restarting it in 0\.4 s \(restart 3\)/);
    assert.equal(supervisor.restarts.get("worker"), undefined);
    assert.equal(supervisor.current("worker"), worker);
    assert.equal(worker?.exitCode, null);
  } finally {
    await supervisor.stop();
  }
  assert.equal(worker?.signalCode, "SIGTERM");
  const after = supervisor.restarts.get("api");
  await sleep(600);
  assert.equal(supervisor.restarts.get("api"), after);
  assert.equal(supervisor.current("api"), undefined);
});

test("a child that cannot start is retried with backoff, not a crash of the supervisor", async () => {
  const lines: string[] = [];
  const supervisor = supervise(
    [{ name: "web", start: () => spawn("/nonexistent/inkwell-missing-command", [], { stdio: "ignore", detached: true }) }],
    { log: (m) => lines.push(m), initialBackoffMs: 50, maxBackoffMs: 100 },
  );
  try {
    const deadline = Date.now() + 10_000;
    while ((supervisor.restarts.get("web") ?? 0) < 2 && Date.now() < deadline) await sleep(20);
    assert.match(lines[0] ?? "", /web could not start \(spawn \/nonexistent\/inkwell-missing-command ENOENT\)/);
  } finally {
    await supervisor.stop();
  }
});

test("what a dead child left in its process group is killed before the restart (it would hold the port)", async () => {
  const pidFile = `/tmp/inkwell-supervise-${process.pid}.pid`;
  // The child leaves a grandchild behind (as tsx leaves its node) and exits.
  const script = `const { spawn } = require("node:child_process"); const g = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(g.pid)); setTimeout(() => process.exit(1), 100);`;
  let starts = 0;
  const supervisor = supervise(
    [{ name: "api", start: () => (starts++ === 0 ? node(script)() : node("setInterval(() => {}, 1000)")()) }],
    { log: () => {}, initialBackoffMs: 50 },
  );
  try {
    const deadline = Date.now() + 20_000;
    while ((supervisor.restarts.get("api") ?? 0) < 1 && Date.now() < deadline) await sleep(20);
    const { readFileSync, rmSync } = await import("node:fs");
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    rmSync(pidFile);
    await sleep(200);
    // Gone, or a zombie nobody reaps (PID 1 in a container may not): either way it no longer runs.
    const state = (() => {
      try {
        return /State:\s+(\w)/.exec(readFileSync(`/proc/${grandchild}/status`, "utf8"))?.[1];
      } catch {
        return "gone";
      }
    })();
    assert.ok(state === "gone" || state === "Z", `the grandchild is ${state}`);
  } finally {
    await supervisor.stop();
  }
});

test("stop() gives the whole group its grace period, though the leader (pnpm) dies at once on SIGTERM", async () => {
  const done = `/tmp/inkwell-supervise-graceful-${process.pid}`;
  const { existsSync, rmSync } = await import("node:fs");
  rmSync(done, { force: true });
  // As `pnpm --filter api start`: the leader exits on SIGTERM at once, while the API it started (here a
  // grandchild) takes a moment to shut down cleanly (close the server, finish jobs, close the database).
  const api = `process.on("SIGTERM", () => setTimeout(() => { require("node:fs").writeFileSync(${JSON.stringify(done)}, "1"); process.exit(0); }, 300)); require("node:fs").writeFileSync(${JSON.stringify(`${done}.ready`)}, "1"); setInterval(() => {}, 1000);`;
  const leader = `const { spawn } = require("node:child_process"); spawn(process.execPath, ["-e", ${JSON.stringify(api)}], { stdio: "ignore" }); setInterval(() => {}, 1000);`;
  const supervisor = supervise([{ name: "api", start: node(leader) }], { log: () => {}, graceMs: 5_000 });
  const ready = Date.now() + 20_000;
  while (!existsSync(`${done}.ready`) && Date.now() < ready) await sleep(20);
  await supervisor.stop();
  try {
    assert.ok(existsSync(done), "the API finished its shutdown before stop() returned");
  } finally {
    rmSync(done, { force: true });
    rmSync(`${done}.ready`, { force: true });
  }
});

test("stop() kills what is left of a group after the grace period, though its leader is gone", async () => {
  const pidFile = `/tmp/inkwell-supervise-stubborn-${process.pid}.pid`;
  const { readFileSync, rmSync } = await import("node:fs");
  const stubborn = `process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);`;
  const leader = `const { spawn } = require("node:child_process"); const g = spawn(process.execPath, ["-e", ${JSON.stringify(stubborn)}], { stdio: "ignore" }); require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(g.pid)); setInterval(() => {}, 1000);`;
  const supervisor = supervise([{ name: "api", start: node(leader) }], { log: () => {}, graceMs: 500 });
  const { existsSync } = await import("node:fs");
  const started = Date.now() + 20_000;
  while (!existsSync(pidFile) && Date.now() < started) await sleep(20);
  await sleep(300); // its SIGTERM handler installed
  const grandchild = Number(readFileSync(pidFile, "utf8"));
  rmSync(pidFile);
  await supervisor.stop();
  await sleep(100);
  const state = (() => {
    try {
      return /State:\s+(\w)/.exec(readFileSync(`/proc/${grandchild}/status`, "utf8"))?.[1];
    } catch {
      return "gone";
    }
  })();
  assert.ok(state === "gone" || state === "Z", `the grandchild is ${state}`);
});
