import {
  addSampleInput,
  createProfileInput,
  profileIdInput,
  sampleIdInput,
  updateProfileInput,
  voice,
} from "@inkwell/domain/voice";
import type { Context } from "../trpc/context.ts";
import { KiB, OK, router, userProcedure } from "../trpc/init.ts";

const actor = (ctx: Context & { auth: { userId: string } }) => ({ userId: ctx.auth.userId, ip: ctx.meta.ip });

/**
 * Voice profiles. Every procedure runs in the caller's RLS transaction; sample changes (and analyze)
 * enqueue `voice.analyze-profile` in it, and the model call happens in the worker.
 */
export const voiceRouter = router({
  list: userProcedure.query(({ ctx }) => voice.listProfiles(ctx.tx)),
  get: userProcedure.input(profileIdInput).query(({ ctx, input }) => voice.getProfile(ctx.tx, input.profileId)),
  create: userProcedure
    .input(createProfileInput)
    .mutation(({ ctx, input }) => voice.createProfile(ctx.tx, ctx.auth.userId, input)),
  update: userProcedure.input(updateProfileInput).mutation(({ ctx, input }) => voice.updateProfile(ctx.tx, input)),
  delete: userProcedure.input(profileIdInput).mutation(async ({ ctx, input }) => {
    await voice.deleteProfile(ctx.tx, input.profileId);
    return OK;
  }),
  // 20,000-character samples.
  addSample: userProcedure
    .meta({ bodyLimit: 256 * KiB })
    .input(addSampleInput)
    .mutation(({ ctx, input }) => voice.addSample(ctx.deps, ctx.tx, actor(ctx), input)),
  removeSample: userProcedure
    .input(sampleIdInput)
    .mutation(({ ctx, input }) => voice.removeSample(ctx.deps, ctx.tx, actor(ctx), input.sampleId)),
  analyze: userProcedure
    .input(profileIdInput)
    .mutation(({ ctx, input }) => voice.analyze(ctx.deps, ctx.tx, actor(ctx), input.profileId)),
  setDefault: userProcedure.input(profileIdInput).mutation(({ ctx, input }) => voice.setDefault(ctx.tx, input.profileId)),
});
