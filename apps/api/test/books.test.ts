/**
 * Books on a real Postgres: the role matrix over every books procedure (owner / contributor / viewer /
 * invited / outsider), the policies without the service, and a book rendered by the real job handler
 * (the child-process renderer, pdfkit, MuPDF) and read back: its pages, in order, with the photos where
 * they belong; the proof approved only for the design it shows; an ordered book frozen; a render past its
 * memory cap recorded as failed.
 */
import { randomBytes } from "node:crypto";
import { asSystem, asUser } from "@inkwell/db";
import {
  books,
  markBookCompleted,
  markBookOrdered,
  pdfPageImageCounts,
  pdfPageTexts,
  renderBookJob,
} from "@inkwell/domain/books";
import { files } from "@inkwell/domain/files";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { hashToken } from "@inkwell/domain/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

type User = Awaited<ReturnType<Harness["signUp"]>>;
type Actor = "owner" | "contributor" | "viewer" | "invited" | "outsider";

// A small PNG (8×6, opaque), valid for pdfkit; each photo is its own stored file.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAATElEQVR4AQXBsRXCQAwFMOVgDKeiZiFq5gjrMcb9Qfwc6fj7KIqiKIrytClOmqZp2hLCJoQQYgkhbEIIsYQQwiaEeHxfb8MwDBc/xg0twSPAIJr7IAAAAABJRU5ErkJggg==",
  "base64",
);

let owner: User;
let contributor: User;
let viewer: User;
let invited: User;
let outsider: User;
let coOwner: User;
let campaignId: string;
const storyIds: string[] = [];
const photoIds: string[] = [];

/**
 * Membership without the invitation mail: the stories queues are worked by the stories test file (its
 * own SMTP server), so this file gives the pending invitation a link token it knows (as the system, the
 * way the mail job does) and accepts it through the real procedure.
 */
async function join(member: User, role: "owner" | "contributor" | "viewer") {
  await owner.caller.stories.family.invite({ campaignId, email: member.email, role });
  for (let attempt = 0; ; attempt++) {
    const token = randomBytes(32).toString("base64url");
    await h.raw(sql`
      UPDATE family_members SET invite_token_hash = ${hashToken(token)}, invite_expires_at = now() + interval '1 day'
       WHERE campaign_id = ${campaignId} AND email = ${member.email} AND status = 'invited'`);
    try {
      await member.caller.stories.family.accept({ token });
      return;
    } catch (error) {
      // The stories file's worker may have mailed this invitation in between (a fresh token): set ours again.
      if (attempt > 3) throw error;
    }
  }
}

async function addPhoto(user: User, storyId: string, caption: string) {
  const file = await asUser(h.db, user.me.id, (tx) =>
    files.store(h.deps, tx, user.me.id, {
      purpose: "story_photo",
      filename: "photo.png",
      bytes: new Uint8Array(PNG),
      allowed: ["image"],
      maxBytes: 1024 * 1024,
    }),
  );
  await asUser(h.db, user.me.id, (tx) =>
    tx
      .insertInto("story_photos")
      .values({
        story_id: storyId,
        campaign_id: campaignId,
        user_id: user.me.id,
        file_id: file.id,
        caption,
        width: 800,
        height: 600,
      })
      .execute(),
  );
  photoIds.push(file.id);
  return file.id;
}

const LONG = Array.from(
  { length: 40 },
  (_, i) =>
    `Paragraph ${i + 1}. The orchard behind the house had twelve apple trees and one stubborn pear, and every autumn we climbed the ladder to pick the fruit before the wasps found it.`,
).join("\n\n");

beforeAll(async () => {
  h = await startHarness();
  [owner, contributor, viewer, invited, outsider] = (await Promise.all(
    ["owner", "contributor", "viewer", "invited", "outsider"].map((tag) => h.signUp(tag)),
  )) as [User, User, User, User, User];
  campaignId = (
    await owner.caller.stories.campaigns.create({
      title: "Grandma's book",
      storytellerName: "Grandma",
      relationshipType: "grandparent",
      goalStories: 5,
      themes: ["childhood", "family"],
    })
  ).id;
  await join(contributor, "contributor");
  await join(viewer, "viewer");
  coOwner = await h.signUp("coowner");
  await join(coOwner, "owner");
  await owner.caller.stories.family.invite({ campaignId, email: invited.email, role: "viewer" });
  for (const [title, content, category] of [
    ["The farm", "We had cows and a dog called Biscuit.", "childhood"],
    ["The orchard", LONG, "family"],
    ["Moving to the city", "We left on a Tuesday in the rain.", "family"],
  ] as const) {
    storyIds.push((await owner.caller.stories.create({ campaignId, title, content, category, status: "completed" })).id);
  }
  await owner.caller.stories.create({ campaignId, title: "Unfinished", content: "…", status: "draft" });
  // Photos of two people: the contributor's are their files, yet they print in the owner's book.
  await addPhoto(contributor, storyIds[0]!, "Biscuit in the barn");
  await addPhoto(contributor, storyIds[0]!, "The milking shed");
  await addPhoto(owner, storyIds[2]!, "The new flat");
});
afterAll(async () => {
  await h.stop();
});

const callerOf = (actor: Actor) => ({ owner, contributor, viewer, invited, outsider })[actor].caller;

async function render(bookId: string, by: User = owner) {
  const book = await by.caller.books.render({ bookId });
  const row = await asSystem(h.db, (tx) =>
    tx.selectFrom("books").select("design_version").where("id", "=", bookId).executeTakeFirstOrThrow(),
  );
  await runJob(
    renderBookJob,
    { userId: by.me.id, bookId, version: row.design_version },
    {
      db: h.db,
      log,
      storage: h.deps.storage,
      keyRing: h.deps.keyRing,
    },
  );
  return book;
}

async function interiorOf(bookId: string) {
  const row = await asSystem(h.db, (tx) =>
    tx.selectFrom("books").select(["interior_file_id", "user_id"]).where("id", "=", bookId).executeTakeFirstOrThrow(),
  );
  const bytes = await asUser(h.db, row.user_id, (tx) => files.read(h.deps, tx, row.interior_file_id!));
  return { texts: pdfPageTexts(bytes).map((t) => t.replace(/\s+/g, " ").trim()), images: pdfPageImageCounts(bytes) };
}

describe("the role matrix", () => {
  let bookId: string;
  beforeAll(async () => {
    bookId = (await owner.caller.books.create({ campaignId, title: "Matrix book" })).id;
  });
  const readers = { owner: "ok", contributor: "ok", viewer: "ok", invited: "NOT_FOUND", outsider: "NOT_FOUND" } as const;
  const owners = { ...readers, contributor: "FORBIDDEN", viewer: "FORBIDDEN" } as const;
  const cases: [string, (a: Actor) => Promise<unknown>, Record<Actor, string>][] = [
    ["list", (a) => callerOf(a).books.list({ campaignId }), readers],
    ["sources", (a) => callerOf(a).books.sources({ campaignId }), readers],
    ["get", (a) => callerOf(a).books.get({ bookId }), readers],
    ["create", (a) => callerOf(a).books.create({ campaignId, title: `By the ${a}` }), owners],
    ["update", (a) => callerOf(a).books.update({ bookId, subtitle: `Edited by the ${a}` }), owners],
    // The owner gets past the role check to the proof rule: nothing rendered yet.
    ["approve", (a) => callerOf(a).books.approve({ bookId }), { ...owners, owner: "PRECONDITION_FAILED" }],
    ["render", (a) => callerOf(a).books.render({ bookId }), owners],
    ["delete", (a) => callerOf(a).books.delete({ bookId }), owners],
  ];
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

  it("lets only active members see a campaign's books, and only owners change them, in the policies themselves", async () => {
    const { id } = await owner.caller.books.create({ campaignId, title: "Policy book" });
    const visible = (userId: string) =>
      asUser(h.db, userId, (tx) => tx.selectFrom("books").select("id").where("id", "=", id).execute());
    expect(await visible(viewer.me.id)).toHaveLength(1);
    expect(await visible(invited.me.id)).toHaveLength(0);
    expect(await visible(outsider.me.id)).toHaveLength(0);
    for (const user of [contributor, viewer, outsider]) {
      const changed = await asUser(h.db, user.me.id, (tx) =>
        tx.updateTable("books").set({ title: "Hijacked" }).where("id", "=", id).executeTakeFirst(),
      );
      expect(changed.numUpdatedRows).toBe(0n);
      const deleted = await asUser(h.db, user.me.id, (tx) => tx.deleteFrom("books").where("id", "=", id).executeTakeFirst());
      expect(deleted.numDeletedRows).toBe(0n);
    }
    await expect(
      asUser(h.db, contributor.me.id, (tx) =>
        tx.insertInto("books").values({ campaign_id: campaignId, user_id: contributor.me.id, title: "Sneaky" }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    expect((await owner.caller.books.get({ bookId: id })).title).toBe("Policy book");
  });
});

describe("a rendered book", () => {
  let bookId: string;
  beforeAll(async () => {
    const book = await owner.caller.books.create({ campaignId, title: "Grandma's Life", subtitle: "As she told it" });
    bookId = book.id;
    // Starts with the finished stories in campaign order, drafts left out.
    expect(book.storyIds).toEqual(storyIds);
    // The list shows its counts from the start, not 0 until the first save.
    expect(book).toMatchObject({ storyCount: 3, photoCount: 3 });
    // Reordered: the city first; the milking shed left out; the barn photo on the cover.
    await owner.caller.books.update({
      bookId,
      storyIds: [storyIds[2]!, storyIds[0]!, storyIds[1]!],
      photoFileIds: [photoIds[0]!, photoIds[2]!],
      coverPhotoFileId: photoIds[0]!,
      template: "classic",
    });
    await render(bookId);
  }, 60_000);

  it("has the title page, the contents with page numbers, then the stories in the chosen order, each from its own page", async () => {
    const book = await owner.caller.books.get({ bookId });
    expect(book).toMatchObject({ renderStatus: "done", proofCurrent: true, storyCount: 3, photoCount: 2, status: "draft" });
    const { texts, images } = await interiorOf(bookId);
    expect(book.pageCount).toBe(texts.length);
    expect(texts[0]).toContain("Grandma's Life");
    expect(texts[0]).toContain("As she told it");
    expect(texts[1]).toMatch(/^Contents/);
    const start = (title: string) => texts.findIndex((t, i) => i > 1 && t.includes(title));
    const [city, farm, orchard] = [start("Moving to the city"), start("The farm"), start("The orchard")];
    expect(city).toBe(2);
    expect(farm).toBeGreaterThan(city);
    expect(orchard).toBeGreaterThan(farm);
    // The contents give each story's first page, and that page carries the number at its foot.
    for (const [title, index] of [
      ["Moving to the city", city],
      ["The farm", farm],
      ["The orchard", orchard],
    ] as const) {
      expect(texts[1]).toMatch(new RegExp(`${title}[ .]*${index + 1}(\\D|$)`));
      expect(texts[index]).toMatch(new RegExp(`${index + 1}$`));
    }
    // The long story runs over several pages; its text is all there, in order.
    expect(texts.length - orchard).toBeGreaterThan(2);
    const orchardText = texts.slice(orchard).join(" ");
    expect(orchardText.indexOf("Paragraph 1.")).toBeLessThan(orchardText.indexOf("Paragraph 40."));
    // The photos: one on the city's pages (with its caption), one on the farm's; the one left out is not printed.
    expect(images.slice(city, farm).reduce((a, b) => a + b, 0)).toBe(1);
    expect(images.slice(farm, orchard).reduce((a, b) => a + b, 0)).toBe(1);
    expect(images.reduce((a, b) => a + b, 0)).toBe(2);
    expect(texts.slice(city, farm).join(" ")).toContain("The new flat");
    expect(texts.join(" ")).not.toContain("The milking shed");
    // Previews: the cover and the first pages, served through signed links.
    expect(book.previewUrls.length).toBe(1 + Math.min(11, texts.length));
    expect(book.coverUrl).toMatch(/^\/files\/[0-9a-f-]+\?exp=\d+&sig=/);
  });

  it("is approved only for the design it shows; a change sends it back to draft", async () => {
    const approved = await owner.caller.books.approve({ bookId });
    expect(approved.status).toBe("ready_to_order");
    const changed = await owner.caller.books.update({ bookId, template: "modern" });
    expect(changed).toMatchObject({ status: "draft", proofCurrent: false });
    await expectTrpcError(owner.caller.books.approve({ bookId }), "PRECONDITION_FAILED");
    await render(bookId);
    expect((await owner.caller.books.approve({ bookId })).status).toBe("ready_to_order");
    // Rendering an approved book again replaces the approved files: the new proof needs its own approval.
    expect(await owner.caller.books.render({ bookId })).toMatchObject({ status: "draft", approvedAt: null });
    await expectTrpcError(owner.caller.books.approve({ bookId }), "PRECONDITION_FAILED");
    await render(bookId);
    expect((await owner.caller.books.approve({ bookId })).status).toBe("ready_to_order");
  }, 90_000);

  it("drops a render of a design that has changed since it was asked for", async () => {
    const { id } = await owner.caller.books.create({ campaignId, title: "Changing" });
    await owner.caller.books.render({ bookId: id });
    const asked = await asSystem(h.db, (tx) =>
      tx.selectFrom("books").select("design_version").where("id", "=", id).executeTakeFirstOrThrow(),
    );
    await owner.caller.books.update({ bookId: id, title: "Changed" });
    const outcome = await books.renderBook(
      { db: h.db, storage: h.deps.storage, keyRing: h.deps.keyRing },
      { userId: owner.me.id, bookId: id, version: asked.design_version },
    );
    expect(outcome).toBe("stale");
    expect(await owner.caller.books.get({ bookId: id })).toMatchObject({ renderStatus: "none", interiorUrl: null });
  });

  it("records a render that outgrows its memory cap as failed, with the reason", async () => {
    const { id } = await owner.caller.books.create({ campaignId, title: "Too big" });
    await owner.caller.books.render({ bookId: id });
    const row = await asSystem(h.db, (tx) =>
      tx.selectFrom("books").select("design_version").where("id", "=", id).executeTakeFirstOrThrow(),
    );
    const outcome = await books.renderBook(
      { db: h.db, storage: h.deps.storage, keyRing: h.deps.keyRing, limits: { timeoutMs: 60_000, maxHeapMb: 64, maxRssMb: 40 } },
      { userId: owner.me.id, bookId: id, version: row.design_version },
    );
    expect(outcome).toBe("failed");
    const book = await owner.caller.books.get({ bookId: id });
    expect(book).toMatchObject({ renderStatus: "failed", interiorUrl: null });
    expect(book.renderError).toMatch(/too much memory/);
  }, 60_000);

  it("records a render whose photos cannot be read (storage down) as failed, not rendering for ever", async () => {
    const { id } = await owner.caller.books.create({ campaignId, title: "Storage down" });
    await owner.caller.books.render({ bookId: id });
    const row = await asSystem(h.db, (tx) =>
      tx.selectFrom("books").select("design_version").where("id", "=", id).executeTakeFirstOrThrow(),
    );
    const down = Object.assign(Object.create(h.deps.storage), {
      get: () => Promise.reject(new Error("connect ECONNREFUSED")),
    });
    await expect(
      books.renderBook(
        { db: h.db, storage: down, keyRing: h.deps.keyRing },
        { userId: owner.me.id, bookId: id, version: row.design_version },
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
    const book = await owner.caller.books.get({ bookId: id });
    expect(book).toMatchObject({ renderStatus: "failed" });
    expect(book.renderError).toMatch(/could not be read/);
  });

  it("is frozen once ordered: no design change, no delete, even in SQL; then completed", async () => {
    await asSystem(h.db, (tx) => markBookOrdered(tx, bookId));
    expect((await owner.caller.books.get({ bookId })).status).toBe("ordered");
    await expectTrpcError(owner.caller.books.update({ bookId, title: "Renamed" }), "PRECONDITION_FAILED");
    await expectTrpcError(owner.caller.books.delete({ bookId }), "PRECONDITION_FAILED");
    await expect(
      asUser(h.db, owner.me.id, (tx) => tx.updateTable("books").set({ status: "draft" }).where("id", "=", bookId).execute()),
    ).rejects.toThrow(/cannot change/);
    await expect(asUser(h.db, owner.me.id, (tx) => tx.deleteFrom("books").where("id", "=", bookId).execute())).rejects.toThrow(
      /cannot be deleted/,
    );
    await asSystem(h.db, (tx) => markBookCompleted(tx, bookId));
    expect((await owner.caller.books.get({ bookId })).status).toBe("completed");
  });

  it("leaves no file of a co-owner's render behind when another owner renders the book again or deletes it", async () => {
    const { id } = await owner.caller.books.create({ campaignId, title: "Shared", template: "modern" });
    const renderedFiles = async () => {
      const row = await asSystem(h.db, (tx) =>
        tx
          .selectFrom("books")
          .select(["interior_file_id", "cover_file_id", "preview_file_ids"])
          .where("id", "=", id)
          .executeTakeFirstOrThrow(),
      );
      return [row.interior_file_id!, row.cover_file_id!, ...row.preview_file_ids];
    };
    const stillStored = (ids: string[]) =>
      asSystem(h.db, (tx) => tx.selectFrom("stored_files").select("id").where("id", "in", ids).execute());
    await render(id, coOwner);
    const coOwners = await renderedFiles();
    expect(await stillStored(coOwners)).toHaveLength(coOwners.length);
    await render(id, owner);
    expect(await stillStored(coOwners)).toEqual([]);
    await render(id, coOwner);
    const again = await renderedFiles();
    await owner.caller.books.delete({ bookId: id });
    expect(await stillStored(again)).toEqual([]);
  }, 120_000);

  it("stays editable after one of its stories is deleted: the designer's saved ids are taken without it", async () => {
    const gone = await owner.caller.stories.create({ campaignId, title: "Soon gone", content: "Brief.", status: "completed" });
    const photo = await addPhoto(owner, gone.id, "Gone too");
    const { id } = await owner.caller.books.create({ campaignId, title: "Survives" });
    const design = { storyIds: [storyIds[0]!, gone.id], photoFileIds: [photoIds[0]!, photo], coverPhotoFileId: photo };
    await owner.caller.books.update({ bookId: id, ...design });
    await owner.caller.stories.delete({ storyId: gone.id });
    // What the designer sends on its next save: the book's saved ids, with the title changed.
    const saved = await owner.caller.books.update({ bookId: id, title: "Survives, renamed", ...design });
    expect(saved).toMatchObject({
      title: "Survives, renamed",
      storyIds: [storyIds[0]],
      photoFileIds: [photoIds[0]],
      coverPhotoFileId: null,
      storyCount: 1,
      photoCount: 1,
    });
  });

  it("refuses to render a book whose stories have gained more photos than a book holds since it was designed", async () => {
    const album = await owner.caller.stories.campaigns.create({
      title: "Album",
      storytellerName: "Grandpa",
      relationshipType: "grandparent",
      goalStories: 1,
      themes: ["family"],
    });
    const story = await owner.caller.stories.create({
      campaignId: album.id,
      title: "Pictures",
      content: "Look.",
      status: "completed",
    });
    const { id } = await owner.caller.books.create({ campaignId: album.id, title: "Album" });
    await asUser(h.db, owner.me.id, async (tx) => {
      for (let i = 0; i < 101; i++) {
        const file = await files.store(h.deps, tx, owner.me.id, {
          purpose: "story_photo",
          filename: `p${i}.png`,
          bytes: new Uint8Array(PNG),
          allowed: ["image"],
          maxBytes: 1024 * 1024,
        });
        await tx
          .insertInto("story_photos")
          .values({
            story_id: story.id,
            campaign_id: album.id,
            user_id: owner.me.id,
            file_id: file.id,
            caption: "",
            width: 8,
            height: 6,
          })
          .execute();
      }
    });
    await expectTrpcError(owner.caller.books.render({ bookId: id }), "BAD_REQUEST");
    expect((await owner.caller.books.get({ bookId: id })).renderStatus).toBe("none");
  }, 60_000);

  it("refuses photos and stories that are not the campaign's", async () => {
    const other = await outsider.caller.stories.campaigns.create({
      title: "Elsewhere",
      storytellerName: "Someone",
      relationshipType: "other",
      goalStories: 1,
      themes: ["family"],
    });
    const foreign = await outsider.caller.stories.create({ campaignId: other.id, title: "Not yours", status: "completed" });
    const { id } = await owner.caller.books.create({ campaignId, title: "Strict" });
    await expectTrpcError(owner.caller.books.update({ bookId: id, storyIds: [foreign.id] }), "BAD_REQUEST");
    await expectTrpcError(
      owner.caller.books.update({ bookId: id, storyIds: [storyIds[1]!], photoFileIds: [photoIds[0]!] }),
      "BAD_REQUEST",
    );
    await expectTrpcError(owner.caller.books.update({ bookId: id, coverPhotoFileId: crypto.randomUUID() }), "BAD_REQUEST");
  });
});
