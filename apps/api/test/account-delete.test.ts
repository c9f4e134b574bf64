/**
 * Account deletion on a real Postgres: the password is asked again; sessions end at once; the job (run
 * from the payload the procedure enqueued) deletes A's objects from storage and then A's account, after
 * which no row anywhere in the schema mentions A's id (a catalog scan of every table's rows as text) and
 * no storage object of A's is left. What A wrote in B's campaign stays there, signed "Former member";
 * A's campaign that B co-owns passes to B; B's data is untouched.
 */
import { FORMER_MEMBER } from "@inkwell/domain/account";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Family,
  joinAndWrite,
  marker,
  ownCampaign,
  ownedRows,
  populate,
  rowsMentioning,
  runDeleteJob,
  runExportJob,
  storageKeys,
  type User,
} from "./account-kit.ts";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
let a: User;
let b: User;
let aFamily: Family;
let aSolo: Family;
let bFamily: Family;
let aGuestStoryId: string;

beforeAll(async () => {
  h = await startHarness();
  [a, b] = [await h.signUp("delete-a"), await h.signUp("delete-b")];
  await populate(h, a);
  await populate(h, b);
  aFamily = await ownCampaign(a, marker());
  aSolo = await ownCampaign(a, marker());
  bFamily = await ownCampaign(b, marker());
  aGuestStoryId = (await joinAndWrite(h, a, bFamily, "contributor", aFamily.marker)).storyId;
  // B co-owns A's first campaign (and writes there); A's second campaign is A's alone.
  await joinAndWrite(h, b, aFamily, "owner", bFamily.marker);
  // A has an export too: its zip is one more of A's stored files.
  const requested = await a.caller.account.exports.request();
  await runExportJob(h, requested.id);
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

describe("deleting an account", () => {
  it("refuses a wrong password and changes nothing", async () => {
    await expectTrpcError(a.caller.account.delete({ password: "not my password at all" }), "BAD_REQUEST");
    expect(await a.caller.account.deletion()).toBeNull();
    expect((await ownedRows(h, "sessions", a.me.id)).length).toBeGreaterThan(0);
  });

  it("ends every session at once, then the job leaves no row and no file of A's", async () => {
    const bBefore = await rowsMentioning(h, b.me.id);
    // The scan sees A everywhere before (so "nothing after" is not a scan that sees nothing).
    expect(Object.keys(await rowsMentioning(h, a.me.id)).length).toBeGreaterThan(25);
    const aKeys = (await ownedRows(h, "stored_files", a.me.id)).map((f) => String(f.storage_key));
    expect(aKeys.length).toBeGreaterThanOrEqual(2); // the logo and the export zip at least
    const stillSignedIn = h.as(a.token);

    await a.caller.account.delete({ password: a.password });
    await expectTrpcError(stillSignedIn.profile.get(), "UNAUTHORIZED");
    expect(await ownedRows(h, "sessions", a.me.id)).toEqual([]);
    // Signing in again before the worker runs still lands in the pending deletion, which it can see.
    const again = await h.anon().auth.signIn({ email: a.email, password: a.password, delivery: "bearer" });
    expect(await h.as(again.token!).account.deletion()).toMatchObject({ requestedAt: expect.any(Date) });

    await runDeleteJob(h, a.me.id);

    expect(await rowsMentioning(h, a.me.id)).toEqual({});
    const keys = await storageKeys(h);
    for (const key of aKeys) expect(keys).not.toContain(key);
    expect(keys.filter((k) => k.includes(a.me.id))).toEqual([]);
    await expectTrpcError(h.as(again.token!).profile.get(), "UNAUTHORIZED");
    await expectTrpcError(h.anon().auth.signIn({ email: a.email, password: a.password, delivery: "bearer" }), "UNAUTHORIZED");

    // B's rows are all still there (the ones that mentioned A now mention only B).
    const bAfter = await rowsMentioning(h, b.me.id);
    expect(Object.keys(bAfter).sort()).toEqual(Object.keys(bBefore).sort());
    for (const file of await ownedRows(h, "stored_files", b.me.id)) {
      expect(await h.deps.storage.get(String(file.storage_key))).not.toBeNull();
    }
  });

  it("keeps A's story in B's campaign, signed as a former member, and drops A's comments and reactions", async () => {
    const story = await b.caller.stories.get({ storyId: aGuestStoryId });
    expect(story).toMatchObject({ content: `Written by ${aFamily.marker} as a guest.` });
    expect(JSON.stringify(story)).toContain(FORMER_MEMBER);
    const { rows } = await h.raw(sql`SELECT author_name, user_id FROM stories WHERE id = ${aGuestStoryId}`);
    expect(rows[0]).toEqual({ author_name: FORMER_MEMBER, user_id: null });
    const { rows: comments } = await h.raw(sql`SELECT body FROM story_comments WHERE story_id = ${bFamily.storyId}`);
    expect((comments as { body: string }[]).map((c) => c.body)).toEqual([`Comment ${bFamily.marker}`]);
  });

  it("passes a campaign B co-owns to B, and deletes the one A owned alone", async () => {
    const passed = await b.caller.stories.campaigns.get({ campaignId: aFamily.campaignId });
    expect(passed).toMatchObject({ id: aFamily.campaignId });
    const { rows } = await h.raw(sql`SELECT user_id FROM campaigns WHERE id = ${aFamily.campaignId}`);
    expect(rows[0]).toEqual({ user_id: b.me.id });
    const { rows: solo } = await h.raw(sql`SELECT count(*)::int AS n FROM campaigns WHERE id = ${aSolo.campaignId}`);
    expect(solo[0]).toEqual({ n: 0 });
  });
});

describe("deleting an account, the hard cases", () => {
  it("deletes an account that has ordered a printed book (the books guard blocked the cascade: the job failed forever after deleting the files)", async () => {
    const c = await h.signUp("delete-c");
    const family = await ownCampaign(c, marker());
    await h.raw(sql`
      INSERT INTO books (campaign_id, user_id, title, status, approved_at, approved_version, rendered_version)
      VALUES (${family.campaignId}, ${c.me.id}, ${"Our book"}, 'ordered', now(), 1, 1)`);
    await c.caller.account.delete({ password: c.password });
    await runDeleteJob(h, c.me.id);
    expect(await rowsMentioning(h, c.me.id)).toEqual({});
    // The guard still holds outside an account's end.
    const d = await h.signUp("delete-d");
    const dFamily = await ownCampaign(d, marker());
    await h.raw(sql`
      INSERT INTO books (campaign_id, user_id, title, status, approved_at, approved_version, rendered_version)
      VALUES (${dFamily.campaignId}, ${d.me.id}, ${"Kept"}, 'ordered', now(), 1, 1)`);
    await expect(h.raw(sql`DELETE FROM books WHERE user_id = ${d.me.id}`)).rejects.toThrow(/ordered book/);
  });

  it("limits guesses at the password (a stolen session is not a password oracle)", async () => {
    const e = await h.signUp("delete-e");
    for (let i = 0; i < 10; i++) {
      await expectTrpcError(e.caller.account.delete({ password: `wrong guess ${i}` }), "BAD_REQUEST");
    }
    await expectTrpcError(e.caller.account.delete({ password: e.password }), "TOO_MANY_REQUESTS");
    expect(await e.caller.account.deletion()).toBeNull();
  });
});
