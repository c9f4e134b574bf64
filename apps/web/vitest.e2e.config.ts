import { defineConfig } from "vitest/config";

/** Browser tests: the built web app served by the real API, over a real database, mail server and worker. */
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: ["./e2e/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
