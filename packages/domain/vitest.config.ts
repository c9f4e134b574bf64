import { defineConfig } from "vitest/config";

// Pure unit tests here; database-backed behaviour of the modules is tested through the API and worker.
export default defineConfig({ test: { testTimeout: 30_000 } });
