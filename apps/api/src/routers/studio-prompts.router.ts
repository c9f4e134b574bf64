import {
  createPromptInput,
  listPromptsInput,
  promptIdInput,
  prompts,
  promptsFromImageInput,
  updatePromptInput,
} from "@inkwell/domain/studio";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * Image prompts (mounted as `studio.prompts`). Suggesting from a photo calls the model, so it runs with
 * no request transaction open (metering opens its own short ones); the rest run in the caller's RLS
 * transaction.
 */
export const studioPromptsRouter = router({
  fromImage: signedInProcedure
    .input(promptsFromImageInput)
    .mutation(({ ctx, input }) => prompts.fromImage(ctx.deps, { userId: ctx.auth.userId, ip: ctx.meta.ip }, input)),
  list: userProcedure.input(listPromptsInput).query(({ ctx, input }) => prompts.list(ctx.tx, input)),
  create: userProcedure.input(createPromptInput).mutation(({ ctx, input }) => prompts.create(ctx.tx, ctx.auth.userId, input)),
  update: userProcedure.input(updatePromptInput).mutation(({ ctx, input }) => prompts.update(ctx.tx, input)),
  delete: userProcedure.input(promptIdInput).mutation(async ({ ctx, input }) => {
    await prompts.remove(ctx.tx, input.promptId);
    return OK;
  }),
});
