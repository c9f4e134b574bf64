export { createApp } from "./app.ts";
export { createApiDeps } from "./deps.ts";
export { type Env, loadEnv } from "./env.ts";
export { fixtures, inventory } from "./inventory.ts";
export { type AppRouter, appRouter, createCaller } from "./router.ts";
export { type ApiDeps, type Context, createTestContext } from "./trpc/context.ts";
