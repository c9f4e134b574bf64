export { createApp } from "./app.ts";
export { createApiDeps } from "./deps.ts";
export { type Env, loadEnv } from "./env.ts";
export { type AppRouter, appRouter, createCaller } from "./router.ts";
export type { ApiDeps, Context } from "./trpc/context.ts";
