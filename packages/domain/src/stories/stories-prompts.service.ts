/**
 * The weekly questions: the library, each campaign's queue and schedule, the worker's sending and
 * reminders, and the answer link the storyteller uses without an account.
 *
 * An answer link is a 256-bit token whose SHA-256 is stored with the campaign and the prompt it is for;
 * it is checked against both ids in the URL, its expiry, and the prompt's last revocation, and every
 * failure answers the same TOKEN_INVALID. The worker makes a fresh link per e-mail (the reminder has its
 * own, so the first one keeps working), committed before the mail leaves.
 */
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { notifications } from "../notifications/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Mailer } from "../platform/mail.ts";
import type { Enqueue } from "../platform/queue.ts";
import { hashToken, newToken } from "../platform/tokens.ts";
import { sendPromptJob } from "./stories.jobs.ts";
import { promptMail } from "./stories.mail.ts";
import * as stories from "./stories.repository.ts";
import { isValidTimeZone, nextWeeklyOccurrence } from "./stories.schedule.ts";
import type { AnswerPage, CampaignPrompt, LibraryPrompt, ScheduleInput, SubmitAnswerInput } from "./stories.schemas.ts";
import { configOf, requireRole, type StoriesConfig } from "./stories.service.ts";
import * as repo from "./stories-prompts.repository.ts";

/** The shared library of questions (no one's data; read as the system role, so anyone may see it). */
export async function library(db: Database): Promise<LibraryPrompt[]> {
  const rows = await asSystem(db, (tx) => repo.library(tx));
  return rows.map(({ id, theme, question }) => ({ id, theme, question }));
}

export async function queue(tx: Tx, userId: string, campaignId: string): Promise<CampaignPrompt[]> {
  await requireRole(tx, campaignId, userId, ["owner", "contributor", "viewer"], "see the questions");
  return (await repo.listQueue(tx, campaignId)).map((p) => ({
    id: p.id,
    question: p.question,
    theme: p.theme,
    position: p.position,
    status: p.status as CampaignPrompt["status"],
    sentAt: p.sent_at,
    reminderSentAt: p.reminder_sent_at,
    answeredAt: p.answered_at,
    linksRevokedAt: p.links_revoked_at,
    storyId: p.story_id,
  }));
}

export async function addPrompt(
  tx: Tx,
  userId: string,
  input: { campaignId: string; storyPromptId?: string; question?: string },
) {
  await requireRole(tx, input.campaignId, userId, ["owner"], "change the questions");
  let row: { story_prompt_id: string | null; theme: string; question: string };
  if (input.storyPromptId) {
    const found = await repo.findLibraryPrompt(tx, input.storyPromptId);
    if (!found) throw notFound("Question");
    row = { story_prompt_id: found.id, theme: found.theme, question: found.question };
  } else if (input.question) {
    row = { story_prompt_id: null, theme: "custom", question: input.question };
  } else {
    throw new DomainError("INVALID_INPUT", "Pick a question from the library or write one.", { field: "question" });
  }
  await repo.insertPrompts(tx, [
    { campaign_id: input.campaignId, ...row, position: await repo.nextPosition(tx, input.campaignId) },
  ]);
}

async function promptOf(tx: Tx, userId: string, promptId: string) {
  const prompt = await repo.findPrompt(tx, promptId);
  if (!prompt) throw notFound("Question");
  await requireRole(tx, prompt.campaign_id, userId, ["owner"], "change the questions");
  return prompt;
}

export async function removePrompt(tx: Tx, userId: string, promptId: string) {
  await promptOf(tx, userId, promptId);
  if (!(await repo.deleteQueuedPrompt(tx, promptId))) {
    throw new DomainError("PRECONDITION_FAILED", "This question was already sent; it stays in the campaign's history.");
  }
}

/** Swaps a queued question with its queued neighbour (the order they go out in). */
export async function movePrompt(tx: Tx, userId: string, input: { promptId: string; direction: "up" | "down" }) {
  const prompt = await promptOf(tx, userId, input.promptId);
  if (prompt.status !== "queued") throw new DomainError("PRECONDITION_FAILED", "Only questions still waiting can be moved.");
  const other = await repo.neighbour(tx, prompt.campaign_id, prompt.position, input.direction);
  if (!other) return;
  await repo.setPosition(tx, prompt.id, other.position);
  await repo.setPosition(tx, other.id, prompt.position);
}

/** Every answer link of a sent question stops working at once; sending it again makes a new one. */
export async function revokeLinks(tx: Tx, userId: string, promptId: string) {
  await promptOf(tx, userId, promptId);
  if (!(await repo.revokeLinks(tx, promptId))) throw notFound("Question");
}

export async function resend(deps: { enqueue: Enqueue }, tx: Tx, userId: string, promptId: string) {
  const prompt = await promptOf(tx, userId, promptId);
  if (prompt.status !== "sent")
    throw new DomainError("PRECONDITION_FAILED", "Only a sent, unanswered question can be sent again.");
  await deps.enqueue(tx, sendPromptJob, { promptId, kind: "prompt", manual: true });
}

export async function setSchedule(tx: Tx, userId: string, input: ScheduleInput) {
  await requireRole(tx, input.campaignId, userId, ["owner"], "set the schedule");
  const campaign = await stories.lockCampaign(tx, input.campaignId);
  if (!campaign) throw notFound("Campaign");
  const s = input.schedule;
  if (!s) {
    await stories.updateCampaign(tx, input.campaignId, {
      schedule_weekday: null,
      schedule_time: null,
      schedule_time_zone: null,
      next_prompt_at: null,
    });
    return;
  }
  if (!isValidTimeZone(s.timeZone)) {
    throw new DomainError("INVALID_INPUT", `"${s.timeZone}" is not a time zone we know (use a name such as Europe/London).`, {
      field: "timeZone",
    });
  }
  if (!campaign.storyteller_email) {
    throw new DomainError("PRECONDITION_FAILED", "Add the storyteller's e-mail address first: the questions go there.", {
      field: "storytellerEmail",
    });
  }
  await stories.updateCampaign(tx, input.campaignId, {
    schedule_weekday: s.weekday,
    schedule_time: s.time,
    schedule_time_zone: s.timeZone,
    next_prompt_at: nextWeeklyOccurrence(s, new Date()),
  });
}

/**
 * Sends the next queued question now (outside the weekly rhythm, which carries on). The owner is
 * checked as themselves; the send is the worker's own step, run as the system role because marking a
 * question sent is not something members write.
 */
export async function sendNow(deps: { db: Database; enqueue: Enqueue }, userId: string, campaignId: string) {
  const campaign = await asUser(deps.db, userId, async (tx) => {
    await requireRole(tx, campaignId, userId, ["owner"], "send questions");
    return stories.findCampaign(tx, campaignId);
  });
  if (!campaign) throw notFound("Campaign");
  // A paused (or finished) campaign sends nothing, by the weekly rhythm or by hand, until it is resumed.
  if (campaign.status !== "active") {
    throw new DomainError("PRECONDITION_FAILED", `This campaign is ${campaign.status}: make it active to send questions.`);
  }
  if (!campaign.storyteller_email) {
    throw new DomainError("PRECONDITION_FAILED", "Add the storyteller's e-mail address first: the questions go there.");
  }
  const sent = await asSystem(deps.db, (tx) => sendNext(deps, tx, campaignId, new Date(), true));
  if (!sent) throw new DomainError("PRECONDITION_FAILED", "There are no questions waiting. Add some to the queue first.");
  return { promptId: sent };
}

/** Marks the next queued question sent and enqueues its e-mail (system role, in the caller's transaction). */
async function sendNext(
  deps: { enqueue: Enqueue },
  tx: Tx,
  campaignId: string,
  now: Date,
  manual = false,
): Promise<string | undefined> {
  const next = await repo.nextQueued(tx, campaignId);
  if (!next) return undefined;
  await repo.markSent(tx, next.id);
  const campaign = await stories.findCampaign(tx, campaignId);
  if (campaign && !campaign.started_at) await stories.updateCampaign(tx, campaignId, { started_at: now });
  await deps.enqueue(tx, sendPromptJob, { promptId: next.id, kind: "prompt", manual });
  return next.id;
}

/** The worker's minute: due campaigns send their next question and move a week on; old questions get a reminder. */
export async function sendDue(deps: { db: Database; enqueue: Enqueue; config?: StoriesConfig }, now = new Date()) {
  return asSystem(deps.db, async (tx) => {
    let sent = 0;
    for (const c of await repo.claimDueCampaigns(tx, 100)) {
      const id = await sendNext(deps, tx, c.id, now);
      if (id) sent++;
      const schedule =
        c.schedule_weekday && c.schedule_time && c.schedule_time_zone
          ? { weekday: c.schedule_weekday, time: c.schedule_time, timeZone: c.schedule_time_zone }
          : null;
      // Nothing left to send: the rhythm rests until the family adds questions and sets it again.
      await repo.setNextPromptAt(tx, c.id, id && schedule ? nextWeeklyOccurrence(schedule, now) : null);
    }
    const before = new Date(now.getTime() - configOf(deps).reminderAfterSeconds * 1000);
    const reminders = await repo.claimReminders(tx, before, 100);
    for (const r of reminders) await deps.enqueue(tx, sendPromptJob, { promptId: r.id, kind: "reminder" });
    const purged = await repo.purgeExpiredLinks(tx);
    return { sent, reminders: reminders.length, purged };
  });
}

/** The worker: a fresh answer link for a sent question, committed, then the e-mail. */
export async function mailPrompt(
  deps: { db: Database; mailer: Mailer; config?: StoriesConfig },
  input: { promptId: string; kind: "prompt" | "reminder"; manual?: boolean },
): Promise<boolean> {
  const { linkTtlSeconds: ttlSeconds, maxPromptMailsPerDay } = configOf(deps);
  const mail = await asSystem(deps.db, async (tx) => {
    const row = await repo.promptForMail(tx, input.promptId);
    if (row?.status !== "sent" || !row.storyteller_email || !row.link_base_url) return undefined;
    if (input.kind === "reminder" && row.campaign_status !== "active") return undefined;
    // The owner's sends are bounded (the weekly question and its reminder, one a week, always go, so
    // none is skipped). Every e-mail makes one link, so the links made in the last day count the mails;
    // the campaign row is locked first so two jobs of one campaign never both count under the bound.
    if (input.manual) {
      await stories.lockCampaign(tx, row.campaign_id);
      if ((await repo.linksMadeSince(tx, row.campaign_id, 86_400)) >= maxPromptMailsPerDay) return undefined;
    }
    const { token, hash } = newToken();
    await repo.insertLink(tx, { promptId: row.id, campaignId: row.campaign_id, tokenHash: hash, kind: input.kind, ttlSeconds });
    return promptMail({
      to: row.storyteller_email,
      storytellerName: row.storyteller_name,
      campaignTitle: row.title,
      question: row.question,
      reminder: input.kind === "reminder",
      appUrl: row.link_base_url,
      campaignId: row.campaign_id,
      promptId: row.id,
      token,
      ttlSeconds,
    });
  });
  if (!mail) return false;
  await deps.mailer.send(mail);
  return true;
}

// The storyteller's side: no account, only the link.

const LINK_INVALID = "This link is no longer valid. Ask your family to send the question again.";

export async function answerPage(
  db: Database,
  input: { campaignId: string; promptId: string; token: string },
): Promise<AnswerPage> {
  const link = await asSystem(db, (tx) => repo.findLiveLink(tx, { ...input, tokenHash: hashToken(input.token) }));
  if (!link || link.status === "skipped") throw new DomainError("TOKEN_INVALID", LINK_INVALID);
  return {
    campaignTitle: link.title,
    storytellerName: link.storyteller_name,
    question: link.question,
    answered: link.status === "answered",
    expiresAt: link.expires_at,
  };
}

/** The answer becomes a completed story in the campaign, the question is answered, and the owner is told. */
export async function submitAnswer(db: Database, input: SubmitAnswerInput): Promise<{ storyId: string; wordCount: number }> {
  return asSystem(db, async (tx) => {
    const link = await repo.findLiveLink(tx, { ...input, tokenHash: hashToken(input.token) }, { lock: true });
    if (!link || link.status === "skipped") throw new DomainError("TOKEN_INVALID", LINK_INVALID);
    if (link.status === "answered") throw new DomainError("PRECONDITION_FAILED", "This question is already answered. Thank you!");
    const story = await stories.insertStory(tx, {
      campaign_id: link.campaign_id,
      user_id: null,
      author_name: link.storyteller_name,
      campaign_prompt_id: link.prompt_id,
      title: input.title || link.question,
      content: input.content,
      category: link.theme === "custom" ? "other" : link.theme,
      status: "completed",
      story_order: await stories.nextStoryOrder(tx, link.campaign_id),
    });
    await repo.markAnswered(tx, link.prompt_id);
    await notifications.notify(tx, {
      userId: link.owner_id,
      kind: "stories.answer",
      title: `${link.storyteller_name} answered a question`,
      body: `"${link.question}" (${story.word_count} words) is now a story in ${link.title}.`,
      dedupeKey: `stories.answer:${link.prompt_id}`,
    });
    return { storyId: story.id, wordCount: story.word_count };
  });
}
