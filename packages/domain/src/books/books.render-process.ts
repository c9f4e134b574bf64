/**
 * Runs the book renderer in its own child process, bounded: a heap cap, a whole-process memory cap (a
 * watchdog in the child), a wall-clock limit after which the process is killed, and no environment (no
 * database URL, no keys) in the process that decodes uploaded photos. One child per render, so a render
 * that leaks or is killed takes nothing else with it.
 */
import { fork } from "node:child_process";
import type { RenderInput, RenderOutput } from "./books.render.ts";

export interface RenderLimits {
  timeoutMs: number;
  maxHeapMb: number;
  maxRssMb: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { timeoutMs: 180_000, maxHeapMb: 512, maxRssMb: 1024 };

export type RenderOutcome = { ok: true; output: RenderOutput } | { ok: false; reason: string; retry: boolean };

export function renderInChild(input: RenderInput, limits: RenderLimits = DEFAULT_RENDER_LIMITS): Promise<RenderOutcome> {
  return new Promise((resolve) => {
    const child = fork(new URL("./books.render-child.ts", import.meta.url).pathname, [], {
      // A plain node (it strips the types itself), not the parent's loaders or inspector.
      execArgv: [`--max-old-space-size=${limits.maxHeapMb}`, "--disable-warning=ExperimentalWarning"],
      env: { NODE_ENV: process.env.NODE_ENV ?? "production", INKWELL_BOOK_MAX_RSS_MB: String(limits.maxRssMb) },
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let settled = false;
    const settle = (outcome: RenderOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      settle({ ok: false, reason: "The book took too long to render.", retry: false });
    }, limits.timeoutMs);
    child.on("message", (message: { ok: true; output: RenderOutput } | { ok: false; refused: boolean; message: string }) => {
      if (message.ok) settle({ ok: true, output: message.output });
      else if (message.refused) settle({ ok: false, reason: message.message, retry: false });
      else settle({ ok: false, reason: `The book could not be rendered (${message.message.slice(0, 200)}).`, retry: true });
    });
    child.on("error", (error) => settle({ ok: false, reason: `The renderer did not start (${error.message})`, retry: true }));
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL" || signal === "SIGABRT" || code === 134)
        settle({ ok: false, reason: "The book needs too much memory to render; choose fewer or smaller photos.", retry: false });
      else settle({ ok: false, reason: "The renderer stopped unexpectedly.", retry: true });
    });
    child.send(input);
  });
}
