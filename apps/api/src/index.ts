export { createApp } from "./app.ts";
export { createApiDeps } from "./deps.ts";
export { loadEnv, type Env } from "./env.ts";
export { appRouter, createCaller, type AppRouter } from "./router.ts";
export { inventory, fixtures } from "./inventory.ts";
export { createTestContext, type ApiDeps, type Context } from "./trpc/context.ts";
