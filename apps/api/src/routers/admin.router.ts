/**
 * Site administration (`admin.*`): every procedure is an adminProcedure (the services check the role
 * again). `listUsers` and `setSubscriptionTier` keep the names they had in identity.router.ts.
 */
import {
  admin,
  announcementIdInput,
  createAnnouncementInput,
  dashboardInput,
  grantCreditsInput,
  queueNameInput,
  retryJobInput,
  setConfigInput,
  updateAnnouncementInput,
  userIdInput,
} from "@inkwell/domain/admin";
import {
  adminListBugReportsInput,
  adminListFeedbackInput,
  adminUpdateBugReportInput,
  adminUpdateFeedbackInput,
  feedback,
} from "@inkwell/domain/feedback";
import { adminListUsersInput, adminSetTierInput, identity } from "@inkwell/domain/identity";
import { adminProcedure, OK, router } from "../trpc/init.ts";

const configRouter = router({
  get: adminProcedure.query(({ ctx }) => admin.getConfig(ctx.deps.db, ctx.auth)),
  set: adminProcedure.input(setConfigInput).mutation(async ({ ctx, input }) => {
    await admin.setConfig(ctx.deps.db, ctx.auth, input);
    return OK;
  }),
});

const announcementsRouter = router({
  list: adminProcedure.query(({ ctx }) => admin.listAnnouncements(ctx.deps.db, ctx.auth)),
  create: adminProcedure
    .input(createAnnouncementInput)
    .mutation(({ ctx, input }) => admin.createAnnouncement(ctx.deps.db, ctx.auth, input)),
  update: adminProcedure
    .input(updateAnnouncementInput)
    .mutation(({ ctx, input }) => admin.updateAnnouncement(ctx.deps.db, ctx.auth, input)),
  delete: adminProcedure.input(announcementIdInput).mutation(async ({ ctx, input }) => {
    await admin.deleteAnnouncement(ctx.deps.db, ctx.auth, input.id);
    return OK;
  }),
});

const usersRouter = router({
  search: adminProcedure.input(adminListUsersInput).query(({ ctx, input }) => admin.searchUsers(ctx.deps.db, ctx.auth, input)),
  setTier: adminProcedure.input(adminSetTierInput).mutation(async ({ ctx, input }) => {
    await admin.setUserTier(ctx.deps.db, ctx.auth, input);
    return OK;
  }),
  grantCredits: adminProcedure
    .input(grantCreditsInput)
    .mutation(({ ctx, input }) => admin.grantCredits(ctx.deps.db, ctx.auth, input)),
  /** Sign-ins on record (sessions) and the credit balance of one user. */
  detail: adminProcedure.input(userIdInput).query(({ ctx, input }) => admin.userDetail(ctx.deps.db, ctx.auth, input.userId)),
});

const dashboardRouter = router({
  overview: adminProcedure.input(dashboardInput).query(({ ctx, input }) => admin.dashboard(ctx.deps.db, ctx.auth, input)),
  openFeedback: adminProcedure.query(({ ctx }) => feedback.adminOpenCounts(ctx.deps.db, ctx.auth)),
});

const queuesRouter = router({
  depths: adminProcedure.query(({ ctx }) => admin.queueDepths(ctx.deps.queueAdmin, ctx.auth)),
  failed: adminProcedure.input(queueNameInput).query(({ ctx, input }) => admin.failedJobs(ctx.deps.queueAdmin, ctx.auth, input)),
  retry: adminProcedure.input(retryJobInput).mutation(async ({ ctx, input }) => {
    await admin.retryJob(ctx.deps.queueAdmin, ctx.auth, input);
    return OK;
  }),
});

const creditsRouter = router({
  reconcile: adminProcedure.mutation(({ ctx }) => admin.reconcileCredits(ctx.deps.db, ctx.auth, ctx.deps.log)),
});

const feedbackRouter = router({
  bugReports: adminProcedure
    .input(adminListBugReportsInput)
    .query(({ ctx, input }) => feedback.adminListBugReports(ctx.deps.db, ctx.auth, input)),
  feedback: adminProcedure
    .input(adminListFeedbackInput)
    .query(({ ctx, input }) => feedback.adminListFeedback(ctx.deps.db, ctx.auth, input)),
  updateBugReport: adminProcedure
    .input(adminUpdateBugReportInput)
    .mutation(({ ctx, input }) => feedback.adminUpdateBugReport(ctx.deps.db, ctx.auth, input)),
  updateFeedback: adminProcedure
    .input(adminUpdateFeedbackInput)
    .mutation(({ ctx, input }) => feedback.adminUpdateFeedback(ctx.deps.db, ctx.auth, input)),
});

export const adminRouter = router({
  listUsers: adminProcedure
    .input(adminListUsersInput)
    .query(({ ctx, input }) => identity.adminListUsers(ctx.deps.db, ctx.auth, input)),
  setSubscriptionTier: adminProcedure.input(adminSetTierInput).mutation(async ({ ctx, input }) => {
    await identity.adminSetSubscriptionTier(ctx.deps.db, ctx.auth, input);
    return OK;
  }),
  config: configRouter,
  announcements: announcementsRouter,
  users: usersRouter,
  dashboard: dashboardRouter,
  queues: queuesRouter,
  credits: creditsRouter,
  feedback: feedbackRouter,
});
