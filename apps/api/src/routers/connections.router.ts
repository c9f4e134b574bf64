import {
  type ConnectionsDeps,
  connectionIdInput,
  connections,
  connectWordPressInput,
  startOAuthInput,
} from "@inkwell/domain/connections";
import type { Context } from "../trpc/context.ts";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const connectionsDeps = (ctx: Context): ConnectionsDeps => ({
  db: ctx.deps.db,
  keyRing: ctx.deps.keyRing,
  publishing: ctx.deps.publishing,
  log: ctx.deps.log,
});

/**
 * Connected accounts. Listing and starting a sign-in run in the caller's RLS transaction; connecting
 * WordPress and disconnecting call the platform, so they hold no transaction (signedInProcedure) and
 * open short ones of their own. The OAuth sign-in finishes in the Hono route /oauth/callback/:platform.
 */
export const connectionsRouter = router({
  list: userProcedure.query(({ ctx }) => connections.list(ctx.tx)),
  startOAuth: userProcedure
    .input(startOAuthInput)
    .mutation(({ ctx, input }) => connections.startOAuth(connectionsDeps(ctx), ctx.tx, ctx.auth.userId, input)),
  connectWordPress: signedInProcedure
    .input(connectWordPressInput)
    .mutation(({ ctx, input }) => connections.connectWordPress(connectionsDeps(ctx), ctx.auth.userId, input)),
  disconnect: signedInProcedure.input(connectionIdInput).mutation(async ({ ctx, input }) => {
    await connections.disconnect(connectionsDeps(ctx), ctx.auth.userId, input.connectionId);
    return OK;
  }),
});
