import {
  addDocumentInput,
  type ChatDeps,
  chat,
  conversationIdInput,
  createConversationInput,
  documentIdInput,
  editLastInput,
  feedbackInput,
  listConversationsInput,
  listDocumentsInput,
  messageIdInput,
  renameConversationInput,
  saveDraftInput,
  sendInput,
  streamInput,
} from "@inkwell/domain/chat";
import { tracked } from "@trpc/server";
import type { Context } from "../trpc/context.ts";
import { MiB, OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

const chatDeps = (ctx: Context): ChatDeps => ({
  db: ctx.deps.db,
  ai: ctx.deps.ai,
  enqueue: ctx.deps.enqueue,
  log: ctx.deps.log,
});
const actor = (ctx: Context & { auth: { userId: string } }) => ({ userId: ctx.auth.userId, ip: ctx.meta.ip });

/**
 * Reads and edits run in the caller's RLS transaction (userProcedure). Anything that calls the model
 * or streams is a signedInProcedure: no transaction is held while a reply is generated or followed.
 */
export const chatRouter = router({
  create: userProcedure
    .input(createConversationInput)
    .mutation(({ ctx, input }) => chat.createConversation(ctx.tx, ctx.auth.userId, input)),
  list: userProcedure.input(listConversationsInput).query(({ ctx, input }) => chat.listConversations(ctx.tx, input)),
  get: userProcedure.input(conversationIdInput).query(({ ctx, input }) => chat.getConversation(ctx.tx, input.conversationId)),
  rename: userProcedure
    .input(renameConversationInput)
    .mutation(({ ctx, input }) => chat.renameConversation(ctx.tx, input.conversationId, input.title)),
  saveDraft: userProcedure.input(saveDraftInput).mutation(async ({ ctx, input }) => {
    await chat.saveDraft(ctx.tx, input.conversationId, input.draft);
    return OK;
  }),
  delete: userProcedure.input(conversationIdInput).mutation(async ({ ctx, input }) => {
    await chat.deleteConversation(ctx.tx, input.conversationId);
    return OK;
  }),
  send: signedInProcedure.input(sendInput).mutation(({ ctx, input }) => chat.send(chatDeps(ctx), actor(ctx), input)),
  regenerate: signedInProcedure
    .input(conversationIdInput)
    .mutation(({ ctx, input }) => chat.regenerate(chatDeps(ctx), actor(ctx), input.conversationId)),
  editLast: signedInProcedure
    .input(editLastInput)
    .mutation(({ ctx, input }) => chat.editLast(chatDeps(ctx), actor(ctx), input.conversationId, input.content)),
  stop: signedInProcedure
    .input(messageIdInput)
    .mutation(({ ctx, input }) => chat.stop(chatDeps(ctx), ctx.auth.userId, input.messageId)),
  feedback: userProcedure
    .input(feedbackInput)
    .mutation(({ ctx, input }) => chat.setFeedback(ctx.tx, input.messageId, input.feedback)),
  /** The tutor's grounding: a note or a document's text, chunked and embedded. */
  // A 5 MB PDF or 200,000 characters of text, as base64.
  addDocument: signedInProcedure
    .meta({ bodyLimit: 8 * MiB })
    .input(addDocumentInput)
    .mutation(({ ctx, input }) => chat.addDocument(chatDeps(ctx), actor(ctx), input)),
  documents: userProcedure.input(listDocumentsInput).query(({ ctx, input }) => chat.listDocuments(ctx.tx, input.conversationId)),
  deleteDocument: userProcedure.input(documentIdInput).mutation(async ({ ctx, input }) => {
    await chat.deleteDocument(ctx.tx, input.documentId);
    return OK;
  }),
  /**
   * A reply as SSE: what is saved from the offset, then live deltas, then one final event. Each event
   * is `tracked` with the offset reached, so tRPC's SSE link reconnects with `lastEventId` and the
   * stream resumes exactly there (no gap, no repeat). Ownership is checked before the stream opens,
   * so another user's id is NOT_FOUND rather than an empty stream.
   */
  stream: signedInProcedure.input(streamInput).subscription(async ({ ctx, input, signal }) => {
    const resumeAt = input.lastEventId ? Number.parseInt(input.lastEventId, 10) : Number.NaN;
    const from = Number.isFinite(resumeAt) && resumeAt >= 0 ? resumeAt : input.fromOffset;
    const events = await chat.openStream(chatDeps(ctx), ctx.auth.userId, input.messageId, from, signal);
    return (async function* () {
      for await (const event of events) {
        const reached = event.type === "delta" ? event.offset + event.text.length : event.length;
        yield tracked(event.type === "delta" ? String(reached) : `${reached}:final`, event);
      }
    })();
  }),
});
