import {
  createPersonaInput,
  type PersonaDeps,
  personaIdInput,
  personas,
  previewVoiceInput,
  readAloudInput,
  setActiveInput,
  updatePersonaInput,
} from "@inkwell/domain/studio";
import type { Context } from "../trpc/context.ts";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const speakDeps = (ctx: Context): PersonaDeps => ({
  db: ctx.deps.db,
  storage: ctx.deps.storage,
  keyRing: ctx.deps.keyRing,
  tts: ctx.deps.tts,
});
const actor = (ctx: Context & { auth: { userId: string } }) => ({ userId: ctx.auth.userId, ip: ctx.meta.ip });

/**
 * Model personas with voices. Reads and edits run in the caller's RLS transaction; the voice list, the
 * preview and read-aloud call the text-to-speech service, so they hold no transaction
 * (signedInProcedure) and open short ones of their own around the call.
 */
export const studioPersonasRouter = router({
  list: userProcedure.query(({ ctx }) => personas.list(ctx.deps, ctx.tx)),
  get: userProcedure.input(personaIdInput).query(({ ctx, input }) => personas.get(ctx.deps, ctx.tx, input.personaId)),
  create: userProcedure
    .input(createPersonaInput)
    .mutation(({ ctx, input }) => personas.create(ctx.deps, ctx.tx, ctx.auth.userId, input)),
  update: userProcedure.input(updatePersonaInput).mutation(({ ctx, input }) => personas.update(ctx.deps, ctx.tx, input)),
  setActive: userProcedure
    .input(setActiveInput)
    .mutation(({ ctx, input }) => personas.setActive(ctx.deps, ctx.tx, input.personaId, input.isActive)),
  delete: userProcedure.input(personaIdInput).mutation(async ({ ctx, input }) => {
    await personas.remove(ctx.tx, input.personaId);
    return OK;
  }),
  voices: signedInProcedure.query(({ ctx }) => personas.voices(speakDeps(ctx), ctx.auth.userId)),
  previewVoice: signedInProcedure
    .input(previewVoiceInput)
    .mutation(({ ctx, input }) => personas.previewVoice(speakDeps(ctx), actor(ctx), input)),
  readAloud: signedInProcedure
    .input(readAloudInput)
    .mutation(({ ctx, input }) => personas.readAloud(speakDeps(ctx), actor(ctx), input)),
});
