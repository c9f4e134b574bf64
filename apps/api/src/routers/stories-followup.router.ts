import { askFollowUpInput, followUp, suggestFollowUpInput } from "@inkwell/domain/stories";
import { router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * The AI follow-up question for a story (mounted as `stories.followUp`). Suggesting calls the model, so
 * it runs with no request transaction open (metering opens its own short ones); asking puts the
 * question first in the campaign's queue in the caller's transaction.
 */
export const storiesFollowUpRouter = router({
  suggest: signedInProcedure
    .input(suggestFollowUpInput)
    .mutation(({ ctx, input }) => followUp.suggest(ctx.deps, { userId: ctx.auth.userId, ip: ctx.meta.ip }, input)),
  ask: userProcedure.input(askFollowUpInput).mutation(({ ctx, input }) => followUp.ask(ctx.tx, ctx.auth.userId, input)),
});
