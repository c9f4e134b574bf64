/** The one tRPC router. The web imports only the `AppRouter` type from here. */
import { brandRouter } from "./routers/brand.router.ts";
import { chatRouter } from "./routers/chat.router.ts";
import { creditsRouter, notificationsRouter, usageRouter } from "./routers/credits.router.ts";
import {
  adminRouter,
  apiKeysRouter,
  authRouter,
  profileRouter,
  sessionsRouter,
  systemRouter,
} from "./routers/identity.router.ts";
import { publishingRouter } from "./routers/publishing.router.ts";
import { voiceRouter } from "./routers/voice.router.ts";
import { writerRouter } from "./routers/writer.router.ts";
import { createCallerFactory, router } from "./trpc/init.ts";

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  profile: profileRouter,
  sessions: sessionsRouter,
  apiKeys: apiKeysRouter,
  admin: adminRouter,
  credits: creditsRouter,
  usage: usageRouter,
  notifications: notificationsRouter,
  chat: chatRouter,
  writer: writerRouter,
  voice: voiceRouter,
  publishing: publishingRouter,
  brand: brandRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
