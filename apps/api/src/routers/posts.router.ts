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
import { MiB, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const postsDeps = (ctx: Context): PostsDeps => ({ enqueue: ctx.deps.enqueue });

/**
 * The queue. Every procedure runs in the caller's RLS transaction (someone else's post or connection
 * is NOT_FOUND); a post that becomes due gets its publish job in that same transaction.
 */
export const postsRouter = router({
  /** An image for a post (base64, ≤ 5 MB): written before any transaction opens, so no caller transaction. */
  uploadMedia: signedInProcedure
    .meta({ bodyLimit: 8 * MiB })
    .input(uploadMediaInput)
    .mutation(({ ctx, input }) =>
      posts.uploadMedia({ db: ctx.deps.db, storage: ctx.deps.storage, keyRing: ctx.deps.keyRing }, ctx.auth.userId, input),
    ),
  // Posts of up to 200,000 characters (a WordPress article).
  compose: userProcedure
    .meta({ bodyLimit: 2 * MiB })
    .input(composePostInput)
    .mutation(({ ctx, input }) => posts.compose(postsDeps(ctx), ctx.tx, ctx.auth.userId, input)),
  list: userProcedure.input(listPostsInput).query(({ ctx, input }) => posts.list(ctx.tx, input)),
  get: userProcedure.input(postIdInput).query(({ ctx, input }) => posts.get(ctx.tx, input.postId)),
  update: userProcedure
    .meta({ bodyLimit: 2 * MiB })
    .input(updatePostInput)
    .mutation(({ ctx, input }) => posts.update(postsDeps(ctx), ctx.tx, input)),
  cancel: userProcedure.input(postIdInput).mutation(({ ctx, input }) => posts.cancel(ctx.tx, input.postId)),
  publishNow: userProcedure
    .input(postIdInput)
    .mutation(({ ctx, input }) => posts.publishNow(postsDeps(ctx), ctx.tx, input.postId)),
  retry: userProcedure.input(postIdInput).mutation(({ ctx, input }) => posts.retry(postsDeps(ctx), ctx.tx, input.postId)),
});
