/** `pnpm --filter @inkwell/api start`: serve the API (and the built web app) until SIGTERM. */
import { serve } from "@hono/node-server";
import pino from "pino";
import { createApp } from "./app.ts";
import { createApiDeps } from "./deps.ts";
import { loadEnv } from "./env.ts";

const env = loadEnv();
const log = pino({ level: env.LOG_LEVEL, base: { service: "api" } });
const { deps, close } = await createApiDeps(env, log);
const app = createApp({ deps, env });

const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  log.info({ port: info.port, url: env.APP_URL }, "api listening");
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: finishing in-flight requests");
  // Stop accepting, let in-flight requests finish, then release the database.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if ("closeIdleConnections" in server) server.closeIdleConnections();
  await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
  await close();
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
