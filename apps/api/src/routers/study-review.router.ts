import { dueInput, finishSessionInput, rateInput, review, statsInput } from "@inkwell/domain/study";
import { router, userProcedure } from "../trpc/init.ts";

/**
 * Flashcard review (mounted as `study.review`): the due queue, rating a card (FSRS), finishing a sitting
 * and the review stats. All in the caller's RLS transaction; the clock is the server's.
 */
export const studyReviewRouter = router({
  due: userProcedure.input(dueInput).query(({ ctx, input }) => review.due(ctx.tx, { ...input, now: new Date() })),
  rate: userProcedure
    .input(rateInput)
    .mutation(({ ctx, input }) => review.rate(ctx.tx, ctx.auth.userId, { ...input, now: new Date() })),
  finishSession: userProcedure
    .input(finishSessionInput)
    .mutation(({ ctx, input }) => review.finishSession(ctx.tx, ctx.auth.userId, input)),
  stats: userProcedure
    .input(statsInput)
    .query(({ ctx, input }) => review.stats(ctx.tx, { now: new Date(), itemId: input?.itemId })),
});
