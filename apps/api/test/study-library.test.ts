/**
 * The study library on the real database: folders and items typed by hand (content held to the item
 * type's schema, moved between folders, filtered and paged), generation from a topic and from the
 * user's own notes and documents with the offline placeholder (flagged, cited, metered as
 * study.generate with its topic in the usage log), a refusal for lack of credits that leaves nothing,
 * and, against the local OpenAI-compatible server, one corrective retry after a reply that breaks the
 * schema. Another user reaches none of it.
 */
import { randomUUID } from "node:crypto";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness, startHarnessWithLocalModel } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let local: Awaited<ReturnType<typeof startHarnessWithLocalModel>>;
let alice: User;
let bob: User;

const cards = (n: number) => ({
  cards: Array.from({ length: n }, (_, i) => ({ id: `c${i + 1}`, front: `Term ${i + 1}`, back: `Meaning ${i + 1}` })),
});
const key = () => randomUUID();

beforeAll(async () => {
  h = await startHarness();
  local = await startHarnessWithLocalModel();
  [alice, bob] = [await h.signUp("library-alice"), await h.signUp("library-bob")];
}, 60_000);

afterAll(async () => {
  await closeUntrustedPool();
  await h?.stop();
  await local?.stop();
});

describe("folders", () => {
  it("are created, listed with their item counts, renamed, and deleted leaving their items unfiled", async () => {
    const bio = await alice.caller.study.library.folders.create({ name: "Biology" });
    await expectTrpcError(alice.caller.study.library.folders.create({ name: "biology" }), "CONFLICT");
    const chem = await alice.caller.study.library.folders.create({ name: "Chemistry", description: "Year 11" });
    await expectTrpcError(alice.caller.study.library.folders.rename({ folderId: chem.id, name: "BIOLOGY" }), "CONFLICT");
    const item = await alice.caller.study.library.items.create({
      itemType: "flashcard",
      title: "Cells",
      content: cards(2),
      folderId: bio.id,
    });
    expect((await alice.caller.study.library.folders.list()).map((f) => [f.name, f.itemCount])).toEqual([
      ["Biology", 1],
      ["Chemistry", 0],
    ]);
    const renamed = await alice.caller.study.library.folders.rename({ folderId: bio.id, name: "Life sciences" });
    expect(renamed.name).toBe("Life sciences");
    await alice.caller.study.library.folders.delete({ folderId: bio.id });
    expect((await alice.caller.study.library.items.get({ itemId: item.id })).folderId).toBeNull();
    expect((await alice.caller.study.library.folders.list()).map((f) => f.name)).toEqual(["Chemistry"]);
    await expectTrpcError(alice.caller.study.library.folders.create({ name: "  " }), "BAD_REQUEST");
  });
});

describe("items by hand", () => {
  it("refuse content that breaks the type's schema, naming the part", async () => {
    const error = await expectTrpcError(
      alice.caller.study.library.items.create({
        itemType: "quiz",
        title: "Bad quiz",
        content: { questions: [{ id: "q1", kind: "multiple_choice", prompt: "2+2?", choices: ["3", "4"], answerIndex: 2 }] },
      }),
      "BAD_REQUEST",
    );
    expect(error.message).toMatch(/answer must be one of the choices/);
    await expectTrpcError(
      alice.caller.study.library.items.create({ itemType: "flashcard", title: "Empty", content: { cards: [] } }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      alice.caller.study.library.items.create({
        itemType: "flashcard",
        title: "Dup",
        content: { cards: [...cards(1).cards, ...cards(1).cards] },
      }),
      "BAD_REQUEST",
    );
    expect((await alice.caller.study.library.items.list({ itemType: "quiz" })).items.map((i) => i.title)).not.toContain(
      "Bad quiz",
    );
  });

  it("are edited (title, topic, content re-checked), moved between folders, filtered and paged", async () => {
    const u = await h.signUp("library-editor");
    const folder = await u.caller.study.library.folders.create({ name: "Exam" });
    const guide = await u.caller.study.library.items.create({
      itemType: "study_guide",
      title: "Photosynthesis",
      content: { sections: [{ heading: "Light", body: "Light reactions make ATP." }] },
    });
    expect(guide).toMatchObject({ source: "manual", isPlaceholder: false, citations: [], folderId: null });
    const quiz = await u.caller.study.library.items.create({
      itemType: "quiz",
      title: "Quick quiz",
      content: { questions: [{ id: "q1", kind: "true_false", prompt: "The sky is blue.", answer: true }] },
      folderId: folder.id,
    });
    const set = await u.caller.study.library.items.create({ itemType: "flashcard", title: "Terms", content: cards(3) });

    const edited = await u.caller.study.library.items.update({
      itemId: guide.id,
      title: "Photosynthesis, revised",
      topic: "Plants",
      content: { sections: [{ heading: "Light", body: "Light reactions make ATP and NADPH." }] },
      folderId: folder.id,
    });
    expect(edited).toMatchObject({ title: "Photosynthesis, revised", topic: "Plants", folderId: folder.id });
    if (edited.itemType !== "study_guide") throw new Error("type changed");
    expect(edited.content.sections[0]?.body).toBe("Light reactions make ATP and NADPH.");
    // Content is held to the item's own type: a flashcard shape is not a study guide.
    await expectTrpcError(u.caller.study.library.items.update({ itemId: guide.id, content: cards(1) }), "BAD_REQUEST");

    expect((await u.caller.study.library.items.list({ folderId: folder.id })).items.map((i) => i.id).sort()).toEqual(
      [guide.id, quiz.id].sort(),
    );
    expect((await u.caller.study.library.items.list({ folderId: null })).items.map((i) => i.id)).toEqual([set.id]);
    expect((await u.caller.study.library.items.list({ itemType: "quiz" })).items.map((i) => i.id)).toEqual([quiz.id]);

    // Keyset paging: newest first, no row twice, none missed.
    const first = await u.caller.study.library.items.list({ limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([set.id, quiz.id]);
    expect(first.nextCursor).not.toBeNull();
    const second = await u.caller.study.library.items.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((i) => i.id)).toEqual([guide.id]);
    expect(second.nextCursor).toBeNull();

    // Moved out of the folder, then deleted.
    expect((await u.caller.study.library.items.update({ itemId: quiz.id, folderId: null })).folderId).toBeNull();
    await u.caller.study.library.items.delete({ itemId: quiz.id });
    await expectTrpcError(u.caller.study.library.items.get({ itemId: quiz.id }), "NOT_FOUND");
  });

  it("ignore a hand-made claim to be generated or cited", async () => {
    const item = await alice.caller.study.library.items.create({
      itemType: "flashcard",
      title: "Honest",
      content: cards(1),
      // Not part of a hand-made item: the procedure sets these itself.
      isPlaceholder: true,
      source: "documents",
    });
    expect(item).toMatchObject({ isPlaceholder: false, source: "manual", citations: [] });
  });
});

describe("another user", () => {
  it("cannot read, list, edit, move, delete or file into the owner's items and folders", async () => {
    const folder = await alice.caller.study.library.folders.create({ name: "Private" });
    const item = await alice.caller.study.library.items.create({
      itemType: "flashcard",
      title: "Alice's cards",
      content: cards(2),
      folderId: folder.id,
    });
    await expectTrpcError(bob.caller.study.library.items.get({ itemId: item.id }), "NOT_FOUND");
    await expectTrpcError(bob.caller.study.library.items.update({ itemId: item.id, title: "Bob's" }), "NOT_FOUND");
    await expectTrpcError(bob.caller.study.library.items.delete({ itemId: item.id }), "NOT_FOUND");
    await expectTrpcError(bob.caller.study.library.folders.rename({ folderId: folder.id, name: "Bob's" }), "NOT_FOUND");
    await expectTrpcError(bob.caller.study.library.folders.delete({ folderId: folder.id }), "NOT_FOUND");
    await expectTrpcError(
      bob.caller.study.library.items.create({
        itemType: "flashcard",
        title: "Into Alice's",
        content: cards(1),
        folderId: folder.id,
      }),
      "NOT_FOUND",
    );
    const own = await bob.caller.study.library.items.create({ itemType: "flashcard", title: "Bob's", content: cards(1) });
    await expectTrpcError(bob.caller.study.library.items.update({ itemId: own.id, folderId: folder.id }), "NOT_FOUND");
    await expectTrpcError(
      bob.caller.study.library.generate({ itemType: "quiz", topic: "Anything", folderId: folder.id }),
      "NOT_FOUND",
    );
    expect((await bob.caller.study.library.items.list()).items.map((i) => i.id)).toEqual([own.id]);
    expect(await bob.caller.study.library.folders.list()).toEqual([]);
    expect(await alice.caller.study.library.items.get({ itemId: item.id })).toMatchObject({
      title: "Alice's cards",
      folderId: folder.id,
    });
  });
});

describe("generation, offline placeholder", () => {
  it("makes a study guide from a topic: flagged placeholder, metered study.generate with the topic in the log", async () => {
    const u = await h.signUp("library-topic");
    const before = await u.caller.credits.balance();
    const item = await u.caller.study.library.generate({
      itemType: "study_guide",
      topic: "The water cycle",
      idempotencyKey: key(),
    });
    expect(item).toMatchObject({ itemType: "study_guide", source: "topic", isPlaceholder: true, topic: "The water cycle" });
    if (item.itemType !== "study_guide") throw new Error("wrong type");
    expect(item.content.sections.length).toBeGreaterThan(0);
    expect(item.content.sections[0]?.body).toContain("The water cycle");
    // Deterministic: the same topic gives the same content.
    const again = await u.caller.study.library.generate({
      itemType: "study_guide",
      topic: "The water cycle",
      idempotencyKey: key(),
    });
    expect(again.content).toEqual(item.content);
    expect((await u.caller.credits.balance()).available).toBe(before.available - 40);
    const gens = await u.caller.usage.generations({ operation: "study.generate" });
    expect(gens).toHaveLength(2);
    expect(gens[0]).toMatchObject({ status: "succeeded", credits: 20 });
    expect(gens[0]?.topic).toContain("The water cycle");
  });

  it("makes every item type valid for its schema", async () => {
    const u = await h.signUp("library-types");
    for (const itemType of ["quiz", "flashcard", "study_guide", "writing_prompt"] as const) {
      const item = await u.caller.study.library.generate({ itemType, topic: "Volcanoes", count: 4 });
      expect(item.itemType).toBe(itemType);
      // Read back through the schema-checked path.
      expect((await u.caller.study.library.items.get({ itemId: item.id })).content).toEqual(item.content);
    }
  });

  it("makes flashcards from a note and a document with citations back to the passages used", async () => {
    const u = await h.signUp("library-notes");
    const note = await u.caller.writer.knowledge.create({
      title: "Cell biology",
      content:
        "Mitochondria produce ATP through cellular respiration. The nucleus holds the cell's DNA. Ribosomes build proteins from amino acids.",
      category: "about_me",
    });
    const doc = await u.caller.chat.addDocument({
      title: "Lecture 3",
      kind: "text",
      content: "Osmosis is the movement of water across a membrane. Diffusion moves particles from high to low concentration.",
    });
    const item = await u.caller.study.library.generate({
      itemType: "flashcard",
      sourceIds: { notes: [note.id], documents: [doc.id] },
      count: 5,
      idempotencyKey: key(),
    });
    expect(item).toMatchObject({ source: "documents", isPlaceholder: true });
    if (item.itemType !== "flashcard") throw new Error("wrong type");
    expect(item.content.cards).toHaveLength(5);
    expect(item.citations.map((c) => [c.sourceKind, c.sourceId, c.title]).sort()).toEqual(
      [
        ["document", doc.id, "Lecture 3"],
        ["note", note.id, "Cell biology"],
      ].sort(),
    );
    const docCitation = item.citations.find((c) => c.sourceKind === "document");
    expect(docCitation?.chunkId).toMatch(/^[0-9a-f-]{36}$/);
    expect(item.citations.find((c) => c.sourceKind === "note")?.quote).toContain("Mitochondria");
    // Every card cites a passage in the item's own list, and that passage says what the card does.
    for (const card of item.content.cards) {
      expect(card.cites).toHaveLength(1);
      const cited = item.citations[card.cites[0] as number];
      expect(cited?.quote).toContain(card.back.slice(0, 20));
    }
  });

  it("refuses a note or document that is not the caller's, charging nothing", async () => {
    const note = await alice.caller.writer.knowledge.create({
      title: "Alice's note",
      content: "Secret things here.",
      category: "about_me",
    });
    const before = await bob.caller.credits.balance();
    await expectTrpcError(
      bob.caller.study.library.generate({ itemType: "quiz", sourceIds: { notes: [note.id] }, idempotencyKey: key() }),
      "NOT_FOUND",
    );
    await expectTrpcError(bob.caller.study.library.generate({ itemType: "quiz" }), "BAD_REQUEST");
    expect((await bob.caller.credits.balance()).available).toBe(before.available);
    expect(await bob.caller.usage.generations({ operation: "study.generate" })).toEqual([]);
  });

  it("is refused for lack of credits and leaves nothing: no item, no generation, no charge", async () => {
    const u = await h.signUp("library-broke");
    await h.raw(sql`UPDATE credit_grants SET remaining = 0 WHERE user_id = ${u.me.id}`);
    await h.raw(sql`UPDATE credit_accounts SET balance = 0 WHERE user_id = ${u.me.id}`);
    await expectTrpcError(
      u.caller.study.library.generate({ itemType: "quiz", topic: "Fractions", idempotencyKey: key() }),
      "PAYMENT_REQUIRED",
    );
    expect((await u.caller.study.library.items.list()).items).toEqual([]);
    expect(await u.caller.usage.generations({ operation: "study.generate" })).toEqual([]);
  });
});

describe("generation with a model (local OpenAI-compatible server)", () => {
  it("sends the schema problem back once and saves the corrected reply, with citations renumbered", async () => {
    const u = await local.h.signUp("library-model");
    const first = await u.caller.writer.knowledge.create({
      title: "Unused note",
      content: "Nothing relevant.",
      category: "about_me",
    });
    const second = await u.caller.writer.knowledge.create({
      title: "Fractions",
      content: "A fraction names part of a whole. One half is larger than one third.",
      category: "about_me",
    });
    const quiz = (answerIndex: number) =>
      JSON.stringify({
        title: "Fractions check",
        content: {
          questions: [
            {
              id: "q1",
              kind: "multiple_choice",
              prompt: "Which is larger?",
              choices: ["One half", "One third"],
              answerIndex,
              explanation: "Halves are bigger pieces.",
              cites: [1],
            },
          ],
        },
      });
    let calls = 0;
    local.server.setReply(() => {
      calls++;
      return quiz(calls === 1 ? 5 : 0);
    });
    const sent = local.server.requests.length;
    const item = await u.caller.study.library.generate({
      itemType: "quiz",
      sourceIds: { notes: [first.id, second.id] },
      count: 1,
      idempotencyKey: key(),
    });
    local.server.setReply(null);
    expect(calls).toBe(2);
    const requests = local.server.requests.slice(sent).map((r) => JSON.stringify(r.body));
    expect(requests[0]).toContain("One half is larger than one third");
    expect(requests[1]).toContain("not usable");
    expect(requests[1]).toContain("answer must be one of the choices");
    expect(item).toMatchObject({ title: "Fractions check", isPlaceholder: false, source: "documents" });
    if (item.itemType !== "quiz") throw new Error("wrong type");
    // Only the passage cited is kept, and the question points at it in the item's own list.
    expect(item.citations.map((c) => c.sourceId)).toEqual([second.id]);
    expect(item.content.questions[0]?.cites).toEqual([0]);
  });

  it("fails clearly when the retry is also wrong: nothing saved, nothing charged", async () => {
    const u = await local.h.signUp("library-model-fail");
    local.server.setReply(JSON.stringify({ title: "Broken", content: { cards: [] } }));
    const before = await u.caller.credits.balance();
    const error = await expectTrpcError(
      u.caller.study.library.generate({ itemType: "flashcard", topic: "Anything", idempotencyKey: key() }),
      "BAD_GATEWAY",
    );
    local.server.setReply(null);
    expect(error.message).toMatch(/expected format/);
    expect((await u.caller.study.library.items.list()).items).toEqual([]);
    expect((await u.caller.credits.balance()).available).toBe(before.available);
    expect((await u.caller.usage.generations({ operation: "study.generate" })).map((g) => g.status)).toEqual(["failed"]);
  });
});
