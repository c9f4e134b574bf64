import {
  listMaterialSharesInput,
  listSharedQuizzesInput,
  materialShareIdInput,
  sharedQuizIdInput,
  sharedQuizTokenInput,
  shareMaterialPublicInput,
  shareMaterialWithUserInput,
  shareQuizInput,
  sharing,
  submitSharedQuizInput,
  viewSharedMaterialInput,
} from "@inkwell/domain/study";
import { publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * Sharing (mounted as `study.sharing`). The owner's procedures run in their RLS transaction, except those
 * that must look up other accounts first (share by e-mail, list shares with recipients' e-mails): those
 * open their own short transactions. The public ones (quiz links, material links) need no account: they
 * are limited per IP and per link, and the quiz submit grades short answers with no transaction open.
 */
export const studySharingRouter = router({
  shareQuiz: userProcedure.input(shareQuizInput).mutation(({ ctx, input }) => sharing.shareQuiz(ctx.tx, ctx.auth.userId, input)),
  quizLinks: userProcedure.input(listSharedQuizzesInput).query(({ ctx, input }) => sharing.listQuizLinks(ctx.tx, input)),
  revokeQuizLink: userProcedure
    .input(sharedQuizIdInput)
    .mutation(({ ctx, input }) => sharing.revokeQuizLink(ctx.tx, input.sharedQuizId)),
  openQuiz: publicProcedure
    .input(sharedQuizTokenInput)
    .query(({ ctx, input }) => sharing.openQuiz(ctx.deps, ctx.meta, input.token)),
  submitQuiz: publicProcedure
    .input(submitSharedQuizInput)
    .mutation(({ ctx, input }) => sharing.submitQuiz(ctx.deps, ctx.meta, input)),
  shareWithUser: signedInProcedure
    .input(shareMaterialWithUserInput)
    .mutation(({ ctx, input }) => sharing.shareWithUser(ctx.deps, ctx.auth.userId, input)),
  shareByLink: userProcedure
    .input(shareMaterialPublicInput)
    .mutation(({ ctx, input }) => sharing.shareByLink(ctx.tx, ctx.auth.userId, input)),
  revokeShare: userProcedure.input(materialShareIdInput).mutation(({ ctx, input }) => sharing.revokeShare(ctx.tx, input.shareId)),
  shares: signedInProcedure
    .input(listMaterialSharesInput)
    .query(({ ctx, input }) => sharing.listShares(ctx.deps, ctx.auth.userId, input.itemId)),
  sharedWithMe: userProcedure.query(({ ctx }) => sharing.sharedWithMe(ctx.tx)),
  viewMaterial: publicProcedure
    .input(viewSharedMaterialInput)
    .query(({ ctx, input }) => sharing.viewMaterial(ctx.deps, ctx.meta, input)),
});
