/**
 * Campaigns, stories, comments and reactions. Every function runs in the caller's RLS transaction: the
 * policies (migrations 0019–0021) are what keeps an outsider out. The role checks here come first only to
 * answer with a clear message (a viewer adding a story is FORBIDDEN, saying why; an outsider or a
 * not-yet-accepted invitee gets NOT_FOUND, as for a campaign that does not exist).
 */
import type { SessionAuth, Tx } from "@inkwell/db";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue } from "../platform/queue.ts";
import * as repo from "./stories.repository.ts";
import { nextWeeklyOccurrence } from "./stories.schedule.ts";
import type {
  CampaignDashboard,
  CampaignSummary,
  CreateCampaignInput,
  CreateStoryInput,
  ListStoriesInput,
  MemberRole,
  Reaction,
  StoryComment,
  StoryDetail,
  StorySummary,
  UpdateCampaignInput,
  UpdateStoryInput,
} from "./stories.schemas.ts";
import { THEMES } from "./stories.schemas.ts";
import * as prompts from "./stories-prompts.repository.ts";

export interface StoriesConfig {
  /** How long an invitation link works. */
  inviteTtlSeconds: number;
  /** How long a question's answer link works. */
  linkTtlSeconds: number;
  /** An unanswered question gets one reminder after this long. */
  reminderAfterSeconds: number;
  /**
   * Question e-mails (first sends, resends, reminders) one campaign may send in 24 hours. The address is
   * whatever the owner typed, unverified: without a bound, resending in a loop mails it without end.
   */
  maxPromptMailsPerDay: number;
  /** Invitation e-mails (new and re-sent) one campaign may send in a day, for the same reason. */
  maxInviteMailsPerDay: number;
}

export const defaultStoriesConfig: StoriesConfig = {
  inviteTtlSeconds: 7 * 86_400,
  linkTtlSeconds: 30 * 86_400,
  reminderAfterSeconds: 3 * 86_400,
  maxPromptMailsPerDay: 10,
  maxInviteMailsPerDay: 20,
};

export interface StoriesDeps {
  enqueue: Enqueue;
  /** The web app's address, for links in e-mails. */
  appUrl: string;
  config?: StoriesConfig;
}

export const configOf = (deps: { config?: StoriesConfig }) => deps.config ?? defaultStoriesConfig;

const WRITERS: readonly MemberRole[] = ["owner", "contributor"];
const OWNERS: readonly MemberRole[] = ["owner"];
const EVERYONE: readonly MemberRole[] = ["owner", "contributor", "viewer"];

/** The caller's role, if it is one of `allowed`; NOT_FOUND for outsiders, FORBIDDEN (saying why) otherwise. */
export async function requireRole(tx: Tx, campaignId: string, userId: string, allowed: readonly MemberRole[], doing: string) {
  const role = await repo.myRole(tx, campaignId, userId);
  if (!role) throw notFound("Campaign");
  if (!allowed.includes(role)) {
    const can = role === "viewer" ? "Viewers can read stories and comment" : "Contributors can add and edit stories";
    throw new DomainError("FORBIDDEN", `${can}; only ${allowed.join(" or ")}s can ${doing}.`);
  }
  return role;
}

type CampaignWithStats = NonNullable<Awaited<ReturnType<typeof repo.findCampaign>>>;

function toSummary(row: CampaignWithStats, userId: string, role: MemberRole): CampaignSummary {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    storytellerName: row.storyteller_name,
    storytellerEmail: row.storyteller_email,
    relationshipType: row.relationship_type as CampaignSummary["relationshipType"],
    status: row.status as CampaignSummary["status"],
    goalStories: row.goal_stories,
    totalPrompts: row.total_prompts,
    usedPrompts: row.used_prompts,
    completionPercentage: row.completion_percentage,
    startedAt: row.started_at,
    nextPromptAt: row.status === "active" ? row.next_prompt_at : null,
    schedule:
      row.schedule_weekday && row.schedule_time && row.schedule_time_zone
        ? { weekday: row.schedule_weekday, time: row.schedule_time, timeZone: row.schedule_time_zone }
        : null,
    myRole: role,
    isPrimaryOwner: row.user_id === userId,
    storyCount: row.story_count ?? 0,
    totalWords: row.total_words ?? 0,
    updatedAt: row.updated_at,
  };
}

// Campaigns

/**
 * A new campaign, its creator as its primary (and first active) owner, and a queue of library
 * questions from the chosen themes, interleaved so consecutive weeks change theme.
 */
export async function createCampaign(
  deps: StoriesDeps,
  tx: Tx,
  auth: SessionAuth,
  input: CreateCampaignInput,
): Promise<CampaignSummary> {
  const campaign = await repo.insertCampaign(tx, {
    user_id: auth.userId,
    title: input.title,
    description: input.description ?? null,
    storyteller_name: input.storytellerName,
    storyteller_email: input.storytellerEmail || null,
    relationship_type: input.relationshipType,
    goal_stories: input.goalStories,
    link_base_url: deps.appUrl.replace(/\/$/, ""),
  });
  await repo.insertMember(tx, {
    campaign_id: campaign.id,
    user_id: auth.userId,
    email: auth.email,
    name: null,
    relationship: null,
    role: "owner",
    status: "active",
    invited_by: auth.userId,
    joined_at: new Date(),
  });
  const themes = new Set<string>(input.themes?.length ? input.themes : THEMES);
  const byTheme = new Map<string, { id: string; theme: string; question: string }[]>();
  for (const p of await prompts.library(tx)) {
    if (!themes.has(p.theme)) continue;
    byTheme.set(p.theme, [...(byTheme.get(p.theme) ?? []), p]);
  }
  const queue: { id: string; theme: string; question: string }[] = [];
  for (let round = 0; [...byTheme.values()].some((list) => list.length > round); round++) {
    for (const list of byTheme.values()) {
      const prompt = list[round];
      if (prompt) queue.push(prompt);
    }
  }
  await prompts.insertPrompts(
    tx,
    queue.map((p, position) => ({
      campaign_id: campaign.id,
      story_prompt_id: p.id,
      theme: p.theme,
      question: p.question,
      position,
    })),
  );
  return getCampaign(tx, auth.userId, campaign.id);
}

export async function listCampaigns(tx: Tx, userId: string): Promise<CampaignSummary[]> {
  const [rows, roles] = await Promise.all([repo.listCampaigns(tx), repo.myRoles(tx, userId)]);
  return rows.map((row) =>
    toSummary(row, userId, row.user_id === userId ? "owner" : ((roles.get(row.id) as MemberRole) ?? "viewer")),
  );
}

export async function getCampaign(tx: Tx, userId: string, campaignId: string): Promise<CampaignSummary> {
  const row = await repo.findCampaign(tx, campaignId);
  const role = row && (await repo.myRole(tx, campaignId, userId));
  if (!row || !role) throw notFound("Campaign");
  return toSummary(row, userId, role);
}

export async function updateCampaign(tx: Tx, userId: string, input: UpdateCampaignInput): Promise<CampaignSummary> {
  await requireRole(tx, input.campaignId, userId, OWNERS, "change the campaign");
  const current = await repo.lockCampaign(tx, input.campaignId);
  if (!current) throw notFound("Campaign");
  const resuming = input.status === "active" && current.status !== "active";
  const schedule =
    current.schedule_weekday && current.schedule_time && current.schedule_time_zone
      ? { weekday: current.schedule_weekday, time: current.schedule_time, timeZone: current.schedule_time_zone }
      : null;
  if (input.storytellerEmail === "" && schedule) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      "The weekly questions go to the storyteller's e-mail: turn them off before removing it.",
      {
        field: "storytellerEmail",
      },
    );
  }
  await repo.updateCampaign(tx, input.campaignId, {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.description !== undefined ? { description: input.description || null } : {}),
    ...(input.storytellerName !== undefined ? { storyteller_name: input.storytellerName } : {}),
    ...(input.storytellerEmail !== undefined ? { storyteller_email: input.storytellerEmail || null } : {}),
    ...(input.relationshipType !== undefined ? { relationship_type: input.relationshipType } : {}),
    ...(input.goalStories !== undefined ? { goal_stories: input.goalStories } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    // A paused campaign picks up at its next weekly moment, never with a burst of missed weeks.
    ...(resuming && schedule ? { next_prompt_at: nextWeeklyOccurrence(schedule, new Date()) } : {}),
  });
  return getCampaign(tx, userId, input.campaignId);
}

export async function deleteCampaign(tx: Tx, userId: string, campaignId: string) {
  await requireRole(tx, campaignId, userId, OWNERS, "delete the campaign");
  if (!(await repo.deleteCampaign(tx, campaignId))) throw notFound("Campaign");
}

export async function dashboard(tx: Tx, userId: string, campaignId: string): Promise<CampaignDashboard> {
  const campaign = await getCampaign(tx, userId, campaignId);
  const [row, byCategory, contributors, nextPrompt, recent] = await Promise.all([
    repo.findCampaign(tx, campaignId),
    repo.storiesByCategory(tx, campaignId),
    repo.contributors(tx, campaignId),
    prompts.nextQueued(tx, campaignId),
    repo.recentStories(tx, campaignId, 5),
  ]);
  return {
    campaign,
    finishedCount: row?.finished_count ?? 0,
    latestStoryAt: row?.latest_story_date ?? null,
    byCategory,
    contributors,
    nextPrompt: nextPrompt ? { id: nextPrompt.id, question: nextPrompt.question } : null,
    recent: recent.map(toStorySummary),
  };
}

// Stories

type StoryListRow = Awaited<ReturnType<typeof repo.listStories>>[number];

function toStorySummary(row: StoryListRow): StorySummary {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    title: row.title,
    excerpt: row.excerpt,
    category: row.category,
    status: row.status as StorySummary["status"],
    storyOrder: row.story_order,
    wordCount: row.word_count,
    authorName: row.author_name,
    fromPrompt: row.campaign_prompt_id !== null,
    updatedAt: row.updated_at,
  };
}

export async function listStories(tx: Tx, userId: string, input: ListStoriesInput): Promise<StorySummary[]> {
  await requireRole(tx, input.campaignId, userId, EVERYONE, "read stories");
  return (await repo.listStories(tx, input.campaignId, input)).map(toStorySummary);
}

export async function createStory(
  tx: Tx,
  auth: SessionAuth,
  input: CreateStoryInput,
): Promise<{ id: string; wordCount: number }> {
  await requireRole(tx, input.campaignId, auth.userId, WRITERS, "add stories");
  const row = await repo.insertStory(tx, {
    campaign_id: input.campaignId,
    user_id: auth.userId,
    author_name: await repo.displayNameOf(tx, input.campaignId, auth.userId, auth.email),
    title: input.title,
    content: input.content,
    category: input.category,
    status: input.status,
    story_order: await repo.nextStoryOrder(tx, input.campaignId),
  });
  return { id: row.id, wordCount: row.word_count };
}

export async function getStory(tx: Tx, userId: string, storyId: string): Promise<StoryDetail> {
  const row = await repo.findStory(tx, storyId);
  if (!row) throw notFound("Story");
  const role = await repo.myRole(tx, row.campaign_id, userId);
  if (!role) throw notFound("Story");
  const [comments, reactions] = await Promise.all([repo.listComments(tx, storyId), repo.reactionCounts(tx, storyId, userId)]);
  return {
    ...toStorySummary({ ...row, excerpt: row.content.slice(0, 240) }),
    content: row.content,
    question: row.question,
    createdAt: row.created_at,
    comments: comments.map(
      (c): StoryComment => ({
        id: c.id,
        authorName: c.author_name,
        body: c.body,
        createdAt: c.created_at,
        mine: c.user_id === userId,
      }),
    ),
    reactions: reactions.map((r) => ({ reaction: r.reaction as Reaction, count: r.count, mine: r.mine })),
    canEdit: WRITERS.includes(role),
    canDelete: role === "owner" || (role === "contributor" && row.user_id === userId),
  };
}

async function storyCampaign(tx: Tx, storyId: string): Promise<{ campaignId: string; authorId: string | null }> {
  const row = await repo.findStory(tx, storyId);
  if (!row) throw notFound("Story");
  return { campaignId: row.campaign_id, authorId: row.user_id };
}

export async function updateStory(tx: Tx, userId: string, input: UpdateStoryInput): Promise<StoryDetail> {
  const { campaignId } = await storyCampaign(tx, input.storyId);
  await requireRole(tx, campaignId, userId, WRITERS, "edit stories");
  const updated = await repo.updateStory(tx, input.storyId, {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.content !== undefined ? { content: input.content } : {}),
    ...(input.category !== undefined ? { category: input.category } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.storyOrder !== undefined ? { story_order: input.storyOrder } : {}),
  });
  if (!updated) throw notFound("Story");
  return getStory(tx, userId, input.storyId);
}

export async function deleteStory(tx: Tx, userId: string, storyId: string) {
  const { campaignId, authorId } = await storyCampaign(tx, storyId);
  const role = await requireRole(tx, campaignId, userId, WRITERS, "delete stories");
  if (role !== "owner" && authorId !== userId)
    throw new DomainError("FORBIDDEN", "Contributors can delete only their own stories.");
  if (!(await repo.deleteStory(tx, storyId))) throw notFound("Story");
}

// Comments and reactions: every active member, viewers included.

export async function addComment(tx: Tx, auth: SessionAuth, input: { storyId: string; body: string }): Promise<StoryComment> {
  const { campaignId } = await storyCampaign(tx, input.storyId);
  await requireRole(tx, campaignId, auth.userId, EVERYONE, "comment");
  const authorName = await repo.displayNameOf(tx, campaignId, auth.userId, auth.email);
  const row = await repo.insertComment(tx, {
    story_id: input.storyId,
    campaign_id: campaignId,
    user_id: auth.userId,
    author_name: authorName,
    body: input.body,
  });
  return { id: row.id, authorName, body: input.body, createdAt: row.created_at, mine: true };
}

/** Authors delete their own comments; owners any in their campaign (RLS decides; none deleted → NOT_FOUND). */
export async function deleteComment(tx: Tx, commentId: string) {
  if (!(await repo.deleteComment(tx, commentId))) throw notFound("Comment");
}

export async function react(tx: Tx, userId: string, input: { storyId: string; reaction: Reaction; on: boolean }) {
  const { campaignId } = await storyCampaign(tx, input.storyId);
  await requireRole(tx, campaignId, userId, EVERYONE, "react");
  if (input.on)
    await repo.addReaction(tx, { story_id: input.storyId, campaign_id: campaignId, user_id: userId, reaction: input.reaction });
  else await repo.removeReaction(tx, input.storyId, userId, input.reaction);
  return (await repo.reactionCounts(tx, input.storyId, userId)).map((r) => ({
    reaction: r.reaction as Reaction,
    count: r.count,
    mine: r.mine,
  }));
}
