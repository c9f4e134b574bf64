/** Bug reports and feedback from signed-in users (`feedback.*`); the admin side is `admin.feedback.*`. */
import { feedback, submitBugReportInput, submitFeedbackInput } from "@inkwell/domain/feedback";
import { publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";

export const feedbackRouter = router({
  /** Whether the forms are open (the `feedback_open` site setting). */
  status: publicProcedure.query(async ({ ctx }) => ({ open: await feedback.isOpen(ctx.deps.db) })),
  // Submits read the setting first and then write in the user's own transaction: no transaction is held
  // across the two (signedInProcedure, not userProcedure).
  submitBugReport: signedInProcedure
    .input(submitBugReportInput)
    .mutation(({ ctx, input }) =>
      feedback.submitBugReport(ctx.deps.db, ctx.auth.userId, input, { userAgent: ctx.meta.userAgent ?? null }),
    ),
  submitFeedback: signedInProcedure
    .input(submitFeedbackInput)
    .mutation(({ ctx, input }) => feedback.submitFeedback(ctx.deps.db, ctx.auth.userId, input)),
  mine: userProcedure.query(({ ctx }) => feedback.listOwn(ctx.tx)),
});
