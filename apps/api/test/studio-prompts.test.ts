/**
 * Image prompts from a photo, on the real database: an uploaded photo becomes five labelled prompts —
 * with the offline provider (placeholders built from the photo's size, labelled) and with the local
 * OpenAI-compatible server (the photo's bytes are sent, never a link; a reply of four variations is
 * corrected by the one retry; a model that never answers right fails clearly, saves nothing and charges
 * nothing). Editing marks a prompt edited; deleting the source asset or the persona keeps the prompts;
 * another user can use none of it.
 */
import { randomUUID } from "node:crypto";
import { asUser } from "@inkwell/db";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { jpegWithGps, wavSilence } from "@inkwell/domain/stories/testing";
import { prompts } from "@inkwell/domain/studio";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness, startHarnessWithLocalModel } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let local: Awaited<ReturnType<typeof startHarnessWithLocalModel>>;
let alice: User;
let bob: User;
let carol: User;
let photoId: string;
let personaId: string;

async function uploadAsset(harness: Harness, user: User, body: Buffer, filename: string): Promise<string> {
  const res = await harness.app.request(`/uploads?purpose=studio_asset&filename=${encodeURIComponent(filename)}`, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${user.token}` },
  });
  const json = (await res.json()) as { fileId?: string; error?: unknown };
  if (!json.fileId) throw new Error(`upload failed: ${res.status} ${JSON.stringify(json)}`);
  const asset = await user.caller.studio.assets.attach({ fileId: json.fileId });
  return asset.id;
}

async function insertPersona(harness: Harness, user: User, name: string, description: string): Promise<string> {
  const { rows } = await harness.raw(
    sql`INSERT INTO model_personas (user_id, name, description) VALUES (${user.me.id}, ${name}, ${description}) RETURNING id`,
  );
  return (rows[0] as { id: string }).id;
}

const key = () => randomUUID();

beforeAll(async () => {
  h = await startHarness();
  local = await startHarnessWithLocalModel();
  [alice, bob] = [await h.signUp("prompts-alice"), await h.signUp("prompts-bob")];
  carol = await local.h.signUp("prompts-carol");
  photoId = await uploadAsset(h, alice, await jpegWithGps(640, 480), "pier.jpg");
  personaId = await insertPersona(h, alice, "Mila", "a red-haired travel model with freckles");
}, 60_000);

afterAll(async () => {
  await closeUntrustedPool();
  await h?.stop();
  await local?.stop();
});

describe("five prompts from a photo, offline", () => {
  // The fixture is a phone photo lying on its side (EXIF orientation 6): taken 640×480, it is stored and
  // served upright, 480×640, and that is the size the prompts describe.
  it("are placeholders built from the photo's real size, labelled, in order, and metered once", async () => {
    const before = await alice.caller.credits.balance();
    const run = await alice.caller.studio.prompts.fromImage({ assetId: photoId, personaId, idempotencyKey: key() });
    expect(run.placeholder).toBe(true);
    expect(run.prompts).toHaveLength(5);
    expect(run.prompts.map((p) => p.promptIndex)).toEqual([0, 1, 2, 3, 4]);
    for (const p of run.prompts) {
      expect(p.placeholder).toBe(true);
      expect(p.variationLabel.length).toBeGreaterThan(0);
      expect(p.variationLabel.length).toBeLessThanOrEqual(40);
      expect(p.promptText).toContain("480×640");
      expect(p.promptText).toContain("portrait frame (3:4");
      expect(p.promptText).toContain("Mila");
      expect(p.sourceAssetId).toBe(photoId);
      expect(p.personaId).toBe(personaId);
      expect(p.isEdited).toBe(false);
    }
    expect(new Set(run.prompts.map((p) => p.variationLabel)).size).toBe(5);
    expect(run.credits).toBe(5);
    expect((await alice.caller.credits.balance()).available).toBe(before.available - 5);
    const { rows } = await h.raw(
      sql`SELECT count(*)::int AS n FROM generations WHERE user_id = ${alice.me.id} AND operation = 'image.describe'`,
    );
    expect(rows[0]).toEqual({ n: 1 });

    // The same photo gives the same five (deterministic); another size gives others.
    const again = await alice.caller.studio.prompts.fromImage({ assetId: photoId, personaId, idempotencyKey: key() });
    expect(again.prompts.map((p) => p.promptText)).toEqual(run.prompts.map((p) => p.promptText));
    const wide = await uploadAsset(h, alice, await jpegWithGps(200, 300), "wide.jpg");
    const other = await alice.caller.studio.prompts.fromImage({ assetId: wide, idempotencyKey: key() });
    expect(other.prompts[0]?.promptText).toContain("landscape frame (3:2, 300×200 px)");
    expect(other.prompts[0]?.promptText).not.toContain("Mila");

    const listed = await alice.caller.studio.prompts.list({ sourceAssetId: photoId });
    expect(listed.items).toHaveLength(10);
    expect(listed.items.slice(0, 5).map((p) => p.promptIndex)).toEqual([0, 1, 2, 3, 4]);
    const page = await alice.caller.studio.prompts.list({ sourceAssetId: photoId, limit: 3 });
    const rest = await alice.caller.studio.prompts.list({
      sourceAssetId: photoId,
      limit: 50,
      ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
    });
    expect([...page.items, ...rest.items].map((p) => p.id)).toEqual(listed.items.map((p) => p.id));
    expect((await alice.caller.studio.prompts.list({ personaId })).items).toHaveLength(10);
  });

  it("are refused for an asset that is not an image, before anything is charged", async () => {
    const audio = await uploadAsset(h, alice, wavSilence(1), "hello.wav");
    const before = await alice.caller.credits.balance();
    const error = await expectTrpcError(
      alice.caller.studio.prompts.fromImage({ assetId: audio, idempotencyKey: key() }),
      "BAD_REQUEST",
    );
    expect(error.message).toMatch(/images/);
    expect((await alice.caller.credits.balance()).available).toBe(before.available);
  });
});

describe("editing and keeping prompts", () => {
  it("an edit marks the prompt edited; a manual prompt can be written and deleted", async () => {
    const [first] = (await alice.caller.studio.prompts.list({ sourceAssetId: photoId })).items;
    if (!first) throw new Error("no prompt");
    const edited = await alice.caller.studio.prompts.update({
      promptId: first.id,
      promptText: "Mila on the pier at dawn, mist over the water",
      variationLabel: "Dawn mist",
    });
    expect(edited).toMatchObject({
      isEdited: true,
      variationLabel: "Dawn mist",
      promptText: "Mila on the pier at dawn, mist over the water",
    });
    const manual = await alice.caller.studio.prompts.create({ promptText: "A lighthouse in a storm", variationLabel: "Storm" });
    expect(manual).toMatchObject({ placeholder: false, sourceAssetId: null, isEdited: false });
    expect(await asUser(h.db, alice.me.id, (tx) => prompts.forGeneration(tx, manual.id))).toEqual({
      id: manual.id,
      promptText: "A lighthouse in a storm",
      personaId: null,
    });
    await alice.caller.studio.prompts.delete({ promptId: manual.id });
    await expectTrpcError(alice.caller.studio.prompts.update({ promptId: manual.id, promptText: "x" }), "NOT_FOUND");
  });

  it("deleting the source photo or the persona keeps the prompts", async () => {
    const asset = await uploadAsset(h, alice, await jpegWithGps(320, 320), "square.jpg");
    const persona = await insertPersona(h, alice, "Noor", "a calm yoga teacher");
    const run = await alice.caller.studio.prompts.fromImage({ assetId: asset, personaId: persona, idempotencyKey: key() });
    expect(run.prompts[0]?.promptText).toContain("square frame");
    await alice.caller.studio.assets.delete({ assetId: asset });
    await h.raw(sql`DELETE FROM model_personas WHERE id = ${persona}`);
    const kept = (await alice.caller.studio.prompts.list({})).items.filter((p) => run.prompts.some((r) => r.id === p.id));
    expect(kept).toHaveLength(5);
    for (const p of kept) expect(p).toMatchObject({ sourceAssetId: null, personaId: null });
  });
});

describe("another user", () => {
  it("can use none of it", async () => {
    const [target] = (await alice.caller.studio.prompts.list({ sourceAssetId: photoId })).items;
    if (!target) throw new Error("no prompt");
    const bobBefore = await bob.caller.credits.balance();
    await expectTrpcError(bob.caller.studio.prompts.fromImage({ assetId: photoId, idempotencyKey: key() }), "NOT_FOUND");
    const own = await uploadAsset(h, bob, await jpegWithGps(100, 100), "bob.jpg");
    await expectTrpcError(bob.caller.studio.prompts.fromImage({ assetId: own, personaId, idempotencyKey: key() }), "NOT_FOUND");
    expect((await bob.caller.credits.balance()).available).toBe(bobBefore.available);
    expect((await bob.caller.studio.prompts.list({})).items).toEqual([]);
    expect((await bob.caller.studio.prompts.list({ sourceAssetId: photoId })).items).toEqual([]);
    await expectTrpcError(bob.caller.studio.prompts.create({ promptText: "mine", sourceAssetId: photoId }), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.prompts.create({ promptText: "mine", personaId }), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.prompts.update({ promptId: target.id, promptText: "stolen" }), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.prompts.delete({ promptId: target.id }), "NOT_FOUND");
    expect(await asUser(h.db, bob.me.id, (tx) => prompts.forGeneration(tx, target.id))).toBeNull();
    // Even past the service, the table refuses a row pointing at someone else's photo.
    await expect(
      asUser(h.db, bob.me.id, (tx) =>
        tx.insertInto("image_prompts").values({ user_id: bob.me.id, source_asset_id: photoId, prompt_text: "sneaky" }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const after = (await alice.caller.studio.prompts.list({ sourceAssetId: photoId })).items.find((p) => p.id === target.id);
    expect(after?.promptText).toBe(target.promptText);
  });
});

describe("five prompts from a photo, with a vision model", () => {
  const DESCRIPTION = "A woman in a red coat stands at the end of a wooden pier at dusk, looking at the sea.";
  const variations = (n: number) => ({
    variations: Array.from({ length: n }, (_, i) => ({
      label: `Take ${i + 1}`,
      prompt: `A woman in a red coat on a wooden pier, variation ${i + 1}, soft dusk light, 50mm, photorealistic.`,
    })),
  });
  const hasImage = (body: { messages: { content: unknown }[] }) =>
    body.messages.some((m) => Array.isArray(m.content) && m.content.some((p: { type: string }) => p.type === "image_url"));

  it("sends the photo's bytes, and one corrective retry turns four variations into five", async () => {
    const asset = await uploadAsset(local.h, carol, await jpegWithGps(400, 300), "red-coat.jpg");
    let structuredCalls = 0;
    local.server.setReply((body) => {
      if (hasImage(body)) return DESCRIPTION;
      structuredCalls++;
      return JSON.stringify(variations(structuredCalls === 1 ? 4 : 5));
    });
    const sent = local.server.requests.length;
    const before = await carol.caller.credits.balance();
    const run = await carol.caller.studio.prompts.fromImage({ assetId: asset, idempotencyKey: key() });
    expect(run.placeholder).toBe(false);
    expect(run.prompts.map((p) => p.variationLabel)).toEqual(["Take 1", "Take 2", "Take 3", "Take 4", "Take 5"]);
    expect(run.prompts.every((p) => !p.placeholder && p.provider === "openai")).toBe(true);
    expect(structuredCalls).toBe(2);
    const requests = local.server.requests.slice(sent).map((r) => JSON.stringify(r.body));
    expect(requests).toHaveLength(3);
    // The image travels as bytes in the request (a data URL), never as a link the model would fetch.
    expect(requests[0]).toContain("data:image/jpeg;base64,");
    expect(requests[0]).not.toContain("http://app.test");
    expect(requests[1]).toContain("red coat stands at the end of a wooden pier");
    expect(requests[2]).toContain("not usable");
    expect((await carol.caller.credits.balance()).available).toBe(before.available - 5);
    local.server.setReply(null);
  });

  it("fails clearly when the model never answers right: nothing saved, nothing charged", async () => {
    const asset = await uploadAsset(local.h, carol, await jpegWithGps(300, 300), "again.jpg");
    local.server.setReply((body) => (hasImage(body) ? DESCRIPTION : JSON.stringify(variations(4))));
    const before = await carol.caller.credits.balance();
    const error = await expectTrpcError(
      carol.caller.studio.prompts.fromImage({ assetId: asset, idempotencyKey: key() }),
      "BAD_GATEWAY",
    );
    expect(error.message).toMatch(/expected format/);
    expect((await carol.caller.studio.prompts.list({ sourceAssetId: asset })).items).toEqual([]);
    expect((await carol.caller.credits.balance()).available).toBe(before.available);
    local.server.setReply(null);
  });
});
