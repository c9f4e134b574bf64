import { bookIdInput, books, campaignBooksInput, createBookInput, updateBookInput } from "@inkwell/domain/books";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * Books: a campaign's stories designed into a book, rendered by the worker (`books.render-book`, enqueued
 * in the caller's transaction), a proof approved. Every procedure but delete runs in the caller's RLS
 * transaction; delete opens its own, because the rendered files' bytes go only after the rows commit.
 */
export const booksRouter = router({
  list: userProcedure
    .input(campaignBooksInput)
    .query(({ ctx, input }) => books.listBooks(ctx.tx, ctx.auth.userId, input.campaignId)),
  sources: userProcedure
    .input(campaignBooksInput)
    .query(({ ctx, input }) => books.sources(ctx.deps, ctx.tx, ctx.auth.userId, input.campaignId)),
  get: userProcedure.input(bookIdInput).query(({ ctx, input }) => books.getBook(ctx.deps, ctx.tx, ctx.auth.userId, input.bookId)),
  create: userProcedure
    .input(createBookInput)
    .mutation(({ ctx, input }) => books.createBook(ctx.deps, ctx.tx, ctx.auth.userId, input)),
  update: userProcedure
    .input(updateBookInput)
    .mutation(({ ctx, input }) => books.updateBook(ctx.deps, ctx.tx, ctx.auth.userId, input)),
  render: userProcedure
    .input(bookIdInput)
    .mutation(({ ctx, input }) => books.requestRender(ctx.deps, ctx.tx, ctx.auth.userId, input.bookId)),
  approve: userProcedure
    .input(bookIdInput)
    .mutation(({ ctx, input }) => books.approveProof(ctx.deps, ctx.tx, ctx.auth.userId, input.bookId)),
  delete: signedInProcedure.input(bookIdInput).mutation(async ({ ctx, input }) => {
    await books.deleteBook(ctx.deps, ctx.auth.userId, input.bookId);
    return OK;
  }),
});
