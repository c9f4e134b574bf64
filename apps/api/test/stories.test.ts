/**
 * Stories on a real Postgres: the role matrix (owner / contributor / viewer / invited / outsider × every
 * campaign, family, prompt, story and comment procedure), the policies themselves (bypassing the service),
 * the owner never orphaned, and the two e-mailed links — the invitation and the weekly question — sent by
 * the real jobs through pg-boss to a local SMTP server and answered through their links.
 *
 * One file (one worker for the stories queues, one SMTP server): a second file working the same queues
 * could take this file's jobs and mail them to its own server.
 */
import { asUser } from "@inkwell/db";
import { handlersFor, runJob } from "@inkwell/domain/jobs/handlers";
import { createBoss, createSmtpMailer, registerJobs } from "@inkwell/domain/platform";
import { type LocalSmtpServer, startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { sendDuePromptsJob, sendInviteJob, sendPromptJob } from "@inkwell/domain/stories";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
let smtp: LocalSmtpServer;
let stopWorker: () => Promise<void>;
const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

beforeAll(async () => {
  h = await startHarness();
  smtp = await startLocalSmtpServer();
  const boss = createBoss(inject("databaseUrl"), { supervise: false, schedule: false, max: 2 });
  await boss.start();
  const mailer = createSmtpMailer({ url: smtp.url, from: "Inkwell <no-reply@inkwell.test>" });
  await registerJobs(
    boss,
    handlersFor([sendInviteJob, sendPromptJob]),
    { db: h.db, mailer, log },
    { pollingIntervalSeconds: 0.5 },
  );
  stopWorker = async () => {
    await boss.stop({ graceful: false });
    mailer.close();
  };
});
afterAll(async () => {
  await stopWorker();
  await smtp.stop();
  await h.stop();
});

type User = Awaited<ReturnType<Harness["signUp"]>>;

function tokenIn(text: string, pattern: RegExp): string {
  const token = pattern.exec(text)?.[1];
  if (!token) throw new Error(`no link in mail:\n${text}`);
  return token;
}

async function inviteToken(email: string, nth = 0) {
  const mails = () => smtp.messages.filter((m) => m.to.includes(email) && m.text.includes("/invite?token="));
  await smtp.waitFor(() => mails().length > nth, 15_000);
  return tokenIn(mails()[nth]!.text, /\/invite\?token=([A-Za-z0-9_-]+)/);
}

async function join(owner: User, campaignId: string, member: User, role: "owner" | "contributor" | "viewer") {
  await owner.caller.stories.family.invite({ campaignId, email: member.email, role });
  await member.caller.stories.family.accept({ token: await inviteToken(member.email) });
}

async function newCampaign(owner: User, storytellerEmail?: string) {
  return owner.caller.stories.campaigns.create({
    title: "Dad's life",
    storytellerName: "Dad",
    storytellerEmail: storytellerEmail ?? "",
    relationshipType: "parent",
    goalStories: 4,
    themes: ["childhood", "career"],
  });
}

describe("the role matrix", () => {
  let owner: User;
  let contributor: User;
  let viewer: User;
  let invited: User;
  let outsider: User;
  let campaignId: string;
  let storyId: string;
  let ownerCommentId: string;
  let queuedPromptId: string;
  let viewerMemberId: string;

  beforeAll(async () => {
    [owner, contributor, viewer, invited, outsider] = (await Promise.all(
      ["owner", "contributor", "viewer", "invited", "outsider"].map((tag) => h.signUp(tag)),
    )) as [User, User, User, User, User];
    campaignId = (await newCampaign(owner, h.uniqueEmail("dad"))).id;
    await join(owner, campaignId, contributor, "contributor");
    await join(owner, campaignId, viewer, "viewer");
    // Invited, never accepted: grants nothing.
    await owner.caller.stories.family.invite({ campaignId, email: invited.email, role: "contributor" });
    storyId = (await owner.caller.stories.create({ campaignId, title: "The farm", content: "We had cows.", status: "completed" }))
      .id;
    ownerCommentId = (await owner.caller.stories.addComment({ storyId, body: "I remember!" })).id;
    queuedPromptId = (await owner.caller.stories.prompts.list({ campaignId })).find((p) => p.status === "queued")!.id;
    viewerMemberId = (await owner.caller.stories.family.list({ campaignId })).find((m) => m.email === viewer.email)!.id;
  });

  type Actor = "owner" | "contributor" | "viewer" | "invited" | "outsider";
  type Outcome = "ok" | "FORBIDDEN" | "NOT_FOUND";
  const as = (actor: Actor) => ({ owner, contributor, viewer, invited, outsider })[actor].caller;
  const cases: [string, (actor: Actor) => Promise<unknown>, Record<Actor, Outcome>][] = [];
  const readers = { owner: "ok", contributor: "ok", viewer: "ok", invited: "NOT_FOUND", outsider: "NOT_FOUND" } as const;
  const writers = { ...readers, viewer: "FORBIDDEN" } as const;
  const owners = { ...writers, contributor: "FORBIDDEN" } as const;
  // Non-owners see only their own family row (the seed's policy): the viewer's row is NOT_FOUND to the
  // contributor, and the viewer may see but not change their own role.
  const viewersRow = { ...owners, contributor: "NOT_FOUND" } as const;
  cases.push(
    ["campaigns.get", (a) => as(a).stories.campaigns.get({ campaignId }), readers],
    ["campaigns.dashboard", (a) => as(a).stories.campaigns.dashboard({ campaignId }), readers],
    ["campaigns.update", (a) => as(a).stories.campaigns.update({ campaignId, description: `by ${a}` }), owners],
    ["family.list", (a) => as(a).stories.family.list({ campaignId }), readers],
    [
      "family.invite",
      (a) => as(a).stories.family.invite({ campaignId, email: `friend-of-${a}-${Date.now()}@example.test` }),
      owners,
    ],
    ["family.changeRole", (a) => as(a).stories.family.changeRole({ memberId: viewerMemberId, role: "viewer" }), viewersRow],
    ["prompts.list", (a) => as(a).stories.prompts.list({ campaignId }), readers],
    ["prompts.add", (a) => as(a).stories.prompts.add({ campaignId, question: `A question from the ${a}?` }), owners],
    ["prompts.move", (a) => as(a).stories.prompts.move({ promptId: queuedPromptId, direction: "down" }), owners],
    ["prompts.revoke", (a) => as(a).stories.prompts.revoke({ promptId: queuedPromptId }), owners],
    [
      "prompts.setSchedule",
      (a) =>
        as(a).stories.prompts.setSchedule({ campaignId, schedule: { weekday: 7, time: "09:00", timeZone: "Europe/London" } }),
      owners,
    ],
    ["stories.list", (a) => as(a).stories.list({ campaignId, query: "cows" }), readers],
    ["stories.get", (a) => as(a).stories.get({ storyId }), readers],
    ["stories.create", (a) => as(a).stories.create({ campaignId, title: `By the ${a}` }), writers],
    ["stories.update", (a) => as(a).stories.update({ storyId, content: `We had cows, says the ${a}.` }), writers],
    ["stories.addComment", (a) => as(a).stories.addComment({ storyId, body: `Lovely, says the ${a}` }), readers],
    ["stories.react", (a) => as(a).stories.react({ storyId, reaction: "heart", on: true }), readers],
  );

  for (const [name, call, expected] of cases) {
    it(`${name}: ${Object.entries(expected)
      .map(([a, o]) => `${a} ${o}`)
      .join(", ")}`, async () => {
      for (const actor of ["outsider", "invited", "viewer", "contributor", "owner"] as const) {
        const outcome = expected[actor];
        if (outcome === "ok") await call(actor);
        else
          await expectTrpcError(call(actor), outcome).catch((e) => {
            throw new Error(`${name} as ${actor}: ${(e as Error).message}`);
          });
      }
    });
  }

  it("lists the campaign to its active members only", async () => {
    for (const actor of ["owner", "contributor", "viewer"] as const) {
      expect((await as(actor).stories.campaigns.list()).map((c) => c.id)).toContain(campaignId);
    }
    for (const actor of ["invited", "outsider"] as const) {
      expect((await as(actor).stories.campaigns.list()).map((c) => c.id)).not.toContain(campaignId);
    }
  });

  it("deletes: a comment by its author or an owner, a story by an owner or its contributor-author, the campaign by an owner", async () => {
    for (const actor of ["outsider", "invited", "viewer", "contributor"] as const) {
      await expectTrpcError(as(actor).stories.deleteComment({ commentId: ownerCommentId }), "NOT_FOUND");
    }
    const viewersOwn = await viewer.caller.stories.addComment({ storyId, body: "Mine to delete" });
    await viewer.caller.stories.deleteComment({ commentId: viewersOwn.id });
    await owner.caller.stories.deleteComment({ commentId: ownerCommentId });

    await expectTrpcError(contributor.caller.stories.delete({ storyId }), "FORBIDDEN");
    await expectTrpcError(viewer.caller.stories.delete({ storyId }), "FORBIDDEN");
    for (const actor of ["outsider", "invited"] as const)
      await expectTrpcError(as(actor).stories.delete({ storyId }), "NOT_FOUND");
    const own = await contributor.caller.stories.create({ campaignId, title: "Mine" });
    await contributor.caller.stories.delete({ storyId: own.id });

    for (const actor of ["contributor", "viewer"] as const) {
      await expectTrpcError(as(actor).stories.campaigns.delete({ campaignId }), "FORBIDDEN");
    }
    for (const actor of ["outsider", "invited"] as const) {
      await expectTrpcError(as(actor).stories.campaigns.delete({ campaignId }), "NOT_FOUND");
    }
  });

  it("is enforced by the policies themselves, not only by the service's checks", async () => {
    const viewerId = viewer.me.id;
    await expect(
      asUser(h.db, viewerId, (tx) =>
        tx
          .insertInto("stories")
          .values({ campaign_id: campaignId, user_id: viewerId, author_name: "V", title: "Sneaky" })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await asUser(h.db, contributor.me.id, (tx) =>
      tx.updateTable("campaigns").set({ title: "Taken" }).where("id", "=", campaignId).executeTakeFirst(),
    );
    expect(updated.numUpdatedRows).toBe(0n);
    for (const who of [invited.me.id, outsider.me.id]) {
      const seen = await asUser(h.db, who, async (tx) => ({
        campaigns: await tx.selectFrom("campaigns").select("id").where("id", "=", campaignId).execute(),
        stories: await tx.selectFrom("stories").select("id").where("campaign_id", "=", campaignId).execute(),
        prompts: await tx.selectFrom("campaign_prompts").select("id").where("campaign_id", "=", campaignId).execute(),
        stats: await tx.selectFrom("campaign_stats").select("id").where("id", "=", campaignId).execute(),
      }));
      expect(seen).toEqual({ campaigns: [], stories: [], prompts: [], stats: [] });
    }
    // A member may only make their own row inactive, never promote it.
    const promoted = await asUser(h.db, viewerId, (tx) =>
      tx.updateTable("family_members").set({ role: "owner" }).where("user_id", "=", viewerId).execute(),
    ).catch((e: Error) => e);
    expect(String(promoted)).toMatch(/row-level security/);
  });
});

describe("owners", () => {
  it("are never orphaned: the only owner cannot leave or step down; leaving passes the campaign on", async () => {
    const [a, b] = [await h.signUp("first-owner"), await h.signUp("second-owner")];
    const { id: campaignId } = await newCampaign(a);
    await expectTrpcError(a.caller.stories.family.leave({ campaignId }), "PRECONDITION_FAILED");
    const mine = (await a.caller.stories.family.list({ campaignId })).find((m) => m.isMe)!;
    await expectTrpcError(a.caller.stories.family.changeRole({ memberId: mine.id, role: "viewer" }), "PRECONDITION_FAILED");
    // The database refuses it too, whoever asks.
    await expect(
      asUser(h.db, a.me.id, (tx) => tx.updateTable("family_members").set({ role: "viewer" }).where("id", "=", mine.id).execute()),
    ).rejects.toThrow(/primary owner/);

    await join(a, campaignId, b, "owner");
    // A co-owner cannot make themselves the primary owner: only the primary owner passes it on.
    await expect(
      asUser(h.db, b.me.id, (tx) => tx.updateTable("campaigns").set({ user_id: b.me.id }).where("id", "=", campaignId).execute()),
    ).rejects.toThrow(/primary owner/);
    await a.caller.stories.family.leave({ campaignId });
    const taken = await b.caller.stories.campaigns.get({ campaignId });
    expect(taken).toMatchObject({ myRole: "owner", isPrimaryOwner: true });
    await expectTrpcError(a.caller.stories.campaigns.get({ campaignId }), "NOT_FOUND");
  });

  it("cannot bring back someone who left or was removed: only accepting an invitation makes a member active", async () => {
    const [a, b] = [await h.signUp("owner"), await h.signUp("leaver")];
    const { id: campaignId } = await newCampaign(a);
    await join(a, campaignId, b, "contributor");
    await b.caller.stories.family.leave({ campaignId });
    const reinstated = await asUser(h.db, a.me.id, (tx) =>
      tx
        .updateTable("family_members")
        .set({ status: "active", role: "owner" })
        .where("campaign_id", "=", campaignId)
        .where("user_id", "=", b.me.id)
        .execute(),
    ).catch((e: Error) => e);
    expect(String(reinstated)).toMatch(/accepting an invitation/);
    await expectTrpcError(b.caller.stories.campaigns.get({ campaignId }), "NOT_FOUND");
  });
});

describe("the invitation link", () => {
  it("lets an invitee without an account sign up through it and land in the campaign, once", async () => {
    const owner = await h.signUp("inviter");
    const { id: campaignId } = await newCampaign(owner);
    const email = h.uniqueEmail("newcomer");
    await owner.caller.stories.family.invite({ campaignId, email, name: "Cousin Ann", role: "contributor" });
    const token = await inviteToken(email);
    const mail = smtp.messages.find((m) => m.to.includes(email))!;
    expect(mail.text).toContain("Dad's life");

    expect(await h.anon().stories.family.invitation({ token })).toMatchObject({
      campaignTitle: "Dad's life",
      email,
      role: "contributor",
    });
    const password = "a long enough passphrase 42";
    await h.anon().auth.signUp({ email, password, displayName: "Ann" });
    const { token: session } = await h.anon().auth.signIn({ email, password, delivery: "bearer" });
    const ann = h.as(session!);
    expect(await ann.stories.family.accept({ token })).toEqual({ campaignId });
    expect((await ann.stories.campaigns.list()).map((c) => [c.id, c.myRole])).toEqual([[campaignId, "contributor"]]);
    await ann.stories.create({ campaignId, title: "Ann's story" });

    // Single use, and worthless to anyone else afterwards.
    const other = await h.signUp("link-finder");
    await expectTrpcError(other.caller.stories.family.accept({ token }), "BAD_REQUEST");
    await expectTrpcError(h.anon().stories.family.invitation({ token }), "BAD_REQUEST");
  });

  it("expires, and stops working when the invitation is withdrawn", async () => {
    const owner = await h.signUp("inviter");
    const { id: campaignId } = await newCampaign(owner);
    const [late, withdrawn] = [await h.signUp("late"), await h.signUp("withdrawn")];
    await owner.caller.stories.family.invite({ campaignId, email: late.email });
    const lateToken = await inviteToken(late.email);
    await h.raw(sql`UPDATE family_members SET invite_expires_at = now() - interval '1 second' WHERE email = ${late.email}`);
    await expectTrpcError(late.caller.stories.family.accept({ token: lateToken }), "BAD_REQUEST");

    const member = await owner.caller.stories.family.invite({ campaignId, email: withdrawn.email });
    const withdrawnToken = await inviteToken(withdrawn.email);
    await owner.caller.stories.family.remove({ memberId: member.id });
    await expectTrpcError(withdrawn.caller.stories.family.accept({ token: withdrawnToken }), "BAD_REQUEST");
    expect(await withdrawn.caller.stories.campaigns.list()).toEqual([]);
  });
});

describe("invitation e-mails", () => {
  it("go out at most twenty a day per campaign, re-sends included, and the owner is told once the day's are used", async () => {
    // Invited addresses are whatever the owner typed: unbounded invites would make us a spam relay.
    const owner = await h.signUp("inviter");
    const { id: campaignId } = await newCampaign(owner);
    const tag = `bulk-${Date.now()}`;
    const again = `${tag}-again@example.test`;
    await owner.caller.stories.family.invite({ campaignId, email: again });
    for (let i = 0; i < 4; i++) await owner.caller.stories.family.invite({ campaignId, email: again });
    for (let i = 0; i < 18; i++) await owner.caller.stories.family.invite({ campaignId, email: `${tag}-${i}@example.test` });
    // Every invitation job of the campaign has run (mailed or held back) before the count.
    await vi.waitFor(
      async () => {
        const { rows } = await h.raw(sql<{ open: number }>`
          SELECT count(*)::int AS open FROM pgboss.job
           WHERE name = 'stories.send-invite' AND state IN ('created', 'retry', 'active')
             AND data->>'memberId' IN (SELECT id::text FROM family_members WHERE campaign_id = ${campaignId})`);
        expect(rows[0]).toEqual({ open: 0 });
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(smtp.messages.filter((m) => m.to.some((to) => to.includes(tag)))).toHaveLength(20);
    await expectTrpcError(
      owner.caller.stories.family.invite({ campaignId, email: `${tag}-late@example.test` }),
      "TOO_MANY_REQUESTS",
    );
  });
});

describe("the weekly question", () => {
  const linkOf = (text: string) => {
    const m = /\/answer\/([0-9a-f-]{36})\/([0-9a-f-]{36})\?token=([A-Za-z0-9_-]+)/.exec(text);
    if (!m) throw new Error(`no answer link in mail:\n${text}`);
    return { campaignId: m[1]!, promptId: m[2]!, token: m[3]! };
  };
  const questionMails = (to: string) => smtp.messages.filter((m) => m.to.includes(to) && m.text.includes("/answer/"));
  async function nthQuestionMail(to: string, nth: number) {
    await smtp.waitFor(() => questionMails(to).length > nth, 15_000);
    return questionMails(to)[nth]!;
  }

  it("goes out by e-mail at the storyteller's weekly moment and is answered through its link, without an account", async () => {
    const owner = await h.signUp("family");
    const dad = h.uniqueEmail("dad");
    const { id: campaignId } = await newCampaign(owner, dad);
    await owner.caller.stories.prompts.setSchedule({
      campaignId,
      schedule: { weekday: 3, time: "18:30", timeZone: "America/Chicago" },
    });
    // Arrange: the weekly moment has come.
    await h.raw(sql`UPDATE campaigns SET next_prompt_at = now() - interval '1 minute' WHERE id = ${campaignId}`);
    await runJob(sendDuePromptsJob, {}, { db: h.db, log, enqueue: h.deps.enqueue });

    const mail = await nthQuestionMail(dad, 0);
    const link = linkOf(mail.text);
    expect(link.campaignId).toBe(campaignId);
    const campaign = await owner.caller.stories.campaigns.get({ campaignId });
    expect(campaign.usedPrompts).toBe(1);
    expect(campaign.startedAt).not.toBeNull();
    // Next Wednesday 18:30 in Chicago, a week on at most.
    const next = campaign.nextPromptAt!;
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(
      new Intl.DateTimeFormat("en-US", {
        timeZone: "America/Chicago",
        weekday: "long",
        hour: "2-digit",
        minute: "2-digit",
        hour12: false,
      }).format(next),
    ).toBe("Wednesday 18:30");

    const page = await h.anon().stories.answers.get(link);
    expect(page).toMatchObject({ storytellerName: "Dad", answered: false });
    expect(mail.text).toContain(page.question);
    const answer = await h.anon().stories.answers.submit({ ...link, content: "We walked  to school —  uphill, both ways!" });
    expect(answer.wordCount).toBe(7);
    const story = await owner.caller.stories.get({ storyId: answer.storyId });
    expect(story).toMatchObject({ title: page.question, authorName: "Dad", status: "completed", fromPrompt: true, wordCount: 7 });
    expect((await owner.caller.stories.prompts.list({ campaignId })).find((p) => p.id === link.promptId)?.status).toBe(
      "answered",
    );
    expect((await h.anon().stories.answers.get(link)).answered).toBe(true);
    await expectTrpcError(h.anon().stories.answers.submit({ ...link, content: "Again" }), "PRECONDITION_FAILED");
  });

  it("refuses a link on another campaign or prompt, after expiry and after revocation; a reminder brings a second link", async () => {
    const owner = await h.signUp("family");
    const mum = h.uniqueEmail("mum");
    const a = await newCampaign(owner, mum);
    const b = await newCampaign(owner, mum);
    await owner.caller.stories.prompts.sendNow({ campaignId: a.id });
    await owner.caller.stories.prompts.sendNow({ campaignId: b.id });
    const first = linkOf((await nthQuestionMail(mum, 0)).text);
    const second = linkOf((await nthQuestionMail(mum, 1)).text);
    const [linkA, linkB] = first.campaignId === a.id ? [first, second] : [second, first];

    const anon = h.anon();
    await anon.stories.answers.get(linkA);
    for (const wrong of [
      { ...linkA, campaignId: b.id },
      { ...linkA, campaignId: b.id, promptId: linkB.promptId },
      { ...linkA, promptId: linkB.promptId },
      { ...linkB, token: linkA.token },
    ]) {
      await expectTrpcError(anon.stories.answers.get(wrong), "BAD_REQUEST");
      await expectTrpcError(anon.stories.answers.submit({ ...wrong, content: "Wrong door" }), "BAD_REQUEST");
    }

    // A reminder three days on carries its own link; the first keeps working.
    await h.raw(sql`UPDATE campaign_prompts SET sent_at = now() - interval '4 days' WHERE id = ${linkA.promptId}`);
    await runJob(sendDuePromptsJob, {}, { db: h.db, log, enqueue: h.deps.enqueue });
    const reminder = await smtp.waitFor((m) => m.to.includes(mum) && m.subject.startsWith("Reminder:"), 15_000);
    const reminderLink = linkOf(reminder.text);
    expect(reminderLink.token).not.toBe(linkA.token);
    await anon.stories.answers.get(linkA);
    await anon.stories.answers.get(reminderLink);

    // Revoked: every link of the question stops; sending it again makes a new one that works.
    await owner.caller.stories.prompts.revoke({ promptId: linkA.promptId });
    await expectTrpcError(anon.stories.answers.get(linkA), "BAD_REQUEST");
    await expectTrpcError(anon.stories.answers.submit({ ...reminderLink, content: "Too late" }), "BAD_REQUEST");
    const before = questionMails(mum).length;
    await owner.caller.stories.prompts.resend({ promptId: linkA.promptId });
    const fresh = linkOf((await nthQuestionMail(mum, before)).text);
    await anon.stories.answers.submit({ ...fresh, content: "Here it is." });

    // Expired.
    await h.raw(
      sql`UPDATE campaign_prompt_links SET expires_at = now() - interval '1 second' WHERE campaign_prompt_id = ${linkB.promptId}`,
    );
    await expectTrpcError(anon.stories.answers.get(linkB), "BAD_REQUEST");
    await expectTrpcError(anon.stories.answers.submit({ ...linkB, content: "Expired" }), "BAD_REQUEST");
  });

  it("mails one campaign's storyteller at most ten questions a day when the owner sends or resends, the weekly one always", async () => {
    // The storyteller's address is whatever the owner typed: unbounded resends would make us a spam relay.
    const owner = await h.signUp("family");
    const gran = h.uniqueEmail("gran");
    const { id: campaignId } = await newCampaign(owner, gran);
    const first = await owner.caller.stories.prompts.sendNow({ campaignId });
    for (let i = 0; i < 11; i++) await owner.caller.stories.prompts.resend({ promptId: first.promptId });
    const second = await owner.caller.stories.prompts.sendNow({ campaignId });
    // Every job has run (mailed or held back) before the count.
    await h.mailJobsDone(first.promptId, 60_000);
    await h.mailJobsDone(second.promptId, 60_000);
    expect(questionMails(gran)).toHaveLength(10);
    // The weekly question is never the one held back.
    await owner.caller.stories.prompts.setSchedule({
      campaignId,
      schedule: { weekday: 1, time: "09:00", timeZone: "Europe/Paris" },
    });
    await h.raw(sql`UPDATE campaigns SET next_prompt_at = now() - interval '1 minute' WHERE id = ${campaignId}`);
    await runJob(sendDuePromptsJob, {}, { db: h.db, log, enqueue: h.deps.enqueue });
    await nthQuestionMail(gran, 10);
  });

  it("sends no question from a paused campaign until it is resumed", async () => {
    const owner = await h.signUp("family");
    const { id: campaignId } = await newCampaign(owner, h.uniqueEmail("gran"));
    await owner.caller.stories.campaigns.update({ campaignId, status: "paused" });
    await expectTrpcError(owner.caller.stories.prompts.sendNow({ campaignId }), "PRECONDITION_FAILED");
    await owner.caller.stories.campaigns.update({ campaignId, status: "active" });
    expect((await owner.caller.stories.prompts.sendNow({ campaignId })).promptId).toBeTruthy();
  });
});
