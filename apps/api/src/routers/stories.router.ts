import {
  addCommentInput,
  addPromptInput,
  answerLinkInput,
  campaignIdInput,
  changeRoleInput,
  commentIdInput,
  createCampaignInput,
  createStoryInput,
  family,
  inviteInput,
  inviteTokenInput,
  listStoriesInput,
  memberIdInput,
  movePromptInput,
  promptIdInput,
  prompts,
  reactInput,
  type StoriesDeps,
  scheduleInput,
  stories,
  storyIdInput,
  submitAnswerInput,
  updateCampaignInput,
  updateStoryInput,
} from "@inkwell/domain/stories";
import type { Context } from "../trpc/context.ts";
import { MiB, OK, publicProcedure, router, signedInProcedure, userProcedure } from "../trpc/init.ts";
import { storiesFollowUpRouter } from "./stories-followup.router.ts";

const storiesDeps = (ctx: Context): StoriesDeps => ({ enqueue: ctx.deps.enqueue, appUrl: ctx.deps.identity.appUrl });

/**
 * Family story campaigns. Member procedures run in the caller's RLS transaction (the policies decide
 * what a role may see and change); the two link procedures (an invitation, a storyteller's answer) are
 * public and run as the system role after the link's token is checked.
 */
const campaignsRouter = router({
  list: userProcedure.query(({ ctx }) => stories.listCampaigns(ctx.tx, ctx.auth.userId)),
  create: userProcedure
    .input(createCampaignInput)
    .mutation(({ ctx, input }) => stories.createCampaign(storiesDeps(ctx), ctx.tx, ctx.auth, input)),
  get: userProcedure
    .input(campaignIdInput)
    .query(({ ctx, input }) => stories.getCampaign(ctx.tx, ctx.auth.userId, input.campaignId)),
  dashboard: userProcedure
    .input(campaignIdInput)
    .query(({ ctx, input }) => stories.dashboard(ctx.tx, ctx.auth.userId, input.campaignId)),
  update: userProcedure
    .input(updateCampaignInput)
    .mutation(({ ctx, input }) => stories.updateCampaign(ctx.tx, ctx.auth.userId, input)),
  delete: userProcedure
    .input(campaignIdInput)
    .mutation(({ ctx, input }) => stories.deleteCampaign(ctx.tx, ctx.auth.userId, input.campaignId).then(() => OK)),
});

const familyRouter = router({
  list: userProcedure
    .input(campaignIdInput)
    .query(({ ctx, input }) => family.listMembers(ctx.tx, ctx.auth.userId, input.campaignId)),
  invite: userProcedure.input(inviteInput).mutation(({ ctx, input }) => family.invite(storiesDeps(ctx), ctx.tx, ctx.auth, input)),
  changeRole: userProcedure
    .input(changeRoleInput)
    .mutation(({ ctx, input }) => family.changeRole(ctx.tx, ctx.auth.userId, input)),
  remove: userProcedure
    .input(memberIdInput)
    .mutation(({ ctx, input }) => family.remove(ctx.tx, ctx.auth.userId, input.memberId).then(() => OK)),
  leave: userProcedure
    .input(campaignIdInput)
    .mutation(({ ctx, input }) => family.leave(ctx.tx, ctx.auth.userId, input.campaignId).then(() => OK)),
  invitation: publicProcedure.input(inviteTokenInput).query(({ ctx, input }) => family.invitation(ctx.deps.db, input.token)),
  accept: signedInProcedure
    .input(inviteTokenInput)
    .mutation(({ ctx, input }) => family.accept(ctx.deps.db, ctx.auth, input.token)),
});

const promptsRouter = router({
  // The shared library of questions holds no one's data: public.
  library: publicProcedure.query(({ ctx }) => prompts.library(ctx.deps.db)),
  list: userProcedure.input(campaignIdInput).query(({ ctx, input }) => prompts.queue(ctx.tx, ctx.auth.userId, input.campaignId)),
  add: userProcedure
    .input(addPromptInput)
    .mutation(({ ctx, input }) => prompts.addPrompt(ctx.tx, ctx.auth.userId, input).then(() => OK)),
  remove: userProcedure
    .input(promptIdInput)
    .mutation(({ ctx, input }) => prompts.removePrompt(ctx.tx, ctx.auth.userId, input.promptId).then(() => OK)),
  move: userProcedure
    .input(movePromptInput)
    .mutation(({ ctx, input }) => prompts.movePrompt(ctx.tx, ctx.auth.userId, input).then(() => OK)),
  revoke: userProcedure
    .input(promptIdInput)
    .mutation(({ ctx, input }) => prompts.revokeLinks(ctx.tx, ctx.auth.userId, input.promptId).then(() => OK)),
  resend: userProcedure
    .input(promptIdInput)
    .mutation(({ ctx, input }) => prompts.resend(storiesDeps(ctx), ctx.tx, ctx.auth.userId, input.promptId).then(() => OK)),
  setSchedule: userProcedure
    .input(scheduleInput)
    .mutation(({ ctx, input }) => prompts.setSchedule(ctx.tx, ctx.auth.userId, input).then(() => OK)),
  sendNow: signedInProcedure
    .input(campaignIdInput)
    .mutation(({ ctx, input }) => prompts.sendNow(ctx.deps, ctx.auth.userId, input.campaignId)),
});

/** A story holds up to 100,000 characters: up to 4 bytes each in UTF-8, plus JSON escapes. */
const STORY_BODY_LIMIT = 1 * MiB;

/** The storyteller's page: no account, the e-mailed link is the authority. */
const answersRouter = router({
  get: publicProcedure.input(answerLinkInput).query(({ ctx, input }) => prompts.answerPage(ctx.deps.db, input)),
  submit: publicProcedure
    .meta({ bodyLimit: STORY_BODY_LIMIT })
    .input(submitAnswerInput)
    .mutation(({ ctx, input }) => prompts.submitAnswer(ctx.deps.db, input)),
});

export const storiesRouter = router({
  campaigns: campaignsRouter,
  family: familyRouter,
  prompts: promptsRouter,
  answers: answersRouter,
  followUp: storiesFollowUpRouter,
  list: userProcedure.input(listStoriesInput).query(({ ctx, input }) => stories.listStories(ctx.tx, ctx.auth.userId, input)),
  get: userProcedure.input(storyIdInput).query(({ ctx, input }) => stories.getStory(ctx.tx, ctx.auth.userId, input.storyId)),
  create: userProcedure
    .meta({ bodyLimit: STORY_BODY_LIMIT })
    .input(createStoryInput)
    .mutation(({ ctx, input }) => stories.createStory(ctx.tx, ctx.auth, input)),
  update: userProcedure
    .meta({ bodyLimit: STORY_BODY_LIMIT })
    .input(updateStoryInput)
    .mutation(({ ctx, input }) => stories.updateStory(ctx.tx, ctx.auth.userId, input)),
  delete: userProcedure
    .input(storyIdInput)
    .mutation(({ ctx, input }) => stories.deleteStory(ctx.tx, ctx.auth.userId, input.storyId).then(() => OK)),
  addComment: userProcedure.input(addCommentInput).mutation(({ ctx, input }) => stories.addComment(ctx.tx, ctx.auth, input)),
  deleteComment: userProcedure
    .input(commentIdInput)
    .mutation(({ ctx, input }) => stories.deleteComment(ctx.tx, input.commentId).then(() => OK)),
  react: userProcedure.input(reactInput).mutation(({ ctx, input }) => stories.react(ctx.tx, ctx.auth.userId, input)),
});
