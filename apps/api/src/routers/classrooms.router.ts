import { assignInput, classroomIdInput, classrooms, unassignInput } from "@inkwell/domain/classrooms";
import { DomainError } from "@inkwell/domain/platform/errors";
import { OK, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * Classrooms rostered from Clever. A teacher sees their classrooms (and syncs them: a queued job), their
 * rosters, assigns their own study items and reads results per student; a student sees the classrooms
 * they are on and what was assigned there. Every read is RLS-scoped (migration 0065/0066).
 */
export const classroomsRouter = router({
  list: userProcedure.query(async ({ ctx }) => ({
    ...(await classrooms.list(ctx.tx, ctx.auth)),
    sync: await classrooms.syncStatus(ctx.tx, ctx.auth),
  })),
  get: userProcedure.input(classroomIdInput).query(({ ctx, input }) => classrooms.get(ctx.tx, ctx.auth, input.classroomId)),
  sync: signedInProcedure.mutation(({ ctx }) => {
    if (!ctx.deps.oauth) throw new DomainError("PRECONDITION_FAILED", "Clever is not configured on this server.");
    return classrooms.requestSync(ctx.deps, ctx.auth.userId, ctx.deps.oauth.cleverApiUrl);
  }),
  assign: userProcedure.input(assignInput).mutation(({ ctx, input }) => classrooms.assign(ctx.tx, ctx.auth, input)),
  unassign: userProcedure.input(unassignInput).mutation(async ({ ctx, input }) => {
    await classrooms.unassign(ctx.tx, ctx.auth, input);
    return OK;
  }),
  myAssignments: userProcedure.query(({ ctx }) => classrooms.myAssignments(ctx.tx, ctx.auth)),
  results: userProcedure
    .input(classroomIdInput)
    .query(({ ctx, input }) => classrooms.results(ctx.tx, ctx.auth, input.classroomId)),
});
