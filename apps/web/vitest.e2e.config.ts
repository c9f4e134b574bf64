import { defineConfig } from "vitest/config";

/** Browser tests: the built web app served by the real API, over a real database, mail server and worker. */
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    globalSetup: ["./e2e/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    // A page that is checked for some text (a balance, a status) renders it after its data arrives, which on
    // a loaded CI machine takes longer than expect.poll's default second: one flaked that way.
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
