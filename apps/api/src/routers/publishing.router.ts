import {
  type ConnectionsDeps,
  connectionIdInput,
  connections,
  connectWordPressInput,
  startOAuthInput,
} from "@inkwell/domain/connections";
import {
  composePostInput,
  listPostsInput,
  type PostsDeps,
  postIdInput,
  posts,
  updatePostInput,
  uploadMediaInput,
} from "@inkwell/domain/posts";
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

const postsDeps = (ctx: Context): PostsDeps => ({ enqueue: ctx.deps.enqueue });

/**
 * The queue. Every procedure runs in the caller's RLS transaction (someone else's post or connection
 * is NOT_FOUND); a post that becomes due gets its publish job in that same transaction.
 */
export const postsRouter = router({
  /** An image for a post (base64, ≤ 5 MB): written before any transaction opens, so no caller transaction. */
  uploadMedia: signedInProcedure
    .input(uploadMediaInput)
    .mutation(({ ctx, input }) =>
      posts.uploadMedia({ db: ctx.deps.db, storage: ctx.deps.storage, keyRing: ctx.deps.keyRing }, ctx.auth.userId, input),
    ),
  compose: userProcedure
    .input(composePostInput)
    .mutation(({ ctx, input }) => posts.compose(postsDeps(ctx), ctx.tx, ctx.auth.userId, input)),
  list: userProcedure.input(listPostsInput).query(({ ctx, input }) => posts.list(ctx.tx, input)),
  get: userProcedure.input(postIdInput).query(({ ctx, input }) => posts.get(ctx.tx, input.postId)),
  update: userProcedure.input(updatePostInput).mutation(({ ctx, input }) => posts.update(postsDeps(ctx), ctx.tx, input)),
  cancel: userProcedure.input(postIdInput).mutation(({ ctx, input }) => posts.cancel(ctx.tx, input.postId)),
  publishNow: userProcedure
    .input(postIdInput)
    .mutation(({ ctx, input }) => posts.publishNow(postsDeps(ctx), ctx.tx, input.postId)),
  retry: userProcedure.input(postIdInput).mutation(({ ctx, input }) => posts.retry(postsDeps(ctx), ctx.tx, input.postId)),
});

export const publishingRouter = router({ connections: connectionsRouter, posts: postsRouter });
