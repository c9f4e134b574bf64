/**
 * Keeps `pnpm dev` / `pnpm start`'s processes running: a child that exits on its own (the API out of
 * memory, a crash) is restarted after a backoff that doubles on each quick failure (1 s … 30 s) and
 * starts over once a run has lasted a minute; the others never notice. `stop()` ends them all: SIGTERM to
 * each child's process group, then SIGKILL after the grace period.
 */
import type { ChildProcess } from "node:child_process";

export interface ChildSpec {
  name: string;
  /** Starts the child; spawn it `detached` so it leads its own process group (pnpm → tsx → node). */
  start: () => ChildProcess;
}

export interface SuperviseOptions {
  log: (message: string) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A run at least this long resets the backoff. */
  stableAfterMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  graceMs?: number;
}

export interface Supervisor {
  /** Restarts so far, per child name. */
  restarts: Map<string, number>;
  /** The running process of each child (undefined while waiting to restart). */
  current: (name: string) => ChildProcess | undefined;
  stop: () => Promise<void>;
}

const signalGroup = (child: ChildProcess | undefined, signal: NodeJS.Signals) => {
  try {
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};

/** Signals the child's whole group, whether or not the leader itself is still running. */
const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // nothing left
  }
};

const groupAlive = (child: ChildProcess) => {
  try {
    if (child.pid) process.kill(-child.pid, 0);
    return Boolean(child.pid);
  } catch {
    return false;
  }
};

export function supervise(specs: ChildSpec[], options: SuperviseOptions): Supervisor {
  const initialBackoffMs = options.initialBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  const graceMs = options.graceMs ?? 15_000;
  let stopping = false;
  const running = new Map<string, ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  const restarts = new Map<string, number>();

  const launch = (spec: ChildSpec, backoffMs: number) => {
    const startedAt = Date.now();
    const child = spec.start();
    running.set(spec.name, child);
    let ended = false;
    const onEnd = (why: string) => {
      if (ended) return;
      ended = true;
      if (running.get(spec.name) === child) running.delete(spec.name);
      // While stopping, the group gets its grace period from stop(): pnpm exits at once on SIGTERM while
      // the API or worker it started is still shutting down cleanly.
      if (stopping) return;
      // What the child left behind in its group (e.g. `tsx`'s node, still holding the port) goes too.
      killGroup(child, "SIGKILL");
      // A run that lasted is a new failure, not the next in a crash loop.
      const delay = Date.now() - startedAt >= stableAfterMs ? initialBackoffMs : backoffMs;
      const count = (restarts.get(spec.name) ?? 0) + 1;
      restarts.set(spec.name, count);
      options.log(
        `\x1b[31m${spec.name} ${why}\x1b[0m; restarting it in ${Math.round(delay / 100) / 10} s (restart ${count}); the other processes keep running`,
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) launch(spec, Math.min(delay * 2, maxBackoffMs));
      }, delay);
      timers.add(timer);
    };
    child.once("exit", (code, signal) => onEnd(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    // A child that could not even start (e.g. the command is missing) emits only "error".
    child.once("error", (error) => onEnd(`could not start (${error.message})`));
  };

  for (const spec of specs) launch(spec, initialBackoffMs);

  return {
    restarts,
    current: (name) => running.get(name),
    async stop() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const children = [...running.values()];
      for (const child of children) signalGroup(child, "SIGTERM");
      // Wait for every process of each group, not only its leader (pnpm is gone long before its API).
      const deadline = Date.now() + graceMs;
      while (children.some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const child of children) killGroup(child, "SIGKILL");
    },
  };
}
