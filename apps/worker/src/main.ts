/** `pnpm --filter @inkwell/worker start`: run background jobs until SIGTERM. */
import pino from "pino";
import { loadWorkerEnv } from "./env.ts";
import { startWorker } from "./worker.ts";

const env = loadWorkerEnv();
const log = pino({ level: env.LOG_LEVEL, base: { service: "worker" } });
const worker = await startWorker(env, log);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "stopping: letting in-flight jobs finish");
  await worker.stop({ graceful: true, timeoutMs: 20_000 });
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
