import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { globalSetup: ["../db/src/test-global-setup.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
