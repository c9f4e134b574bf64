/**
 * Bug reports and feedback (issue 15.8). A user writes and reads their own in their RLS transaction (they
 * see the status, never the staff's notes: the database grants them no `admin_notes`). Administrators list
 * everyone's, move the status and keep notes, as the system role after the role check.
 */
import { asSystem, asUser, type Database, type SessionAuth, type Tx } from "@inkwell/db";
import { admin } from "../admin/index.ts";
import { identity } from "../identity/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import * as repo from "./feedback.repository.ts";
import type {
  AdminListBugReportsInput,
  AdminListFeedbackInput,
  AdminUpdateBugReportInput,
  AdminUpdateFeedbackInput,
  BugReport,
  Feedback,
  SubmitBugReportInput,
  SubmitFeedbackInput,
} from "./feedback.schemas.ts";

const OWN_LIST_LIMIT = 50;
/** Bug reports, and separately feedback, one user may send per hour (a loop cannot flood the staff's lists). */
export const PER_HOUR = 20;

async function assertUnderHourlyLimit(tx: Tx, userId: string, table: "bug_reports" | "user_feedback") {
  if ((await repo.lockedCountLastHour(tx, userId, table)) >= PER_HOUR) {
    throw new DomainError("RATE_LIMITED", "You've sent a lot in the last hour. Please try again a little later.");
  }
}

/** Whether the forms are open (the `feedback_open` site setting); read before the user's transaction. */
export function isOpen(db: Database): Promise<boolean> {
  return admin.configValue(db, "feedback_open");
}

async function assertOpen(db: Database) {
  if (!(await isOpen(db))) {
    throw new DomainError("PRECONDITION_FAILED", "Feedback is closed for the moment. Please try again later.");
  }
}

/**
 * Browser details are stored only when the user ticked the consent box: then the request's user agent and
 * what the page gathered (screen size, language); without it, nothing, whatever the page sent.
 */
export function browserInfoFor(input: Pick<SubmitBugReportInput, "shareBrowserInfo" | "browserInfo">, userAgent: string | null) {
  if (!input.shareBrowserInfo) return null;
  const parts = [userAgent ? `User agent: ${userAgent.slice(0, 380)}` : null, input.browserInfo || null].filter(Boolean);
  return parts.length ? parts.join("\n").slice(0, 1000) : null;
}

/** Runs off any transaction: reads the setting, then writes in the user's own transaction. */
export async function submitBugReport(
  db: Database,
  userId: string,
  input: SubmitBugReportInput,
  meta: { userAgent: string | null },
): Promise<BugReport> {
  await assertOpen(db);
  const errorCode = input.errorCode ? input.errorCode : null;
  return asUser(db, userId, async (tx) => {
    await assertUnderHourlyLimit(tx, userId, "bug_reports");
    return repo.insertBugReport(tx, {
      user_id: userId,
      preferred_name: input.preferredName,
      severity: input.severity,
      error_code: errorCode,
      has_error_code: errorCode !== null,
      description: input.description,
      browser_info: browserInfoFor(input, meta.userAgent),
    });
  });
}

export async function submitFeedback(db: Database, userId: string, input: SubmitFeedbackInput): Promise<Feedback> {
  await assertOpen(db);
  return asUser(db, userId, async (tx) => {
    await assertUnderHourlyLimit(tx, userId, "user_feedback");
    return repo.insertFeedback(tx, {
      user_id: userId,
      preferred_name: input.preferredName,
      feedback_type: input.feedbackType,
      message: input.message,
      rating: input.rating ?? null,
    });
  });
}

/** The caller's own reports and feedback, newest first, with their status. */
export async function listOwn(tx: Tx) {
  const bugReports = await repo.listOwnBugReports(tx, OWN_LIST_LIMIT);
  const feedback = await repo.listOwnFeedback(tx, OWN_LIST_LIMIT);
  return { bugReports, feedback };
}

function page<T extends { createdAt: Date; id: string }>(items: T[], limit: number) {
  const last = items.length === limit ? items[items.length - 1] : undefined;
  return { items, nextCursor: last ? { createdAt: last.createdAt, id: last.id } : null };
}

export async function adminListBugReports(db: Database, auth: SessionAuth, input: AdminListBugReportsInput) {
  identity.assertAdmin(auth);
  return page(await asSystem(db, (tx) => repo.adminListBugReports(tx, input)), input.limit);
}

export async function adminListFeedback(db: Database, auth: SessionAuth, input: AdminListFeedbackInput) {
  identity.assertAdmin(auth);
  return page(await asSystem(db, (tx) => repo.adminListFeedback(tx, input)), input.limit);
}

export async function adminUpdateBugReport(db: Database, auth: SessionAuth, input: AdminUpdateBugReportInput) {
  identity.assertAdmin(auth);
  const row = await asSystem(db, (tx) =>
    repo.adminUpdateBugReport(tx, input.id, {
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.adminNotes !== undefined ? { admin_notes: input.adminNotes || null } : {}),
    }),
  );
  if (!row) throw notFound("Bug report");
  return row;
}

export async function adminUpdateFeedback(db: Database, auth: SessionAuth, input: AdminUpdateFeedbackInput) {
  identity.assertAdmin(auth);
  const row = await asSystem(db, (tx) =>
    repo.adminUpdateFeedback(tx, input.id, {
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.adminNotes !== undefined ? { admin_notes: input.adminNotes || null } : {}),
    }),
  );
  if (!row) throw notFound("Feedback");
  return row;
}

/** Open work for the admin overview. */
export async function adminOpenCounts(db: Database, auth: SessionAuth) {
  identity.assertAdmin(auth);
  return asSystem(db, (tx) => repo.openCounts(tx));
}
