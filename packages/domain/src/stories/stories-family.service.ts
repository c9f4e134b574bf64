/**
 * The family around a campaign: invitations by e-mail (a single-use link that expires; the invitee may
 * create an account on the way), roles, leaving and removing. The owner role is never orphaned: the
 * campaign's primary owner (`campaigns.user_id`) is always an active owner (a trigger refuses anything
 * else), and leaving passes the campaign on to another active owner first, or is refused.
 */
import { asSystem, type Database, type SessionAuth, type Tx } from "@inkwell/db";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Mailer } from "../platform/mail.ts";
import { hashToken, newToken } from "../platform/tokens.ts";
import { sendInviteJob } from "./stories.jobs.ts";
import { invitationMail } from "./stories.mail.ts";
import * as repo from "./stories.repository.ts";
import type { FamilyMember, Invitation, InviteInput, MemberRole } from "./stories.schemas.ts";
import { configOf, requireRole, type StoriesConfig, type StoriesDeps } from "./stories.service.ts";

type MemberRow = repo.MemberRow;

function toMember(row: MemberRow, primaryOwnerId: string, userId: string): FamilyMember {
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    relationship: row.relationship,
    role: row.role as MemberRole,
    status: row.status as FamilyMember["status"],
    invitedAt: row.invited_at,
    joinedAt: row.joined_at,
    inviteExpiresAt: row.invite_expires_at,
    isPrimaryOwner: row.user_id === primaryOwnerId,
    isMe: row.user_id === userId,
  };
}

/** Owners see everyone invited or active; other members see their own row (the seed's policy). */
export async function listMembers(tx: Tx, userId: string, campaignId: string): Promise<FamilyMember[]> {
  const campaign = await repo.findCampaign(tx, campaignId);
  if (!campaign) throw notFound("Campaign");
  return (await repo.listMembers(tx, campaignId)).map((row) => toMember(row, campaign.user_id, userId));
}

/**
 * Invites an address (or re-sends a pending invitation with a fresh link). The worker makes the link
 * and mails it; the row exists from now on, as `invited`, which grants nothing until accepted.
 */
export async function invite(deps: StoriesDeps, tx: Tx, auth: SessionAuth, input: InviteInput): Promise<FamilyMember> {
  await requireRole(tx, input.campaignId, auth.userId, ["owner"], "invite family members");
  const campaign = await repo.findCampaign(tx, input.campaignId);
  if (!campaign) throw notFound("Campaign");
  // The worker enforces the day's bound (it counts what it mails); this says so before queueing more.
  const windowStart = campaign.invite_mails_window_started_at;
  if (
    windowStart &&
    windowStart.getTime() > Date.now() - 86_400_000 &&
    campaign.invite_mails_in_window >= configOf(deps).maxInviteMailsPerDay
  ) {
    throw new DomainError("RATE_LIMITED", "This campaign has sent today's invitations. Try again tomorrow.", {
      retryAfterSeconds: Math.max(1, Math.ceil((windowStart.getTime() + 86_400_000 - Date.now()) / 1000)),
    });
  }
  let row = await repo.findLiveMemberByEmail(tx, input.campaignId, input.email);
  if (row?.status === "active") {
    throw new DomainError("CONFLICT", `${input.email} is already in this family.`, { field: "email" });
  }
  if (row) {
    row = (await repo.updateMember(tx, row.id, { role: input.role, ...(input.name ? { name: input.name } : {}) })) ?? row;
  } else {
    row = await repo.insertMember(tx, {
      campaign_id: input.campaignId,
      user_id: null,
      email: input.email,
      name: input.name ?? null,
      relationship: input.relationship ?? null,
      role: input.role,
      status: "invited",
      invited_by: auth.userId,
      joined_at: null,
    });
  }
  await deps.enqueue(tx, sendInviteJob, { memberId: row.id, appUrl: deps.appUrl, ttlSeconds: configOf(deps).inviteTtlSeconds });
  return toMember(row, campaign.user_id, auth.userId);
}

export async function changeRole(tx: Tx, userId: string, input: { memberId: string; role: MemberRole }): Promise<FamilyMember> {
  const member = await repo.findMember(tx, input.memberId);
  if (!member || member.status === "inactive") throw notFound("Family member");
  await requireRole(tx, member.campaign_id, userId, ["owner"], "change roles");
  const campaign = await repo.findCampaign(tx, member.campaign_id);
  if (!campaign) throw notFound("Campaign");
  if (member.user_id === campaign.user_id && input.role !== "owner") {
    throw new DomainError(
      "PRECONDITION_FAILED",
      "The campaign's main owner stays an owner. Make someone else an owner, and let them take over.",
    );
  }
  const updated = await repo.updateMember(tx, input.memberId, { role: input.role });
  if (!updated) throw notFound("Family member");
  return toMember(updated, campaign.user_id, userId);
}

/** An owner removes someone (an invitation is withdrawn: its link stops working at once). */
export async function remove(tx: Tx, userId: string, memberId: string) {
  const member = await repo.findMember(tx, memberId);
  if (!member || member.status === "inactive") throw notFound("Family member");
  await requireRole(tx, member.campaign_id, userId, ["owner"], "remove family members");
  const campaign = await repo.findCampaign(tx, member.campaign_id);
  if (member.user_id && member.user_id === campaign?.user_id) {
    throw new DomainError("PRECONDITION_FAILED", "The campaign's main owner cannot be removed.");
  }
  if (member.status === "invited") await repo.deleteMember(tx, memberId);
  else await repo.updateMember(tx, memberId, { status: "inactive" });
}

/**
 * Leaves a campaign. The primary owner passes it to the longest-standing other active owner first;
 * with none, leaving is refused (the family would have nobody to run it).
 */
export async function leave(tx: Tx, userId: string, campaignId: string) {
  const membership = await repo.findMyMembership(tx, campaignId, userId);
  const campaign = await repo.findCampaign(tx, campaignId);
  if (!membership || !campaign) throw notFound("Campaign");
  // Only the primary owner locks the campaign (passing it on); a contributor may not lock what they cannot change.
  if (campaign.user_id === userId && (await repo.lockCampaign(tx, campaignId))) {
    const [heir] = await repo.otherActiveOwners(tx, campaignId, userId);
    if (!heir?.user_id) {
      throw new DomainError(
        "PRECONDITION_FAILED",
        "You are this campaign's only owner. Make another family member an owner before you leave, or delete the campaign.",
      );
    }
    await repo.updateCampaign(tx, campaignId, { user_id: heir.user_id });
  }
  await repo.updateMember(tx, membership.id, { status: "inactive" });
}

// The invitation link (no session needed to look at it; accepting needs one)

const INVITE_INVALID = "This invitation link is invalid, used or expired. Ask the family to invite you again.";

export async function invitation(db: Database, token: string): Promise<Invitation> {
  const row = await asSystem(db, (tx) => repo.findLiveInvitation(tx, hashToken(token)));
  if (!row?.invite_expires_at) throw new DomainError("TOKEN_INVALID", INVITE_INVALID);
  return {
    campaignTitle: row.campaign_title,
    storytellerName: row.storyteller_name,
    email: row.email,
    role: row.role as MemberRole,
    expiresAt: row.invite_expires_at,
  };
}

/**
 * Redeems the link for the signed-in account: the invitation becomes its active membership and the link
 * is spent. The link is the authority (it went to the invited address), so the account's own e-mail may
 * differ. Someone already in the campaign keeps their place; the invitation is just spent.
 */
export async function accept(db: Database, auth: SessionAuth, token: string): Promise<{ campaignId: string }> {
  return asSystem(db, async (tx) => {
    const row = await repo.findLiveInvitation(tx, hashToken(token), { lock: true });
    if (!row) throw new DomainError("TOKEN_INVALID", INVITE_INVALID);
    if (await repo.activeMembershipOf(tx, row.campaign_id, auth.userId)) await repo.retireInvitation(tx, row.id);
    else await repo.acceptInvitation(tx, row.id, auth.userId);
    return { campaignId: row.campaign_id };
  });
}

/** The worker: a fresh link for a pending invitation, committed before the mail leaves. */
export async function mailInvitation(
  deps: { db: Database; mailer: Mailer; config?: StoriesConfig },
  input: { memberId: string; appUrl: string; ttlSeconds: number },
): Promise<boolean> {
  const mail = await asSystem(deps.db, async (tx) => {
    const row = await repo.findInvitationForMail(tx, input.memberId);
    if (row?.status !== "invited") return undefined;
    if (!(await repo.takeInviteMail(tx, row.campaign_id, configOf(deps).maxInviteMailsPerDay))) return undefined;
    const { token, hash } = newToken();
    if (!(await repo.setInviteToken(tx, row.id, hash, input.ttlSeconds))) return undefined;
    return invitationMail({
      to: row.email,
      inviter: row.display_name || row.inviter_email || "Your family",
      campaignTitle: row.title,
      storytellerName: row.storyteller_name,
      role: row.role,
      appUrl: input.appUrl,
      token,
      ttlSeconds: input.ttlSeconds,
    });
  });
  if (!mail) return false;
  await deps.mailer.send(mail);
  return true;
}
