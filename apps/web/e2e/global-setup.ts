/**
 * Before the browser tests: build the web app (a few seconds; always, so it is never stale) and
 * provision one migrated database (embedded Postgres unless DATABASE_URL names a server).
 */
import { fileURLToPath } from "node:url";
import { provisionTestDatabase } from "@inkwell/db/testing";
import { build } from "vite";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export const webRoot = fileURLToPath(new URL("..", import.meta.url));

export default async function setup(project: TestProject) {
  const started = performance.now();
  const outDir = process.env.E2E_WEB_DIST;
  // E2E_WEB_PREBUILT=1 serves E2E_WEB_DIST as it is: e.g. another commit's build, for before/after screenshots.
  if (!(outDir && process.env.E2E_WEB_PREBUILT === "1")) {
    // vite.config.ts makes this a production build by setting NODE_ENV, which vitest had set to "test".
    const nodeEnv = process.env.NODE_ENV;
    await build({
      root: webRoot,
      logLevel: "warn",
      build: { sourcemap: false, ...(outDir ? { outDir, emptyOutDir: true } : {}) },
    }).finally(() => {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    });
  }
  const database = await provisionTestDatabase();
  console.log(`[e2e] web built and ${database.kind} database ready in ${Math.round(performance.now() - started)} ms`);
  project.provide("databaseUrl", database.url);
  return () => database.teardown();
}
