/**
 * API processes as in production (`node --import tsx src/main.ts` in apps/api with their env), for
 * suites that measure more than one replica. Each is started on a free loopback port against the
 * run's database and stopped with SIGTERM (SIGKILL after 10 s). Both output streams are read (a pipe
 * nobody reads fills and blocks the process's next write) and their last lines kept for errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const API_DIR = fileURLToPath(new URL("../../../apps/api/", import.meta.url));

export interface ApiProcess {
  origin: string;
  pid: number | undefined;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/** Starts an API process and resolves once /readyz answers (rejects if it exits or takes longer than `readyMs`). */
export async function startApiProcess(env: Record<string, string>, readyMs = 240_000): Promise<ApiProcess> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // A bench that exits without its cleanup (the last-resort timeout) must not leave the API running.
  const killOnExit = () => proc.kill("SIGKILL");
  process.once("exit", killOnExit);
  proc.once("exit", () => process.off("exit", killOnExit));
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(d.toString());
    if (lines.length > 50) lines.shift();
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const output = () => lines.join("").slice(-1500);
  const stop = () =>
    new Promise<void>((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      proc.once("exit", () => {
        clearTimeout(timer);
        done();
      });
      proc.kill("SIGTERM");
    });
  const deadline = performance.now() + readyMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`api process exited (${proc.exitCode}): ${output()}`);
    const res = await fetch(`${origin}/readyz`).catch(() => null);
    if (res?.ok) break;
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`api process not ready after ${readyMs} ms: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { origin, pid: proc.pid, output, stop };
}
