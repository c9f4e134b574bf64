import { notFound } from "@inkwell/domain/platform/errors";
import {
  createFolderInput,
  createItemInput,
  forReader,
  generateInput,
  library,
  listItemsInput,
  renameFolderInput,
  updateItemInput,
} from "@inkwell/domain/study";
import { z } from "zod";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const folderIdInput = z.object({ folderId: z.uuid() });
const itemIdInput = z.object({ itemId: z.uuid() });

/**
 * The study library (mounted as `study.library`): folders, items and generation. Generating calls the
 * model, so it runs with no request transaction open (metering opens its own short ones); the rest run
 * in the caller's RLS transaction.
 */
export const studyLibraryRouter = router({
  folders: router({
    list: userProcedure.query(({ ctx }) => library.listFolders(ctx.tx)),
    create: userProcedure
      .input(createFolderInput)
      .mutation(({ ctx, input }) => library.createFolder(ctx.tx, ctx.auth.userId, input)),
    rename: userProcedure.input(renameFolderInput).mutation(({ ctx, input }) => library.renameFolder(ctx.tx, input)),
    delete: userProcedure.input(folderIdInput).mutation(async ({ ctx, input }) => {
      await library.removeFolder(ctx.tx, input.folderId);
      return OK;
    }),
  }),
  items: router({
    list: userProcedure.input(listItemsInput).query(({ ctx, input }) => library.list(ctx.tx, input)),
    get: userProcedure.input(itemIdInput).query(async ({ ctx, input }) => {
      const item = await library.get(ctx.tx, input.itemId);
      if (!item) throw notFound("Item");
      // A reader who does not own a quiz never gets its answers (a student could read them before taking it).
      if (item.userId === ctx.auth.userId) return { ...item, owned: true as const };
      return { ...forReader(item), owned: false as const };
    }),
    create: userProcedure.input(createItemInput).mutation(({ ctx, input }) =>
      // By hand: what generation alone may set is not taken from the caller.
      library.create(ctx.tx, ctx.auth.userId, {
        ...input,
        source: "manual",
        citations: [],
        isPlaceholder: false,
        generationId: null,
      }),
    ),
    update: userProcedure.input(updateItemInput).mutation(({ ctx, input }) => library.update(ctx.tx, input)),
    delete: userProcedure.input(itemIdInput).mutation(async ({ ctx, input }) => {
      await library.remove(ctx.tx, input.itemId);
      return OK;
    }),
  }),
  generate: signedInProcedure
    .input(generateInput)
    .mutation(({ ctx, input }) => library.generate(ctx.deps, { userId: ctx.auth.userId, ip: ctx.meta.ip }, input)),
});
