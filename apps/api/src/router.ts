/** The one tRPC router. The web imports only the `AppRouter` type from here. */
import { accountRouter } from "./routers/account.router.ts";
import { adminRouter } from "./routers/admin.router.ts";
import { bookOrdersRouter } from "./routers/book-orders.router.ts";
import { booksRouter } from "./routers/books.router.ts";
import { brandRouter } from "./routers/brand.router.ts";
import { chatRouter } from "./routers/chat.router.ts";
import { classroomsRouter } from "./routers/classrooms.router.ts";
import { connectionsRouter } from "./routers/connections.router.ts";
import { creditsRouter } from "./routers/credits.router.ts";
import { feedbackRouter } from "./routers/feedback.router.ts";
import { apiKeysRouter, authRouter, profileRouter, sessionsRouter } from "./routers/identity.router.ts";
import { notificationsRouter } from "./routers/notifications.router.ts";
import { paymentsRouter } from "./routers/payments.router.ts";
import { postsRouter } from "./routers/posts.router.ts";
import { signInAccountsRouter } from "./routers/sign-in-accounts.router.ts";
import { storiesRouter } from "./routers/stories.router.ts";
import { storiesMediaRouter } from "./routers/stories-media.router.ts";
import { studioRouter } from "./routers/studio.router.ts";
import { studyRouter } from "./routers/study.router.ts";
import { systemRouter } from "./routers/system.router.ts";
import { usageRouter } from "./routers/usage.router.ts";
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
  // One path for the two modules the publishing pages use (the web calls publishing.connections.* and .posts.*).
  publishing: router({ connections: connectionsRouter, posts: postsRouter }),
  brand: brandRouter,
  payments: paymentsRouter,
  stories: storiesRouter,
  storiesMedia: storiesMediaRouter,
  studio: studioRouter,
  study: studyRouter,
  books: booksRouter,
  bookOrders: bookOrdersRouter,
  account: accountRouter,
  feedback: feedbackRouter,
  signInAccounts: signInAccountsRouter,
  classrooms: classroomsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
