import {
  listResultsInput,
  openQuizInput,
  quiz,
  resultIdInput,
  results,
  resultsSummaryInput,
  submitQuizInput,
  submitWritingInput,
  writing,
} from "@inkwell/domain/study";
import { router, signedInProcedure, userProcedure } from "../trpc/init.ts";

/**
 * Taking quizzes, scoring writing, and the results history (mounted as `study.quiz`, `study.writing`,
 * `study.results`). A submit calls the model, so it runs with no request transaction open (the service
 * opens short ones around it); the history reads run in the caller's RLS transaction.
 */
export const studyQuizRouter = router({
  /** The quiz to take: prompts and choices, never the answers (those come with the submitted result). */
  open: userProcedure.input(openQuizInput).query(({ ctx, input }) => quiz.open(ctx.tx, input)),
  submit: signedInProcedure
    .input(submitQuizInput)
    .mutation(({ ctx, input }) => quiz.submit(ctx.deps, { userId: ctx.auth.userId, ip: ctx.meta.ip }, input)),
});

export const studyWritingRouter = router({
  submit: signedInProcedure
    .input(submitWritingInput)
    .mutation(({ ctx, input }) => writing.submit(ctx.deps, { userId: ctx.auth.userId, ip: ctx.meta.ip }, input)),
});

export const studyResultsRouter = router({
  list: userProcedure.input(listResultsInput).query(({ ctx, input }) => results.list(ctx.tx, input)),
  get: userProcedure.input(resultIdInput).query(({ ctx, input }) => results.get(ctx.tx, input)),
  summary: userProcedure.input(resultsSummaryInput).query(({ ctx, input }) => results.summary(ctx.tx, input)),
});
