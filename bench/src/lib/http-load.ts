/**
 * Where HTTP load is generated. By default in a worker thread, so the load generator's own JS does
 * not share an event loop with the servers under test (on 2 cores it still shares the CPU).
 * BENCH_HTTP_CLIENT=inline runs it on the main thread instead, to see what that costs.
 */
import { Worker } from "node:worker_threads";
import { closeAgents, type HttpTarget, httpLoop } from "./http-client.ts";
import type { Limits, Sample } from "./load.ts";

export interface HttpLoad {
  mode: "worker" | "inline";
  run(target: HttpTarget, limits: Limits): Promise<Sample>;
  close(): Promise<void>;
}

export function startHttpLoad(mode: "worker" | "inline"): HttpLoad {
  if (mode === "inline") {
    return {
      mode,
      run: httpLoop,
      async close() {
        closeAgents();
      },
    };
  }
  const worker = new Worker(new URL("./http-worker.ts", import.meta.url));
  const pending = new Map<number, { resolve(s: Sample): void; reject(e: Error): void }>();
  let nextId = 1;
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on("message", (m: { id: number; sample?: Sample; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.sample) p.resolve(m.sample);
    else p.reject(new Error(m.error ?? "http worker failed"));
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`http worker exited (${code})`)));
  return {
    mode,
    run(target, limits) {
      const id = nextId++;
      return new Promise<Sample>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: "run", id, target, limits });
      });
    },
    async close() {
      worker.postMessage({ type: "close" });
      // The worker exits once its port closes; terminate if it lingers.
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      await worker.terminate();
    },
  };
}
