/** Stories inputs and outputs (browser-safe: zod and the text rule only, so the web's forms use the same rules). */
import { z } from "zod";
import { text } from "../platform/text.ts";

export { countWords } from "./stories.words.ts";

export const RELATIONSHIPS = ["parent", "grandparent", "spouse", "other"] as const;
export const CAMPAIGN_STATUSES = ["active", "paused", "completed", "archived"] as const;
export const MEMBER_ROLES = ["owner", "contributor", "viewer"] as const;
export const MEMBER_STATUSES = ["invited", "active", "inactive"] as const;
export const STORY_STATUSES = ["draft", "completed", "reviewed"] as const;
export const REACTIONS = ["heart", "laugh", "wow", "sad", "clap"] as const;
/** The library's themes, which are also the stories' categories ("custom" prompts file under "other"). */
export const THEMES = ["childhood", "family", "love", "career", "travel", "history", "wisdom"] as const;
export const CATEGORIES = [...THEMES, "other"] as const;
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

export type Relationship = (typeof RELATIONSHIPS)[number];
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export type StoryStatus = (typeof STORY_STATUSES)[number];
export type Reaction = (typeof REACTIONS)[number];
export type Category = (typeof CATEGORIES)[number];

const email = z.string().trim().toLowerCase().pipe(z.email("Enter a valid e-mail address").max(254));
const optional = (schema: z.ZodType<string>) => schema.optional().transform((v) => (v === "" ? undefined : v));

export const campaignIdInput = z.object({ campaignId: z.uuid() });
export const storyIdInput = z.object({ storyId: z.uuid() });
export const memberIdInput = z.object({ memberId: z.uuid() });
export const promptIdInput = z.object({ promptId: z.uuid() });
export const commentIdInput = z.object({ commentId: z.uuid() });

const campaignFields = {
  title: text({ max: 120, min: 1 }),
  description: optional(text({ max: 2000, multiline: true })),
  storytellerName: text({ max: 80, min: 1 }),
  storytellerEmail: z.union([email, z.literal("")]).optional(),
  relationshipType: z.enum(RELATIONSHIPS),
  goalStories: z.number().int().min(1).max(1000),
};

export const createCampaignInput = z.object({
  ...campaignFields,
  /** Library themes whose questions fill the campaign's queue (interleaved); none → every theme. */
  themes: z.array(z.enum(THEMES)).max(THEMES.length).optional(),
});
export type CreateCampaignInput = z.infer<typeof createCampaignInput>;

export const updateCampaignInput = z.object({
  campaignId: z.uuid(),
  ...z.object(campaignFields).partial().shape,
  status: z.enum(CAMPAIGN_STATUSES).optional(),
});
export type UpdateCampaignInput = z.infer<typeof updateCampaignInput>;

export const scheduleInput = z.object({
  campaignId: z.uuid(),
  /** ISO weekday, 1 = Monday … 7 = Sunday; null turns the weekly e-mails off. */
  schedule: z
    .object({
      weekday: z.number().int().min(1).max(7),
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use a time like 09:00"),
      timeZone: z.string().min(1).max(64),
    })
    .nullable(),
});
export type ScheduleInput = z.infer<typeof scheduleInput>;

export const inviteInput = z.object({
  campaignId: z.uuid(),
  email,
  name: optional(text({ max: 80 })),
  relationship: optional(text({ max: 80 })),
  role: z.enum(MEMBER_ROLES).default("contributor"),
});
export type InviteInput = z.infer<typeof inviteInput>;

export const changeRoleInput = z.object({ memberId: z.uuid(), role: z.enum(MEMBER_ROLES) });
export const inviteTokenInput = z.object({ token: z.string().min(20).max(200) });

export const addPromptInput = z.object({
  campaignId: z.uuid(),
  /** A library question, or a question of the family's own. */
  storyPromptId: z.uuid().optional(),
  question: optional(text({ max: 300, min: 5 })),
});
export const movePromptInput = z.object({ promptId: z.uuid(), direction: z.enum(["up", "down"]) });

export const answerLinkInput = z.object({
  campaignId: z.uuid(),
  promptId: z.uuid(),
  token: z.string().min(20).max(200),
});
export const submitAnswerInput = answerLinkInput.extend({
  title: optional(text({ max: 200 })),
  content: text({ max: 100_000, min: 1, multiline: true }),
});
export type SubmitAnswerInput = z.infer<typeof submitAnswerInput>;

const storyFields = {
  title: text({ max: 200, min: 1 }),
  content: text({ max: 100_000, multiline: true }),
  category: z.enum(CATEGORIES),
  status: z.enum(STORY_STATUSES),
  storyOrder: z.number().int().min(0).max(100_000),
};
export const createStoryInput = z.object({
  campaignId: z.uuid(),
  title: storyFields.title,
  content: storyFields.content.default(""),
  category: storyFields.category.default("other"),
  status: storyFields.status.default("draft"),
});
export type CreateStoryInput = z.infer<typeof createStoryInput>;
export const updateStoryInput = z.object({ storyId: z.uuid(), ...z.object(storyFields).partial().shape });
export type UpdateStoryInput = z.infer<typeof updateStoryInput>;

export const listStoriesInput = z.object({
  campaignId: z.uuid(),
  /** Full-text search over title and content (web-search syntax: words, "phrases", -exclusions). */
  query: optional(text({ max: 200 })),
  category: z.enum(CATEGORIES).optional(),
});
export type ListStoriesInput = z.infer<typeof listStoriesInput>;

export const addCommentInput = z.object({ storyId: z.uuid(), body: text({ max: 4000, min: 1, multiline: true }) });
export const reactInput = z.object({ storyId: z.uuid(), reaction: z.enum(REACTIONS), on: z.boolean() });

// Outputs

export interface CampaignSummary {
  id: string;
  title: string;
  description: string | null;
  storytellerName: string;
  storytellerEmail: string | null;
  relationshipType: Relationship;
  status: CampaignStatus;
  goalStories: number;
  totalPrompts: number;
  usedPrompts: number;
  completionPercentage: number;
  startedAt: Date | null;
  nextPromptAt: Date | null;
  schedule: { weekday: number; time: string; timeZone: string } | null;
  /** The caller's role here. */
  myRole: MemberRole;
  /** True for the one owner the campaign belongs to (it passes on when they leave). */
  isPrimaryOwner: boolean;
  storyCount: number;
  totalWords: number;
  updatedAt: Date;
}

export interface CampaignDashboard {
  campaign: CampaignSummary;
  finishedCount: number;
  latestStoryAt: Date | null;
  byCategory: { category: string; count: number }[];
  contributors: { name: string; stories: number; words: number }[];
  nextPrompt: { id: string; question: string } | null;
  recent: StorySummary[];
}

export interface FamilyMember {
  id: string;
  userId: string | null;
  email: string;
  name: string | null;
  relationship: string | null;
  role: MemberRole;
  status: MemberStatus;
  invitedAt: Date;
  joinedAt: Date | null;
  inviteExpiresAt: Date | null;
  isPrimaryOwner: boolean;
  isMe: boolean;
}

export interface Invitation {
  campaignTitle: string;
  storytellerName: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
}

export interface CampaignPrompt {
  id: string;
  question: string;
  theme: string;
  position: number;
  status: "queued" | "sent" | "answered" | "skipped";
  sentAt: Date | null;
  reminderSentAt: Date | null;
  answeredAt: Date | null;
  linksRevokedAt: Date | null;
  storyId: string | null;
}

export interface LibraryPrompt {
  id: string;
  theme: string;
  question: string;
}

export interface AnswerPage {
  campaignTitle: string;
  storytellerName: string;
  question: string;
  answered: boolean;
  expiresAt: Date;
}

export interface StorySummary {
  id: string;
  campaignId: string;
  title: string;
  excerpt: string;
  category: string;
  status: StoryStatus;
  storyOrder: number;
  wordCount: number;
  authorName: string;
  fromPrompt: boolean;
  updatedAt: Date;
}

export interface StoryComment {
  id: string;
  authorName: string;
  body: string;
  createdAt: Date;
  mine: boolean;
}

export interface StoryDetail extends StorySummary {
  content: string;
  question: string | null;
  createdAt: Date;
  comments: StoryComment[];
  reactions: { reaction: Reaction; count: number; mine: boolean }[];
  canEdit: boolean;
  canDelete: boolean;
}
