/**
 * The SQL of the prompt library, each campaign's queue of questions, and the answer links. Queue edits
 * run as the owner (RLS); sending, links and answers run as the system role (the worker, and a
 * storyteller who has no account).
 */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";

export function library(tx: Tx) {
  return tx
    .selectFrom("story_prompts")
    .select(["id", "theme", "question", "position"])
    .orderBy("theme")
    .orderBy("position")
    .execute();
}

export function findLibraryPrompt(tx: Tx, id: string) {
  return tx.selectFrom("story_prompts").select(["id", "theme", "question"]).where("id", "=", id).executeTakeFirst();
}

export function listQueue(tx: Tx, campaignId: string) {
  return tx
    .selectFrom("campaign_prompts as p")
    .leftJoin("stories as s", "s.campaign_prompt_id", "p.id")
    .selectAll("p")
    .select("s.id as story_id")
    .where("p.campaign_id", "=", campaignId)
    .orderBy("p.position")
    .execute();
}

export function findPrompt(tx: Tx, promptId: string) {
  return tx.selectFrom("campaign_prompts").selectAll().where("id", "=", promptId).executeTakeFirst();
}

export async function nextPosition(tx: Tx, campaignId: string): Promise<number> {
  const row = await tx
    .selectFrom("campaign_prompts")
    .select(sql<number>`coalesce(max(position) + 1, 0)::int`.as("next"))
    .where("campaign_id", "=", campaignId)
    .executeTakeFirstOrThrow();
  return row.next;
}

export async function insertPrompts(
  tx: Tx,
  rows: { campaign_id: string; story_prompt_id: string | null; theme: string; question: string; position: number }[],
) {
  if (rows.length) await tx.insertInto("campaign_prompts").values(rows).execute();
}

export function nextQueued(tx: Tx, campaignId: string) {
  return tx
    .selectFrom("campaign_prompts")
    .select(["id", "question", "position"])
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "queued")
    .orderBy("position")
    .limit(1)
    .executeTakeFirst();
}

/** The queued neighbour above or below a prompt (to swap places with). */
export function neighbour(tx: Tx, campaignId: string, position: number, direction: "up" | "down") {
  return tx
    .selectFrom("campaign_prompts")
    .select(["id", "position"])
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "queued")
    .where("position", direction === "up" ? "<" : ">", position)
    .orderBy("position", direction === "up" ? "desc" : "asc")
    .limit(1)
    .executeTakeFirst();
}

export async function setPosition(tx: Tx, promptId: string, position: number) {
  await tx.updateTable("campaign_prompts").set({ position }).where("id", "=", promptId).execute();
}

export async function deleteQueuedPrompt(tx: Tx, promptId: string): Promise<boolean> {
  const result = await tx
    .deleteFrom("campaign_prompts")
    .where("id", "=", promptId)
    .where("status", "=", "queued")
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function revokeLinks(tx: Tx, promptId: string) {
  return tx
    .updateTable("campaign_prompts")
    .set({ links_revoked_at: sql<Date>`clock_timestamp()` })
    .where("id", "=", promptId)
    .returning(["id"])
    .executeTakeFirst();
}

// The worker (system role)

/** Active campaigns whose next question is due, locked so two workers never send the same one. */
export function claimDueCampaigns(tx: Tx, limit: number) {
  return tx
    .selectFrom("campaigns")
    .select(["id", "schedule_weekday", "schedule_time", "schedule_time_zone", "started_at"])
    .where("status", "=", "active")
    .where("next_prompt_at", "<=", sql<Date>`now()`)
    .orderBy("next_prompt_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markSent(tx: Tx, promptId: string) {
  await tx
    .updateTable("campaign_prompts")
    .set({ status: "sent", sent_at: sql<Date>`now()` })
    .where("id", "=", promptId)
    .where("status", "=", "queued")
    .execute();
}

export async function setNextPromptAt(tx: Tx, campaignId: string, next: Date | null, startedAt?: Date) {
  await tx
    .updateTable("campaigns")
    .set({ next_prompt_at: next, ...(startedAt ? { started_at: startedAt } : {}) })
    .where("id", "=", campaignId)
    .execute();
}

/** Questions sent before `before`, still unanswered and never reminded, in active campaigns: claimed for a reminder. */
export async function claimReminders(tx: Tx, before: Date, limit: number) {
  return tx
    .updateTable("campaign_prompts")
    .set({ reminder_sent_at: sql<Date>`now()` })
    .where("id", "in", (q) =>
      q
        .selectFrom("campaign_prompts as p")
        .innerJoin("campaigns as c", "c.id", "p.campaign_id")
        .select("p.id")
        .where("p.status", "=", "sent")
        .where("p.reminder_sent_at", "is", null)
        .where("p.sent_at", "<", before)
        .where("c.status", "=", "active")
        .limit(limit)
        .forUpdate("p")
        .skipLocked(),
    )
    .returning(["id"])
    .execute();
}

export function promptForMail(tx: Tx, promptId: string) {
  return tx
    .selectFrom("campaign_prompts as p")
    .innerJoin("campaigns as c", "c.id", "p.campaign_id")
    .select([
      "p.id",
      "p.campaign_id",
      "p.question",
      "p.status",
      "c.title",
      "c.status as campaign_status",
      "c.storyteller_name",
      "c.storyteller_email",
      "c.link_base_url",
    ])
    .where("p.id", "=", promptId)
    .executeTakeFirst();
}

export async function insertLink(
  tx: Tx,
  values: { promptId: string; campaignId: string; tokenHash: Buffer; kind: "prompt" | "reminder"; ttlSeconds: number },
) {
  return tx
    .insertInto("campaign_prompt_links")
    .values({
      campaign_prompt_id: values.promptId,
      campaign_id: values.campaignId,
      token_hash: values.tokenHash,
      kind: values.kind,
      // clock_timestamp: a link made after a revocation in the same second is still newer than it.
      expires_at: sql<Date>`clock_timestamp() + make_interval(secs => ${values.ttlSeconds})`,
      created_at: sql<Date>`clock_timestamp()`,
    })
    .returning(["expires_at"])
    .executeTakeFirstOrThrow();
}

/** Answer links (one per question e-mail) a campaign made in the last `seconds`. */
export async function linksMadeSince(tx: Tx, campaignId: string, seconds: number): Promise<number> {
  const row = await tx
    .selectFrom("campaign_prompt_links")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("campaign_id", "=", campaignId)
    .where("created_at", ">", sql<Date>`now() - make_interval(secs => ${seconds})`)
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * A link that is live for exactly this campaign and prompt: known hash, same campaign and prompt ids,
 * not expired, made after the prompt's last revocation. Anything else is undefined, alike.
 */
export function findLiveLink(
  tx: Tx,
  input: { tokenHash: Buffer; campaignId: string; promptId: string },
  options: { lock?: boolean } = {},
) {
  let query = tx
    .selectFrom("campaign_prompt_links as l")
    .innerJoin("campaign_prompts as p", "p.id", "l.campaign_prompt_id")
    .innerJoin("campaigns as c", "c.id", "p.campaign_id")
    .select([
      "l.expires_at",
      "p.id as prompt_id",
      "p.campaign_id",
      "p.question",
      "p.theme",
      "p.status",
      "c.title",
      "c.storyteller_name",
      "c.user_id as owner_id",
    ])
    .where("l.token_hash", "=", input.tokenHash)
    .where("l.campaign_id", "=", input.campaignId)
    .where("l.campaign_prompt_id", "=", input.promptId)
    .where("l.expires_at", ">", sql<Date>`now()`)
    .where((eb) => eb.or([eb("p.links_revoked_at", "is", null), eb("l.created_at", ">", eb.ref("p.links_revoked_at"))]));
  if (options.lock) query = query.forUpdate("p");
  return query.executeTakeFirst();
}

export async function markAnswered(tx: Tx, promptId: string) {
  await tx
    .updateTable("campaign_prompts")
    .set({ status: "answered", answered_at: sql<Date>`now()` })
    .where("id", "=", promptId)
    .execute();
}

export async function purgeExpiredLinks(tx: Tx): Promise<number> {
  const result = await tx
    .deleteFrom("campaign_prompt_links")
    .where("expires_at", "<", sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
