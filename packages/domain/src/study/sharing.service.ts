/**
 * Sharing (issue 15.5): quiz links anyone can take without an account, and materials shared with a user
 * (by e-mail, with a notification) or publicly by link.
 *
 * Tokens are 32 random bytes (base64url); only their SHA-256 is stored, so the full link exists once, in
 * the answer to the call that made it. Public calls (no account) run as the system role, looked up by the
 * token's hash, and are limited per IP and per link in identity's throttle table (as the auth flows are).
 * A quiz link holds a snapshot of the quiz taken at share time; a material link follows the item's edits.
 * Short answers of anonymous takers are graded by the quiz module's grader with the sharer paying, at
 * most SHORT_ANSWER_GRADES_PER_LINK_PER_DAY per link; past that they come back ungraded, with the model
 * answer to compare against. No transaction is held across the grader's AI call.
 */
import { createHash } from "node:crypto";
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { notifications } from "../notifications/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import { hashToken, newToken } from "../platform/tokens.ts";
import { type QuizContent, type QuizQuestion, quizContentSchema } from "./library.schemas.ts";
import * as library from "./library.service.ts";
import * as quiz from "./quiz.service.ts";
import * as repo from "./sharing.repository.ts";
import {
  type CreatedMaterialLink,
  type CreatedQuizLink,
  expiryDate,
  type MaterialShare,
  type PublicQuiz,
  type SharedMaterialView,
  type SharedQuizLink,
  type SharedQuizResult,
  type SharedVerdict,
  type SharedWithMeItem,
  type ShareMaterialPublicInput,
  type ShareMaterialWithUserInput,
  type ShareQuizInput,
  type ShareStatus,
  type SubmitSharedQuizInput,
} from "./sharing.schemas.ts";

export type GradeDeps = quiz.QuizDeps;
export interface SharingDeps {
  db: Database;
}

/** Limits on the public calls (window in seconds). Tests may lower them. */
export const SHARING_LIMITS = {
  viewsPerIp: { limit: 300, windowSeconds: 3600 },
  submitsPerIp: { limit: 60, windowSeconds: 3600 },
  submitsPerLink: { limit: 1000, windowSeconds: 86_400 },
  shortAnswerGradesPerLinkPerDay: 200,
  sharesByEmailPerUser: { limit: 50, windowSeconds: 3600 },
};

const QUIZ_LINK_GONE = {
  unknown: "This quiz link doesn't exist. Check that you copied the whole link.",
  expired: "This quiz link has expired. Ask the person who shared it for a new one.",
  revoked: "This quiz link was turned off by the person who shared it.",
};
const MATERIAL_LINK_GONE = {
  unknown: "This link doesn't exist. Check that you copied the whole link.",
  expired: "This link has expired. Ask the person who shared it for a new one.",
  revoked: "This link was turned off by the person who shared it.",
};

function statusOf(row: { revoked_at: Date | null; expires_at: Date | null }, now = new Date()): ShareStatus {
  if (row.revoked_at) return "revoked";
  if (row.expires_at && row.expires_at <= now) return "expired";
  return "active";
}

async function throttle(tx: Tx, key: string, rule: { limit: number; windowSeconds: number }, message: string) {
  const { attempts, retryAfterSeconds } = await repo.hitThrottle(tx, key, rule.windowSeconds);
  if (attempts > rule.limit) throw new DomainError("RATE_LIMITED", message, { retryAfterSeconds });
}

// ——— Quiz links (owner) ———

function toQuizLink(row: repo.SharedQuizRow & { attempt_count?: number }): SharedQuizLink {
  return {
    id: row.id,
    itemId: row.item_id,
    title: row.title,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    status: statusOf(row),
    accessCount: row.access_count,
    attemptCount: row.attempt_count ?? 0,
    createdAt: row.created_at,
  };
}

/** Shares the caller's own quiz as a link; the answer is the only place the full link ever appears. */
export async function shareQuiz(tx: Tx, userId: string, input: ShareQuizInput): Promise<CreatedQuizLink> {
  const item = await library.getOwned(tx, input.itemId);
  if (!item) throw notFound("Quiz");
  if (item.itemType !== "quiz")
    throw new DomainError("INVALID_INPUT", "Only a quiz can be shared as a quiz link", { field: "itemId" });
  const { token, hash } = newToken();
  const row = await repo.insertSharedQuiz(tx, {
    userId,
    itemId: item.id,
    tokenHash: hash,
    title: item.title,
    topic: item.topic,
    quiz: quizContentSchema.parse(item.content),
    expiresAt: expiryDate(input.expiresIn),
  });
  return { ...toQuizLink(row), token, path: `/q/${token}` };
}

export async function listQuizLinks(tx: Tx, input: { itemId?: string | undefined } = {}): Promise<SharedQuizLink[]> {
  return (await repo.listSharedQuizzes(tx, input.itemId)).map(toQuizLink);
}

export async function revokeQuizLink(tx: Tx, sharedQuizId: string): Promise<SharedQuizLink> {
  const row = await repo.revokeSharedQuiz(tx, sharedQuizId);
  if (!row) throw notFound("Quiz link");
  return toQuizLink(row);
}

// ——— Quiz links (anyone with the link) ———

function goneQuiz(row: repo.SharedQuizRow | undefined): never {
  const why = !row ? "unknown" : row.revoked_at ? "revoked" : "expired";
  throw new DomainError("NOT_FOUND", QUIZ_LINK_GONE[why]);
}

function publicQuestions(content: QuizContent): PublicQuiz["questions"] {
  return content.questions.map((q) =>
    q.kind === "multiple_choice"
      ? { id: q.id, kind: q.kind, prompt: q.prompt, choices: q.choices }
      : { id: q.id, kind: q.kind, prompt: q.prompt },
  );
}

/** Opens a quiz link (counts an access). Never carries answers or explanations: those come with the result. */
export async function openQuiz(deps: SharingDeps, meta: { ip: string }, token: string): Promise<PublicQuiz> {
  return asSystem(deps.db, async (tx) => {
    await throttle(
      tx,
      `shared-view-ip:${meta.ip}`,
      SHARING_LIMITS.viewsPerIp,
      "Too many shared links opened. Please wait a little.",
    );
    const hash = hashToken(token);
    const row = await repo.openQuizByToken(tx, hash);
    if (!row) goneQuiz(await repo.findQuizByToken(tx, hash));
    const content = quizContentSchema.parse(row.quiz);
    return { title: row.title, topic: row.topic, questions: publicQuestions(content), expiresAt: row.expires_at };
  });
}

function correctAnswerOf(q: QuizQuestion): string {
  if (q.kind === "multiple_choice") return q.choices[q.answerIndex] ?? "";
  if (q.kind === "true_false") return q.answer ? "True" : "False";
  return q.expected;
}

/**
 * Scores an anonymous attempt. Multiple choice and true/false by the quiz module's pure scorer; short
 * answers by its grader, paid by the sharer, within the link's daily grading allowance.
 */
/** The attempt row's id for a taker's attempt key on a link (the same retry lands on the same row). */
function attemptIdOf(sharedQuizId: string, attemptKey: string): string {
  const h = createHash("sha256").update(`${sharedQuizId}:${attemptKey}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function submitQuiz(deps: GradeDeps, meta: { ip: string }, input: SubmitSharedQuizInput): Promise<SharedQuizResult> {
  const hash = hashToken(input.token);
  const byId = new Map(input.answers.map((a) => [a.questionId, a]));
  const attemptKey = input.attemptKey?.trim() || null;
  // 1. The link, the limits, and how many short answers the link may still have graded today.
  const opened = await asSystem(deps.db, async (tx) => {
    await throttle(
      tx,
      `shared-submit-ip:${meta.ip}`,
      SHARING_LIMITS.submitsPerIp,
      "Too many answers sent from here. Please wait a little.",
    );
    const row = await repo.findLiveQuizByToken(tx, hash);
    if (!row) goneQuiz(await repo.findQuizByToken(tx, hash));
    // A retry of an attempt already recorded: its stored result, with nothing graded or counted again.
    const attemptId = attemptKey ? attemptIdOf(row.id, attemptKey) : null;
    const stored = attemptId ? await repo.findAttempt(tx, row.id, attemptId) : undefined;
    const replay = (stored?.summary as { result?: SharedQuizResult } | undefined)?.result;
    if (replay) return { replay } as const;
    await throttle(
      tx,
      `shared-submit-link:${row.id}`,
      SHARING_LIMITS.submitsPerLink,
      "This quiz has had too many attempts today. Try again tomorrow.",
    );
    const content = quizContentSchema.parse(row.quiz);
    const toGrade = content.questions.filter((q) => {
      const r = byId.get(q.id)?.response;
      return q.kind === "short_answer" && typeof r === "string" && r.trim() !== "";
    }).length;
    let gradable = 0;
    if (toGrade > 0) {
      const { attempts } = await repo.hitThrottle(tx, `shared-grade-link:${row.id}`, 86_400, toGrade);
      const before = attempts - toGrade;
      gradable = Math.max(0, Math.min(toGrade, SHARING_LIMITS.shortAnswerGradesPerLinkPerDay - before));
    }
    return { replay: null, row, content, gradable, attemptId };
  });
  if (opened.replay) return opened.replay;

  // 2. Scoring, with no transaction open (the grader calls the model and meters the sharer).
  const results: SharedQuizResult["questions"] = [];
  let gradable = opened.gradable;
  for (const q of opened.content.questions) {
    const answer = byId.get(q.id);
    const base = { questionId: q.id, correctAnswer: correctAnswerOf(q), explanation: q.explanation };
    if (q.kind !== "short_answer") {
      const response = answer?.response;
      const answered = q.kind === "multiple_choice" ? typeof response === "number" : typeof response === "boolean";
      const verdict = answered ? quiz.scoreObjective(q, response as never) : "incorrect";
      results.push({ ...base, verdict, feedback: answered ? null : "Not answered" });
      continue;
    }
    const response = typeof answer?.response === "string" ? answer.response.trim() : "";
    if (!response) {
      results.push({ ...base, verdict: "incorrect", feedback: "Not answered" });
      continue;
    }
    if (gradable <= 0) {
      results.push({
        ...base,
        verdict: "ungraded",
        feedback: "This link's grading allowance for today is used up: compare your answer with the model answer.",
      });
      continue;
    }
    gradable -= 1;
    try {
      const graded = await quiz.gradeShortAnswer(deps, {
        payerUserId: opened.row.user_id,
        question: q,
        response,
        ip: meta.ip,
        // A retry of the same attempt is never charged to the sharer twice.
        ...(opened.attemptId ? { idempotencyKey: `shared:${opened.attemptId}:${q.id}` } : {}),
      });
      results.push({ ...base, verdict: graded.verdict, feedback: graded.feedback, placeholder: graded.placeholder });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // The sharer's credits or the AI service: the taker still gets their other results.
      results.push({
        ...base,
        verdict: "ungraded",
        feedback: "This answer could not be graded right now: compare it with the model answer.",
      });
    }
  }
  const result = summarize(results);

  // 3. The attempt, for the sharer to see.
  await asSystem(deps.db, (tx) =>
    repo.insertAttempt(tx, {
      ...(opened.attemptId ? { id: opened.attemptId } : {}),
      sharedQuizId: opened.row.id,
      displayName: input.displayName?.trim() || null,
      summary: {
        score: result.score,
        total: result.total,
        accuracy: result.accuracy,
        counts: result.counts,
        ...(opened.attemptId ? { result } : {}),
      },
      answers: input.answers.map((a) => ({
        ...a,
        verdict: results.find((r) => r.questionId === a.questionId)?.verdict ?? "incorrect",
      })),
    }),
  );
  return result;
}

function summarize(questions: SharedQuizResult["questions"]): SharedQuizResult {
  const counts: Record<SharedVerdict, number> = { correct: 0, partial: 0, incorrect: 0, ungraded: 0 };
  for (const q of questions) counts[q.verdict] += 1;
  const score = counts.correct + counts.partial * 0.5;
  const graded = questions.length - counts.ungraded;
  return {
    questions,
    score,
    total: questions.length,
    accuracy: graded === 0 ? 0 : Math.round((score / graded) * 1000) / 10,
    counts,
  };
}

// ——— Materials ———

function toShare(row: repo.MaterialShareRow, emails: Map<string, string> = new Map()): MaterialShare {
  return {
    id: row.id,
    itemId: row.material_id,
    kind: row.shared_with_user_id ? "user" : "link",
    recipientEmail: row.shared_with_user_id ? (emails.get(row.shared_with_user_id) ?? null) : null,
    allowResharing: row.allow_resharing,
    accessCount: row.access_count,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    status: statusOf(row),
    createdAt: row.created_at,
  };
}

/** One `share` notice per (sharer, material) in a recipient's bell, however often it is shared again. */
const shareNoticeKey = (itemId: string) => `share:${itemId}`;

/** The item the caller may share: their own, or one shared with them that allows re-sharing. */
async function shareable(tx: Tx, itemId: string) {
  const own = await library.getOwned(tx, itemId);
  if (own) return own;
  const incoming = await repo.findIncomingShare(tx, itemId);
  const item = incoming ? await library.get(tx, itemId) : null;
  if (!incoming || !item) throw notFound("Material");
  if (!incoming.allow_resharing) {
    throw new DomainError("FORBIDDEN", "The person who shared this with you didn't allow re-sharing it.");
  }
  return item;
}

/**
 * Shares a material with the account behind an e-mail address; the recipient gets one `share`
 * notification per (sharer, material) however often it is shared again. The address is looked up by the
 * system role (the caller cannot read other accounts), limited per sharer, before the caller's own
 * transaction opens.
 */
export async function shareWithUser(
  deps: SharingDeps,
  userId: string,
  input: ShareMaterialWithUserInput,
): Promise<MaterialShare> {
  const { recipient, sender } = await asSystem(deps.db, async (tx) => {
    await throttle(
      tx,
      `share-email:${userId}`,
      SHARING_LIMITS.sharesByEmailPerUser,
      "You've shared a lot in the last hour. Please wait a little.",
    );
    return { recipient: await repo.findUserByEmail(tx, input.email), sender: await repo.senderName(tx, userId) };
  });
  return asUser(deps.db, userId, async (tx) => {
    const item = await shareable(tx, input.itemId);
    if (!recipient) throw new DomainError("NOT_FOUND", "No Inkwell account uses that e-mail address.", { field: "email" });
    if (recipient.id === userId) throw new DomainError("INVALID_INPUT", "That's your own address.", { field: "email" });
    if (recipient.id === item.userId)
      throw new DomainError("INVALID_INPUT", "That person owns this material.", { field: "email" });
    const expiresAt = expiryDate(input.expiresIn);
    let row = await repo.insertUserShare(tx, {
      itemId: item.id,
      userId,
      recipientId: recipient.id,
      allowResharing: input.allowResharing,
      expiresAt,
    });
    // A new share (the first, or after one that was revoked or ran out) is news again: the earlier notice
    // is taken back so the one below lands unread at the top of the bell.
    if (row) await notifications.withdraw(tx, { userId: recipient.id, dedupeKey: shareNoticeKey(item.id) });
    if (!row) {
      // Already shared with them: the caller's own share is updated; someone else's stays as it is.
      const own = await repo.findOwnLiveUserShare(tx, item.id, recipient.id);
      if (!own) throw new DomainError("CONFLICT", "That person already has this material.", { field: "email" });
      row = await repo.updateShare(tx, own.id, { allowResharing: input.allowResharing, expiresAt });
    }
    await notifications.notify(tx, {
      userId: recipient.id,
      senderId: userId,
      materialId: item.id,
      type: "share",
      title: `${sender} shared "${item.title}" with you`.slice(0, 200),
      message: `Open it from the bell or from Shared with me.${expiresAt ? ` Available until ${expiresAt.toISOString().slice(0, 10)}.` : ""}`,
      // No date of its own: the bell shows a share's notice while the share is live (it ends with the
      // share's expiry, or its chain), so a later change of the share's expiry needs no second write.
      expiresAt: null,
      dedupeKey: shareNoticeKey(item.id),
    });
    return toShare(row, new Map([[recipient.id, recipient.email]]));
  });
}

/** A public read-only link to a material (follows its edits); the full link appears only in this answer. */
export async function shareByLink(tx: Tx, userId: string, input: ShareMaterialPublicInput): Promise<CreatedMaterialLink> {
  const item = await shareable(tx, input.itemId);
  const { token, hash } = newToken();
  const row = await repo.insertLinkShare(tx, {
    itemId: item.id,
    userId,
    tokenHash: hash,
    expiresAt: expiryDate(input.expiresIn),
  });
  return { ...toShare(row), token, path: `/s/${token}` };
}

/** Ends a share the caller made; a share with a user takes its notice out of the recipient's bell too. */
export async function revokeShare(tx: Tx, shareId: string): Promise<MaterialShare> {
  const row = await repo.revokeMaterialShare(tx, shareId);
  if (!row) throw notFound("Share");
  // Unless a newer share of the caller's to them is live (this one was revoked before, and is revoked again).
  const recipientId = row.shared_with_user_id;
  if (recipientId && !(await repo.findOwnLiveUserShare(tx, row.material_id, recipientId))) {
    await notifications.withdraw(tx, { userId: recipientId, dedupeKey: shareNoticeKey(row.material_id) });
  }
  return toShare(row);
}

/** The shares the caller made of one material (recipients' e-mails read by the system role). */
export async function listShares(deps: SharingDeps, userId: string, itemId: string): Promise<MaterialShare[]> {
  const rows = await asUser(deps.db, userId, async (tx) => {
    if (!(await library.get(tx, itemId))) throw notFound("Material");
    return repo.listOwnShares(tx, itemId);
  });
  const recipients = [...new Set(rows.flatMap((r) => (r.shared_with_user_id ? [r.shared_with_user_id] : [])))];
  const emails = recipients.length ? await asSystem(deps.db, (tx) => repo.emailsOf(tx, recipients)) : [];
  const byId = new Map(emails.map((e) => [e.id, e.email]));
  return rows.map((r) => toShare(r, byId));
}

export async function sharedWithMe(tx: Tx): Promise<SharedWithMeItem[]> {
  const rows = await repo.listSharedWithMe(tx);
  return rows.map((r) => ({
    shareId: r.share_id,
    itemId: r.item_id,
    itemType: r.item_type as SharedWithMeItem["itemType"],
    title: r.title,
    topic: r.topic,
    allowResharing: r.allow_resharing,
    expiresAt: r.expires_at,
    sharedAt: r.created_at,
  }));
}

/**
 * A public material link, read-only (counts an access). With `itemId`, a token that opens a different
 * material is refused like an unknown one.
 */
export async function viewMaterial(
  deps: SharingDeps,
  meta: { ip: string },
  input: { token: string; itemId?: string | undefined },
): Promise<SharedMaterialView> {
  return asSystem(deps.db, async (tx) => {
    await throttle(
      tx,
      `shared-view-ip:${meta.ip}`,
      SHARING_LIMITS.viewsPerIp,
      "Too many shared links opened. Please wait a little.",
    );
    const row = await repo.findMaterialShareByToken(tx, hashToken(input.token));
    if (!row?.public_access_enabled || (input.itemId && row.material_id !== input.itemId)) {
      throw new DomainError("NOT_FOUND", MATERIAL_LINK_GONE.unknown);
    }
    const status = statusOf(row);
    if (status !== "active") throw new DomainError("NOT_FOUND", MATERIAL_LINK_GONE[status]);
    // A link re-shared by a recipient closes with the share it was made under.
    if (!row.chain_live) throw new DomainError("NOT_FOUND", MATERIAL_LINK_GONE.revoked);
    const item = await library.get(tx, row.material_id);
    if (!item) throw new DomainError("NOT_FOUND", MATERIAL_LINK_GONE.unknown);
    await repo.countMaterialAccess(tx, row.id);
    return { item, expiresAt: row.expires_at };
  });
}
