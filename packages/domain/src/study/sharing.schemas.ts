/**
 * Browser-safe shapes of sharing (issue 15.5, zod only): quiz links (`/q/<token>`) anyone can take without
 * an account, and materials shared with a user or publicly (`/s/<token>`).
 */
import { z } from "zod";
import type { StudyItem, StudyItemType } from "./library.schemas.ts";

export const SHARE_EXPIRY_CHOICES = ["1d", "7d", "30d", "never"] as const;
export type ShareExpiry = (typeof SHARE_EXPIRY_CHOICES)[number];
export const SHARE_EXPIRY_LABELS: Record<ShareExpiry, string> = {
  "1d": "1 day",
  "7d": "7 days",
  "30d": "30 days",
  never: "Never",
};
const DAY_MS = 24 * 60 * 60 * 1000;
const EXPIRY_DAYS: Record<ShareExpiry, number | null> = { "1d": 1, "7d": 7, "30d": 30, never: null };

/** When a share made now with this choice expires (null: never). */
export function expiryDate(choice: ShareExpiry, now: Date = new Date()): Date | null {
  const days = EXPIRY_DAYS[choice];
  return days === null ? null : new Date(now.getTime() + days * DAY_MS);
}

const id = z.uuid("Not a valid id");
/** A link token: 32 random bytes, base64url (43 characters). Anything else is refused before any lookup. */
export const shareToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This link is not valid");

export const shareQuizInput = z.object({ itemId: id, expiresIn: z.enum(SHARE_EXPIRY_CHOICES).default("7d") });
export type ShareQuizInput = z.infer<typeof shareQuizInput>;
export const sharedQuizIdInput = z.object({ sharedQuizId: id });
export const listSharedQuizzesInput = z.object({ itemId: id.optional() }).default({});
export const sharedQuizTokenInput = z.object({ token: shareToken });

/** One answer: a choice index (multiple choice), true/false, or text (short answer). */
export const sharedQuizAnswer = z.object({
  questionId: z.string().min(1).max(40),
  response: z.union([z.number().int().min(0).max(5), z.boolean(), z.string().trim().max(2000)]),
  timeMs: z.number().int().min(0).max(3_600_000).optional(),
});
export const submitSharedQuizInput = z.object({
  token: shareToken,
  displayName: z.string().trim().max(60, "At most 60 characters").optional(),
  answers: z.array(sharedQuizAnswer).max(50),
  /** Made once per attempt by the taker's page: a retried submit answers from the stored attempt, charging nothing again. */
  attemptKey: z.string().trim().min(8).max(100).optional(),
});
export type SubmitSharedQuizInput = z.infer<typeof submitSharedQuizInput>;

export const shareMaterialWithUserInput = z.object({
  itemId: id,
  email: z
    .email("Enter a valid e-mail address")
    .max(254)
    .transform((e) => e.toLowerCase()),
  allowResharing: z.boolean().default(false),
  expiresIn: z.enum(SHARE_EXPIRY_CHOICES).default("never"),
});
export type ShareMaterialWithUserInput = z.infer<typeof shareMaterialWithUserInput>;
export const shareMaterialPublicInput = z.object({
  itemId: id,
  expiresIn: z.enum(SHARE_EXPIRY_CHOICES).default("30d"),
});
export type ShareMaterialPublicInput = z.infer<typeof shareMaterialPublicInput>;
export const materialShareIdInput = z.object({ shareId: id });
export const listMaterialSharesInput = z.object({ itemId: id });
/** `itemId`, when the page knows which material it expects: a token for another material is refused. */
export const viewSharedMaterialInput = z.object({ token: shareToken, itemId: id.optional() });

export type ShareStatus = "active" | "expired" | "revoked";

export interface SharedQuizLink {
  id: string;
  itemId: string | null;
  title: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: ShareStatus;
  accessCount: number;
  attemptCount: number;
  createdAt: Date;
}
/** Right after creation only: the token is never stored, so this is the one time the full link exists. */
export interface CreatedQuizLink extends SharedQuizLink {
  token: string;
  path: string;
}

/** A question as an anonymous taker sees it before submitting: no answers, no explanations. */
export type PublicQuizQuestion =
  | { id: string; kind: "multiple_choice"; prompt: string; choices: string[] }
  | { id: string; kind: "true_false"; prompt: string }
  | { id: string; kind: "short_answer"; prompt: string };
export interface PublicQuiz {
  title: string;
  topic: string | null;
  questions: PublicQuizQuestion[];
  expiresAt: Date | null;
}

export type SharedVerdict = "correct" | "partial" | "incorrect" | "ungraded";
export interface SharedQuizResult {
  questions: {
    questionId: string;
    verdict: SharedVerdict;
    /** What was right: the choice's text, "True"/"False", or the model answer. */
    correctAnswer: string;
    explanation: string;
    feedback: string | null;
    /** Graded by the offline placeholder grader (no AI model): the page labels it. */
    placeholder?: boolean;
  }[];
  score: number;
  total: number;
  accuracy: number;
  counts: { correct: number; partial: number; incorrect: number; ungraded: number };
}

export interface MaterialShare {
  id: string;
  itemId: string;
  kind: "user" | "link";
  /** The recipient's e-mail (shares to a user). */
  recipientEmail: string | null;
  allowResharing: boolean;
  accessCount: number;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: ShareStatus;
  createdAt: Date;
}
export interface CreatedMaterialLink extends MaterialShare {
  token: string;
  path: string;
}
export interface SharedWithMeItem {
  shareId: string;
  itemId: string;
  itemType: StudyItemType;
  title: string;
  topic: string | null;
  allowResharing: boolean;
  expiresAt: Date | null;
  sharedAt: Date;
}
export interface SharedMaterialView {
  item: StudyItem;
  expiresAt: Date | null;
}
