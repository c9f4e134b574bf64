/** Bug reports and feedback (issue 15.8). Browser-safe: zod only. */
import { z } from "zod";

export const BUG_SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const BUG_STATUSES = ["pending", "in_progress", "resolved", "closed"] as const;
export const FEEDBACK_TYPES = ["general", "feature_request", "improvement", "other"] as const;
export const FEEDBACK_STATUSES = ["pending", "reviewed", "implemented", "closed"] as const;

export type BugSeverity = (typeof BUG_SEVERITIES)[number];
export type BugStatus = (typeof BUG_STATUSES)[number];
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

const preferredName = z.string().trim().min(1, "Tell us what to call you.").max(100, "Keep the name under 100 characters.");

export const submitBugReportInput = z.object({
  preferredName,
  severity: z.enum(BUG_SEVERITIES, "Choose how bad it is."),
  /** The code an error message showed, if any (e.g. "INSUFFICIENT_CREDITS" or a request id). */
  errorCode: z.string().trim().max(100, "Keep the error code under 100 characters.").optional(),
  description: z
    .string()
    .trim()
    .min(10, "Describe what happened in a few words more.")
    .max(5000, "Keep it under 5000 characters."),
  /** Whether the user agreed to send their browser's details with the report: without it none are stored. */
  shareBrowserInfo: z.boolean().default(false),
  /** What the page gathered (screen size, language); the request's user agent is added on the server. */
  browserInfo: z.string().trim().max(600).optional(),
});

export const submitFeedbackInput = z.object({
  preferredName,
  feedbackType: z.enum(FEEDBACK_TYPES, "Choose a kind of feedback."),
  message: z.string().trim().min(3, "Write a little more.").max(5000, "Keep it under 5000 characters."),
  rating: z.number().int().min(1, "Ratings go from 1 to 5.").max(5, "Ratings go from 1 to 5.").optional(),
});

const cursor = z.object({ createdAt: z.coerce.date(), id: z.uuid() }).optional();

export const adminListBugReportsInput = z.object({
  status: z.enum(BUG_STATUSES).optional(),
  severity: z.enum(BUG_SEVERITIES).optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor,
});

export const adminListFeedbackInput = z.object({
  status: z.enum(FEEDBACK_STATUSES).optional(),
  feedbackType: z.enum(FEEDBACK_TYPES).optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor,
});

const adminNotes = z.string().trim().max(5000, "Keep the notes under 5000 characters.");

export const adminUpdateBugReportInput = z
  .object({ id: z.uuid(), status: z.enum(BUG_STATUSES).optional(), adminNotes: adminNotes.nullable().optional() })
  .refine((v) => v.status !== undefined || v.adminNotes !== undefined, "Change the status or the notes.");

export const adminUpdateFeedbackInput = z
  .object({ id: z.uuid(), status: z.enum(FEEDBACK_STATUSES).optional(), adminNotes: adminNotes.nullable().optional() })
  .refine((v) => v.status !== undefined || v.adminNotes !== undefined, "Change the status or the notes.");

export type SubmitBugReportInput = z.infer<typeof submitBugReportInput>;
export type SubmitFeedbackInput = z.infer<typeof submitFeedbackInput>;
export type AdminListBugReportsInput = z.infer<typeof adminListBugReportsInput>;
export type AdminListFeedbackInput = z.infer<typeof adminListFeedbackInput>;
export type AdminUpdateBugReportInput = z.infer<typeof adminUpdateBugReportInput>;
export type AdminUpdateFeedbackInput = z.infer<typeof adminUpdateFeedbackInput>;

/** A report as its author sees it: the status, never the staff's notes. */
export interface BugReport {
  id: string;
  preferredName: string;
  severity: BugSeverity;
  errorCode: string | null;
  hasErrorCode: boolean;
  description: string;
  browserInfo: string | null;
  status: BugStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface Feedback {
  id: string;
  preferredName: string;
  feedbackType: FeedbackType;
  message: string;
  rating: number | null;
  status: FeedbackStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type AdminBugReport = BugReport & { userId: string; adminNotes: string | null };
export type AdminFeedback = Feedback & { userId: string; adminNotes: string | null };
