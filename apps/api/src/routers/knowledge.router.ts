import {
  createKnowledgeInput,
  type KnowledgeDeps,
  knowledge,
  knowledgeIdInput,
  listKnowledgeInput,
  searchKnowledgeInput,
  updateKnowledgeInput,
} from "@inkwell/domain/knowledge";
import type { Context } from "../trpc/context.ts";
import { KiB, OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const knowledgeDeps = (ctx: Context): KnowledgeDeps => ({
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
  // 20,000-character texts.
  create: userProcedure
    .meta({ bodyLimit: 256 * KiB })
    .input(createKnowledgeInput)
    .mutation(({ ctx, input }) => knowledge.createEntry(knowledgeDeps(ctx), ctx.tx, ctx.auth.userId, input)),
  update: userProcedure
    .meta({ bodyLimit: 256 * KiB })
    .input(updateKnowledgeInput)
    .mutation(({ ctx, input }) => knowledge.updateEntry(knowledgeDeps(ctx), ctx.tx, ctx.auth.userId, input)),
  delete: userProcedure.input(knowledgeIdInput).mutation(async ({ ctx, input }) => {
    await knowledge.deleteEntry(ctx.tx, input.id);
    return OK;
  }),
  list: userProcedure.input(listKnowledgeInput).query(({ ctx, input }) => knowledge.listEntries(ctx.tx, input)),
  search: signedInProcedure
    .input(searchKnowledgeInput)
    .query(({ ctx, input }) => knowledge.search(knowledgeDeps(ctx), { userId: ctx.auth.userId, ip: ctx.meta.ip }, input)),
});
