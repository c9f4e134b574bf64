import {
  createSessionInput,
  editOutputInput,
  iterateInput,
  listProjectsInput,
  listSessionsInput,
  outputIdInput,
  pinProjectInput,
  projectIdInput,
  renameSessionInput,
  sessionIdInput,
  streamSessionInput,
  updateProjectInput,
  versionIdInput,
  type WriterSessionDeps,
  writerSessions,
} from "@inkwell/domain/writer";
import { tracked } from "@trpc/server";
import type { Context } from "../trpc/context.ts";
import { MiB, OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";
import { knowledgeRouter } from "./knowledge.router.ts";

const sessionDeps = (ctx: Context): WriterSessionDeps => ({
  db: ctx.deps.db,
  ai: ctx.deps.ai,
  enqueue: ctx.deps.enqueue,
  log: ctx.deps.log,
});
const actor = (ctx: Context & { auth: { userId: string } }) => ({ userId: ctx.auth.userId, ip: ctx.meta.ip });

/**
 * Writer sessions. Reads and edits run in the caller's RLS transaction (userProcedure). Generating
 * (create, iterate) and streaming are signedInProcedures: no transaction is held while outputs are
 * written or followed. create/iterate return once every output has its credit hold (or was refused).
 */
export const writerSessionsRouter = router({
  create: signedInProcedure
    .input(createSessionInput)
    .mutation(({ ctx, input }) => writerSessions.create(sessionDeps(ctx), actor(ctx), input)),
  get: userProcedure.input(sessionIdInput).query(({ ctx, input }) => writerSessions.getSession(ctx.tx, input.sessionId)),
  list: userProcedure.input(listSessionsInput).query(({ ctx, input }) => writerSessions.listSessions(ctx.tx, input)),
  rename: userProcedure
    .input(renameSessionInput)
    .mutation(({ ctx, input }) => writerSessions.renameSession(ctx.tx, input.sessionId, input.title)),
  delete: userProcedure.input(sessionIdInput).mutation(async ({ ctx, input }) => {
    await writerSessions.deleteSession(ctx.tx, input.sessionId);
    return OK;
  }),
  iterate: signedInProcedure
    .input(iterateInput)
    .mutation(({ ctx, input }) => writerSessions.iterate(sessionDeps(ctx), actor(ctx), input)),
  // 100,000-character outputs.
  editOutput: userProcedure
    .meta({ bodyLimit: 2 * MiB })
    .input(editOutputInput)
    .mutation(({ ctx, input }) => writerSessions.editOutput(ctx.tx, ctx.auth.userId, input.outputId, input.content)),
  versions: userProcedure.input(outputIdInput).query(({ ctx, input }) => writerSessions.listVersions(ctx.tx, input.outputId)),
  restoreVersion: userProcedure
    .input(versionIdInput)
    .mutation(({ ctx, input }) => writerSessions.restoreVersion(ctx.tx, ctx.auth.userId, input.versionId)),
  /** One output and its current version, with the publishing composer's prefill (platform, parts, title). */
  output: userProcedure.input(outputIdInput).query(({ ctx, input }) => writerSessions.getOutput(ctx.tx, input.outputId)),
  /**
   * Snapshots of the session's outputs as SSE: one per output at once, then each change (throttled while
   * streaming) until none is streaming. Snapshots are whole texts, so a reconnect simply starts over.
   * Ownership is checked before the stream opens: another user's id is NOT_FOUND, not an empty stream.
   */
  stream: signedInProcedure.input(streamSessionInput).subscription(async ({ ctx, input, signal }) => {
    const events = await writerSessions.openStream(sessionDeps(ctx), ctx.auth.userId, input.sessionId, signal);
    return (async function* () {
      let n = 0;
      for await (const event of events) yield tracked(`${event.outputId}:${n++}`, event);
    })();
  }),
});

/** Pinned sessions with a name, description and tags. */
export const writerProjectsRouter = router({
  pin: userProcedure
    .input(pinProjectInput)
    .mutation(({ ctx, input }) => writerSessions.pinProject(ctx.tx, ctx.auth.userId, input)),
  list: userProcedure.input(listProjectsInput).query(({ ctx, input }) => writerSessions.listProjects(ctx.tx, input)),
  update: userProcedure.input(updateProjectInput).mutation(({ ctx, input }) => writerSessions.updateProject(ctx.tx, input)),
  unpin: userProcedure.input(projectIdInput).mutation(async ({ ctx, input }) => {
    await writerSessions.unpinProject(ctx.tx, input.projectId);
    return OK;
  }),
});

export const writerRouter = router({
  // The knowledge module keeps its path under writer (the web calls writer.knowledge.*).
  knowledge: knowledgeRouter,
  sessions: writerSessionsRouter,
  projects: writerProjectsRouter,
});
