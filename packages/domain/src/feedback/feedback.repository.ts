/**
 * The only SQL of bug reports and feedback. The author's reads run in their RLS transaction and name
 * their columns: the user role has no grant on `admin_notes` (a `selectAll` would be refused). The
 * administrators' reads and updates run as the system role.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import type {
  AdminBugReport,
  AdminFeedback,
  AdminListBugReportsInput,
  AdminListFeedbackInput,
  BugReport,
  BugSeverity,
  BugStatus,
  Feedback,
  FeedbackStatus,
  FeedbackType,
} from "./feedback.schemas.ts";

const BUG_COLUMNS = [
  "id",
  "user_id",
  "preferred_name",
  "severity",
  "error_code",
  "has_error_code",
  "description",
  "browser_info",
  "status",
  "created_at",
  "updated_at",
] as const;
const FEEDBACK_COLUMNS = [
  "id",
  "user_id",
  "preferred_name",
  "feedback_type",
  "message",
  "rating",
  "status",
  "created_at",
  "updated_at",
] as const;

type BugRow = Pick<Selectable<Tables.BugReports>, (typeof BUG_COLUMNS)[number]>;
type FeedbackRow = Pick<Selectable<Tables.UserFeedback>, (typeof FEEDBACK_COLUMNS)[number]>;

const toBug = (r: BugRow): BugReport => ({
  id: r.id,
  preferredName: r.preferred_name,
  severity: r.severity as BugSeverity,
  errorCode: r.error_code,
  hasErrorCode: r.has_error_code,
  description: r.description,
  browserInfo: r.browser_info,
  status: r.status as BugStatus,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toFeedback = (r: FeedbackRow): Feedback => ({
  id: r.id,
  preferredName: r.preferred_name,
  feedbackType: r.feedback_type as FeedbackType,
  message: r.message,
  rating: r.rating,
  status: r.status as FeedbackStatus,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertBugReport(
  tx: Tx,
  row: {
    user_id: string;
    preferred_name: string;
    severity: string;
    error_code: string | null;
    has_error_code: boolean;
    description: string;
    browser_info: string | null;
  },
): Promise<BugReport> {
  const r = await tx.insertInto("bug_reports").values(row).returning(BUG_COLUMNS).executeTakeFirstOrThrow();
  return toBug(r);
}

export async function insertFeedback(
  tx: Tx,
  row: { user_id: string; preferred_name: string; feedback_type: string; message: string; rating: number | null },
): Promise<Feedback> {
  const r = await tx.insertInto("user_feedback").values(row).returning(FEEDBACK_COLUMNS).executeTakeFirstOrThrow();
  return toFeedback(r);
}

/** The caller's own (RLS decides whose rows these are). */
export async function listOwnBugReports(tx: Tx, limit: number): Promise<BugReport[]> {
  const rows = await tx
    .selectFrom("bug_reports")
    .select(BUG_COLUMNS)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toBug);
}

export async function listOwnFeedback(tx: Tx, limit: number): Promise<Feedback[]> {
  const rows = await tx
    .selectFrom("user_feedback")
    .select(FEEDBACK_COLUMNS)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toFeedback);
}

type Cursor = { createdAt: Date; id: string } | undefined;
const before = (cursor: Cursor) =>
  cursor ? sql<boolean>`(created_at, id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)` : sql<boolean>`true`;

export async function adminListBugReports(tx: Tx, input: AdminListBugReportsInput): Promise<AdminBugReport[]> {
  let q = tx
    .selectFrom("bug_reports")
    .select([...BUG_COLUMNS, "admin_notes"])
    .where(before(input.cursor));
  if (input.status) q = q.where("status", "=", input.status);
  if (input.severity) q = q.where("severity", "=", input.severity);
  const rows = await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(input.limit).execute();
  return rows.map((r) => ({ ...toBug(r), userId: r.user_id, adminNotes: r.admin_notes }));
}

export async function adminListFeedback(tx: Tx, input: AdminListFeedbackInput): Promise<AdminFeedback[]> {
  let q = tx
    .selectFrom("user_feedback")
    .select([...FEEDBACK_COLUMNS, "admin_notes"])
    .where(before(input.cursor));
  if (input.status) q = q.where("status", "=", input.status);
  if (input.feedbackType) q = q.where("feedback_type", "=", input.feedbackType);
  const rows = await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(input.limit).execute();
  return rows.map((r) => ({ ...toFeedback(r), userId: r.user_id, adminNotes: r.admin_notes }));
}

export async function adminUpdateBugReport(
  tx: Tx,
  id: string,
  patch: { status?: string; admin_notes?: string | null },
): Promise<AdminBugReport | null> {
  const r = await tx
    .updateTable("bug_reports")
    .set(patch)
    .where("id", "=", id)
    .returning([...BUG_COLUMNS, "admin_notes"])
    .executeTakeFirst();
  return r ? { ...toBug(r), userId: r.user_id, adminNotes: r.admin_notes } : null;
}

export async function adminUpdateFeedback(
  tx: Tx,
  id: string,
  patch: { status?: string; admin_notes?: string | null },
): Promise<AdminFeedback | null> {
  const r = await tx
    .updateTable("user_feedback")
    .set(patch)
    .where("id", "=", id)
    .returning([...FEEDBACK_COLUMNS, "admin_notes"])
    .executeTakeFirst();
  return r ? { ...toFeedback(r), userId: r.user_id, adminNotes: r.admin_notes } : null;
}

/** Open items per kind, for the admin overview. */
export async function openCounts(tx: Tx) {
  const bugs = await tx
    .selectFrom("bug_reports")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("status", "in", ["pending", "in_progress"])
    .executeTakeFirstOrThrow();
  const feedback = await tx
    .selectFrom("user_feedback")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  return { openBugReports: bugs.n, pendingFeedback: feedback.n };
}

/**
 * How many of their own rows of `table` the caller sent in the last hour, counted after taking a
 * per-user, per-table transaction lock: two submits at once are counted one after the other.
 */
export async function lockedCountLastHour(tx: Tx, userId: string, table: "bug_reports" | "user_feedback") {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`feedback:${table}:${userId}`}, 0))`.execute(tx);
  const r = await tx
    .selectFrom(table)
    .select(sql<number>`count(*)::int`.as("n"))
    .where("user_id", "=", userId)
    .where("created_at", ">", sql<Date>`now() - interval '1 hour'`)
    .executeTakeFirstOrThrow();
  return r.n;
}
