import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share one database; each creates its own users (and reads the run's one mailbox by
    // recipient), so they run in parallel. They mostly wait on the database, so more files than cores:
    // vitest's default on a 2-core machine is one file at a time.
    fileParallelism: true,
    maxWorkers: 3,
  },
});
