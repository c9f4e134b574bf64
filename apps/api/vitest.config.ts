import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share one database; each creates its own users, so they may run in parallel.
    fileParallelism: true,
  },
});
