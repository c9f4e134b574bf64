import { listReelsInput, reelIdInput, reels, saveReelInput, updateReelInput } from "@inkwell/domain/studio";
import { OK, router, userProcedure } from "../trpc/init.ts";
import { studioAssetsRouter } from "./studio-assets.router.ts";
import { studioGenerationsRouter } from "./studio-generations.router.ts";
import { studioPersonasRouter } from "./studio-personas.router.ts";
import { studioPromptsRouter } from "./studio-prompts.router.ts";

/**
 * The studio: saved viral reels. Every procedure runs in the caller's RLS transaction; saving and
 * refreshing enqueue `studio.fetch-reel-stats` in it, and the stats service is called by the worker.
 */
export const studioRouter = router({
  assets: studioAssetsRouter,
  generations: studioGenerationsRouter,
  personas: studioPersonasRouter,
  prompts: studioPromptsRouter,
  reels: router({
    list: userProcedure.input(listReelsInput).query(({ ctx, input }) => reels.list(ctx.deps, ctx.tx, input)),
    get: userProcedure.input(reelIdInput).query(({ ctx, input }) => reels.get(ctx.deps, ctx.tx, input.reelId)),
    save: userProcedure.input(saveReelInput).mutation(({ ctx, input }) => reels.save(ctx.deps, ctx.tx, ctx.auth.userId, input)),
    update: userProcedure.input(updateReelInput).mutation(({ ctx, input }) => reels.update(ctx.deps, ctx.tx, input)),
    refresh: userProcedure
      .input(reelIdInput)
      .mutation(({ ctx, input }) => reels.refresh(ctx.deps, ctx.tx, ctx.auth.userId, input.reelId)),
    delete: userProcedure.input(reelIdInput).mutation(async ({ ctx, input }) => {
      await reels.remove(ctx.tx, input.reelId);
      return OK;
    }),
  }),
});
