import {
  createKnowledgeInput,
  knowledgeIdInput,
  listKnowledgeInput,
  searchKnowledgeInput,
  updateKnowledgeInput,
  type WriterDeps,
  writer,
} from "@inkwell/domain/writer";
import type { Context } from "../trpc/context.ts";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const writerDeps = (ctx: Context): WriterDeps => ({
  db: ctx.deps.db,
  ai: ctx.deps.ai,
  enqueue: ctx.deps.enqueue,
  log: ctx.deps.log,
});

/**
 * The knowledge base. Edits run in the caller's RLS transaction and enqueue the embedding job in it;
 * search embeds the query (a provider call), so it is a signedInProcedure with no transaction held.
 */
export const knowledgeRouter = router({
  create: userProcedure
    .input(createKnowledgeInput)
    .mutation(({ ctx, input }) => writer.createEntry(writerDeps(ctx), ctx.tx, ctx.auth.userId, input)),
  update: userProcedure
    .input(updateKnowledgeInput)
    .mutation(({ ctx, input }) => writer.updateEntry(writerDeps(ctx), ctx.tx, ctx.auth.userId, input)),
  delete: userProcedure.input(knowledgeIdInput).mutation(async ({ ctx, input }) => {
    await writer.deleteEntry(ctx.tx, input.id);
    return OK;
  }),
  list: userProcedure.input(listKnowledgeInput).query(({ ctx, input }) => writer.listEntries(ctx.tx, input)),
  search: signedInProcedure
    .input(searchKnowledgeInput)
    .query(({ ctx, input }) => writer.search(writerDeps(ctx), { userId: ctx.auth.userId, ip: ctx.meta.ip }, input)),
});

export const writerRouter = router({ knowledge: knowledgeRouter });
