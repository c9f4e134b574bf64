/**
 * The SQL of campaigns, family members, stories, comments and reactions. Reads and writes run in the
 * caller's RLS transaction, so what a row query returns is already what the caller may see; the
 * `*AsSystem` functions are for the invitation link (no session yet) and the worker.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Insertable, type Selectable, sql, type Updateable } from "kysely";

export type CampaignRow = Selectable<Tables.Campaigns>;
export type MemberRow = Selectable<Tables.FamilyMembers>;
export type StoryRow = Selectable<Tables.Stories>;

// Campaigns

export function insertCampaign(
  tx: Tx,
  values: Omit<Insertable<Tables.Campaigns>, "id" | "total_prompts" | "used_prompts" | "completion_percentage">,
) {
  return tx.insertInto("campaigns").values(values).returningAll().executeTakeFirstOrThrow();
}

/** The caller's campaigns (RLS: primary owner or active member), newest activity first, with their stats. */
export function listCampaigns(tx: Tx) {
  return tx
    .selectFrom("campaigns as c")
    .innerJoin("campaign_stats as s", "s.id", "c.id")
    .selectAll("c")
    .select(["s.story_count", "s.total_words", "s.finished_count", "s.latest_story_date"])
    .orderBy("c.updated_at", "desc")
    .execute();
}

export function findCampaign(tx: Tx, campaignId: string) {
  return tx
    .selectFrom("campaigns as c")
    .innerJoin("campaign_stats as s", "s.id", "c.id")
    .selectAll("c")
    .select(["s.story_count", "s.total_words", "s.finished_count", "s.latest_story_date"])
    .where("c.id", "=", campaignId)
    .executeTakeFirst();
}

export function lockCampaign(tx: Tx, campaignId: string) {
  return tx.selectFrom("campaigns").selectAll().where("id", "=", campaignId).forUpdate().executeTakeFirst();
}

/** The caller's role in a campaign (primary owner counts as owner), or undefined for an outsider. */
export async function myRole(
  tx: Tx,
  campaignId: string,
  userId: string,
): Promise<"owner" | "contributor" | "viewer" | undefined> {
  const row = await tx
    .selectFrom("campaigns as c")
    .leftJoin("family_members as m", (j) =>
      j.onRef("m.campaign_id", "=", "c.id").on("m.user_id", "=", userId).on("m.status", "=", "active"),
    )
    .select(["c.user_id", "m.role"])
    .where("c.id", "=", campaignId)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.user_id === userId) return "owner";
  return (row.role as "owner" | "contributor" | "viewer" | null) ?? undefined;
}

/** Each listed campaign's role for the caller, in one query. */
export async function myRoles(tx: Tx, userId: string): Promise<Map<string, string>> {
  const rows = await tx
    .selectFrom("family_members")
    .select(["campaign_id", "role"])
    .where("user_id", "=", userId)
    .where("status", "=", "active")
    .execute();
  return new Map(rows.map((r) => [r.campaign_id, r.role]));
}

export async function updateCampaign(tx: Tx, campaignId: string, patch: Updateable<Tables.Campaigns>) {
  return tx.updateTable("campaigns").set(patch).where("id", "=", campaignId).returningAll().executeTakeFirst();
}

export async function deleteCampaign(tx: Tx, campaignId: string): Promise<boolean> {
  const result = await tx.deleteFrom("campaigns").where("id", "=", campaignId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function storiesByCategory(tx: Tx, campaignId: string) {
  return tx
    .selectFrom("stories")
    .select(["category", sql<number>`count(*)::int`.as("count")])
    .where("campaign_id", "=", campaignId)
    .groupBy("category")
    .orderBy(sql`count(*)`, "desc")
    .execute();
}

export function contributors(tx: Tx, campaignId: string) {
  return tx
    .selectFrom("stories")
    .select([
      "author_name as name",
      sql<number>`count(*)::int`.as("stories"),
      sql<number>`coalesce(sum(word_count), 0)::int`.as("words"),
    ])
    .where("campaign_id", "=", campaignId)
    .groupBy("author_name")
    .orderBy(sql`count(*)`, "desc")
    .execute();
}

// Family members

export function listMembers(tx: Tx, campaignId: string) {
  return tx
    .selectFrom("family_members")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("status", "<>", "inactive")
    .orderBy("invited_at")
    .execute();
}

export function findMember(tx: Tx, memberId: string) {
  return tx.selectFrom("family_members").selectAll().where("id", "=", memberId).executeTakeFirst();
}

export function findLiveMemberByEmail(tx: Tx, campaignId: string, email: string) {
  return tx
    .selectFrom("family_members")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("email", "=", email)
    .where("status", "<>", "inactive")
    .executeTakeFirst();
}

export function findMyMembership(tx: Tx, campaignId: string, userId: string) {
  return tx
    .selectFrom("family_members")
    .selectAll()
    .where("campaign_id", "=", campaignId)
    .where("user_id", "=", userId)
    .where("status", "=", "active")
    .executeTakeFirst();
}

export function insertMember(
  tx: Tx,
  values: Pick<
    Insertable<Tables.FamilyMembers>,
    "campaign_id" | "email" | "name" | "relationship" | "role" | "status" | "user_id" | "invited_by" | "joined_at"
  >,
) {
  return tx.insertInto("family_members").values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateMember(tx: Tx, memberId: string, patch: { role?: string; status?: string; name?: string | null }) {
  return tx.updateTable("family_members").set(patch).where("id", "=", memberId).returningAll().executeTakeFirst();
}

export async function deleteMember(tx: Tx, memberId: string): Promise<boolean> {
  const result = await tx.deleteFrom("family_members").where("id", "=", memberId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Other active owners of a campaign (to pass it on to), oldest first. */
export function otherActiveOwners(tx: Tx, campaignId: string, userId: string) {
  return tx
    .selectFrom("family_members")
    .select(["user_id"])
    .where("campaign_id", "=", campaignId)
    .where("role", "=", "owner")
    .where("status", "=", "active")
    .where("user_id", "is not", null)
    .where("user_id", "<>", userId)
    .orderBy("joined_at")
    .execute();
}

// Invitations (system role: the link is redeemed before the invitee has a session, or by someone who
// cannot yet see the campaign)

export async function setInviteToken(tx: Tx, memberId: string, tokenHash: Buffer, ttlSeconds: number) {
  return tx
    .updateTable("family_members")
    .set({ invite_token_hash: tokenHash, invite_expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})` })
    .where("id", "=", memberId)
    .where("status", "=", "invited")
    .returning(["id", "email", "campaign_id", "role", "invited_by", "invite_expires_at"])
    .executeTakeFirst();
}

export function findLiveInvitation(tx: Tx, tokenHash: Buffer, options: { lock?: boolean } = {}) {
  let query = tx
    .selectFrom("family_members as m")
    .innerJoin("campaigns as c", "c.id", "m.campaign_id")
    .select([
      "m.id",
      "m.campaign_id",
      "m.email",
      "m.role",
      "m.invite_expires_at",
      "m.invited_by",
      "c.title as campaign_title",
      "c.storyteller_name",
    ])
    .where("m.invite_token_hash", "=", tokenHash)
    .where("m.status", "=", "invited")
    .where("m.invite_expires_at", ">", sql<Date>`now()`);
  if (options.lock) query = query.forUpdate("m");
  return query.executeTakeFirst();
}

/**
 * Counts one invitation e-mail against the campaign's day (a window that starts with its first mail),
 * or returns undefined when the day's `limit` is used. One UPDATE, so the row lock orders two workers.
 */
export function takeInviteMail(tx: Tx, campaignId: string, limit: number) {
  const fresh = sql<boolean>`invite_mails_window_started_at > now() - interval '1 day'`;
  return tx
    .updateTable("campaigns")
    .set({
      invite_mails_window_started_at: sql<Date>`CASE WHEN ${fresh} THEN invite_mails_window_started_at ELSE now() END`,
      invite_mails_in_window: sql<number>`CASE WHEN ${fresh} THEN invite_mails_in_window + 1 ELSE 1 END`,
    })
    .where("id", "=", campaignId)
    .where((eb) => eb.or([eb.not(sql<boolean>`coalesce(${fresh}, false)`), eb("invite_mails_in_window", "<", limit)]))
    .returning(["id"])
    .executeTakeFirst();
}

export function findInvitationForMail(tx: Tx, memberId: string) {
  return tx
    .selectFrom("family_members as m")
    .innerJoin("campaigns as c", "c.id", "m.campaign_id")
    .leftJoin("profiles as p", "p.user_id", "m.invited_by")
    .leftJoin("users as u", "u.id", "m.invited_by")
    .select([
      "m.id",
      "m.campaign_id",
      "m.email",
      "m.name",
      "m.role",
      "m.status",
      "c.title",
      "c.storyteller_name",
      "p.display_name",
      "u.email as inviter_email",
    ])
    .where("m.id", "=", memberId)
    .executeTakeFirst();
}

export function activeMembershipOf(tx: Tx, campaignId: string, userId: string) {
  return tx
    .selectFrom("family_members")
    .select(["id"])
    .where("campaign_id", "=", campaignId)
    .where("user_id", "=", userId)
    .where("status", "=", "active")
    .executeTakeFirst();
}

export async function acceptInvitation(tx: Tx, memberId: string, userId: string) {
  await tx
    .updateTable("family_members")
    .set({ user_id: userId, status: "active", joined_at: sql<Date>`now()`, invite_token_hash: null, invite_expires_at: null })
    .where("id", "=", memberId)
    .execute();
}

/** An invitation whose invitee is already in the campaign (another address, or the owner): spent. */
export async function retireInvitation(tx: Tx, memberId: string) {
  await tx
    .updateTable("family_members")
    .set({ status: "inactive", invite_token_hash: null, invite_expires_at: null })
    .where("id", "=", memberId)
    .execute();
}

/** Who a member is called in stories and comments: their family name, profile name or e-mail's local part. */
export async function displayNameOf(tx: Tx, campaignId: string, userId: string, fallbackEmail: string): Promise<string> {
  const member = await tx
    .selectFrom("family_members")
    .select("name")
    .where("campaign_id", "=", campaignId)
    .where("user_id", "=", userId)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (member?.name) return member.name;
  const profile = await tx.selectFrom("profiles").select("display_name").where("user_id", "=", userId).executeTakeFirst();
  return (profile?.display_name || fallbackEmail.split("@")[0] || "A family member").slice(0, 80);
}

// Stories

/** A story as lists show it: its fields and the start of its text. */
const storySummary = [
  "id",
  "campaign_id",
  "title",
  sql<string>`left(content, 240)`.as("excerpt"),
  "category",
  "status",
  "story_order",
  "word_count",
  "author_name",
  "campaign_prompt_id",
  "updated_at",
] as const;

export function listStories(tx: Tx, campaignId: string, filter: { query?: string; category?: string }) {
  let query = tx.selectFrom("stories").select(storySummary).where("campaign_id", "=", campaignId);
  if (filter.category) query = query.where("category", "=", filter.category);
  if (filter.query) {
    const tsquery = sql`websearch_to_tsquery('english', ${filter.query})`;
    query = query.where(sql<boolean>`search @@ ${tsquery}`).orderBy(sql`ts_rank_cd(search, ${tsquery})`, "desc");
  }
  return query.orderBy("story_order").orderBy("created_at").limit(500).execute();
}

export function recentStories(tx: Tx, campaignId: string, limit: number) {
  return tx
    .selectFrom("stories")
    .select(storySummary)
    .where("campaign_id", "=", campaignId)
    .orderBy("updated_at", "desc")
    .limit(limit)
    .execute();
}

export function findStory(tx: Tx, storyId: string) {
  return tx
    .selectFrom("stories as s")
    .leftJoin("campaign_prompts as p", "p.id", "s.campaign_prompt_id")
    .selectAll("s")
    .select("p.question")
    .where("s.id", "=", storyId)
    .executeTakeFirst();
}

export async function nextStoryOrder(tx: Tx, campaignId: string): Promise<number> {
  const row = await tx
    .selectFrom("stories")
    .select(sql<number>`coalesce(max(story_order) + 1, 0)::int`.as("next"))
    .where("campaign_id", "=", campaignId)
    .executeTakeFirstOrThrow();
  return row.next;
}

export function insertStory(
  tx: Tx,
  values: Pick<
    Insertable<Tables.Stories>,
    "campaign_id" | "user_id" | "author_name" | "title" | "content" | "category" | "status" | "story_order" | "campaign_prompt_id"
  >,
) {
  return tx.insertInto("stories").values(values).returning(["id", "word_count"]).executeTakeFirstOrThrow();
}

export function updateStory(
  tx: Tx,
  storyId: string,
  patch: Pick<Updateable<Tables.Stories>, "title" | "content" | "category" | "status" | "story_order">,
) {
  return tx.updateTable("stories").set(patch).where("id", "=", storyId).returning(["id"]).executeTakeFirst();
}

export async function deleteStory(tx: Tx, storyId: string): Promise<boolean> {
  const result = await tx.deleteFrom("stories").where("id", "=", storyId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

// Comments and reactions

export function listComments(tx: Tx, storyId: string) {
  return tx
    .selectFrom("story_comments")
    .select(["id", "user_id", "author_name", "body", "created_at"])
    .where("story_id", "=", storyId)
    .orderBy("created_at")
    .execute();
}

export function insertComment(
  tx: Tx,
  values: Pick<Insertable<Tables.StoryComments>, "story_id" | "campaign_id" | "user_id" | "author_name" | "body">,
) {
  return tx.insertInto("story_comments").values(values).returning(["id", "created_at"]).executeTakeFirstOrThrow();
}

export async function deleteComment(tx: Tx, commentId: string): Promise<boolean> {
  const result = await tx.deleteFrom("story_comments").where("id", "=", commentId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function reactionCounts(tx: Tx, storyId: string, userId: string) {
  return tx
    .selectFrom("story_reactions")
    .select(["reaction", sql<number>`count(*)::int`.as("count"), sql<boolean>`bool_or(user_id = ${userId})`.as("mine")])
    .where("story_id", "=", storyId)
    .groupBy("reaction")
    .execute();
}

export async function addReaction(
  tx: Tx,
  values: Pick<Insertable<Tables.StoryReactions>, "story_id" | "campaign_id" | "user_id" | "reaction">,
) {
  await tx
    .insertInto("story_reactions")
    .values(values)
    .onConflict((oc) => oc.columns(["story_id", "user_id", "reaction"]).doNothing())
    .execute();
}

export async function removeReaction(tx: Tx, storyId: string, userId: string, reaction: string) {
  await tx
    .deleteFrom("story_reactions")
    .where("story_id", "=", storyId)
    .where("user_id", "=", userId)
    .where("reaction", "=", reaction)
    .execute();
}
