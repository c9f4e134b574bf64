import {
  answerMediaInput,
  attachAudioInput,
  attachPhotoInput,
  audioIdInput,
  captionInput,
  photoIdInput,
  reorderPhotosInput,
  storiesMedia,
  storyIdInput,
  transcriptInput,
} from "@inkwell/domain/stories";
import { MiB, OK, publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * A story's photos and recordings. The bytes come through `POST /uploads` (uploads.route.ts); these
 * procedures attach an upload to a story and edit what hangs off it. Attaching and removing manage
 * their own short transactions (reading the object and the media parse run between them, never inside
 * one), so they are signed-in procedures; the rest run in the caller's RLS transaction.
 */
export const storiesMediaRouter = router({
  list: userProcedure
    .input(storyIdInput)
    .query(({ ctx, input }) => storiesMedia.list(ctx.deps, ctx.tx, ctx.auth.userId, input.storyId)),
  attachPhoto: signedInProcedure
    .input(attachPhotoInput)
    .mutation(({ ctx, input }) => storiesMedia.attachPhoto(ctx.deps, ctx.auth.userId, input)),
  attachAudio: signedInProcedure
    .input(attachAudioInput)
    .mutation(({ ctx, input }) => storiesMedia.attachAudio(ctx.deps, ctx.auth.userId, input)),
  setCaption: userProcedure.input(captionInput).mutation(async ({ ctx, input }) => {
    await storiesMedia.setCaption(ctx.tx, ctx.auth.userId, input);
    return OK;
  }),
  reorderPhotos: userProcedure.input(reorderPhotosInput).mutation(async ({ ctx, input }) => {
    await storiesMedia.reorderPhotos(ctx.tx, ctx.auth.userId, input);
    return OK;
  }),
  removePhoto: signedInProcedure.input(photoIdInput).mutation(async ({ ctx, input }) => {
    await storiesMedia.removePhoto(ctx.deps, ctx.auth.userId, input.photoId);
    return OK;
  }),
  removeAudio: signedInProcedure.input(audioIdInput).mutation(async ({ ctx, input }) => {
    await storiesMedia.removeAudio(ctx.deps, ctx.auth.userId, input.audioId);
    return OK;
  }),
  // A transcript holds up to 100,000 characters (up to 4 bytes each, plus JSON escapes).
  editTranscript: userProcedure
    .meta({ bodyLimit: 1 * MiB })
    .input(transcriptInput)
    .mutation(async ({ ctx, input }) => {
      await storiesMedia.editTranscript(ctx.tx, ctx.auth.userId, input);
      return OK;
    }),
  /** The storyteller's uploads joined to their answer's story: the answer link is the authority. */
  answerAttach: publicProcedure
    .input(answerMediaInput)
    .mutation(({ ctx, input }) => storiesMedia.attachAnswerMedia(ctx.deps, input)),
});
