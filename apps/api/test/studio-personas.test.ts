/**
 * Model personas with voices on a real Postgres and the local TTS sandbox over HTTP: CRUD, reference
 * images checked on write and dropped quietly once deleted, a deleted persona leaving its assets
 * ungrouped, the voice preview and read-aloud producing a playable audio asset charged once, the
 * user's own ElevenLabs key used for their calls (and not charged), and every procedure isolated per user.
 */
import { asUser } from "@inkwell/db";
import { identity } from "@inkwell/domain/identity";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { assets } from "@inkwell/domain/studio";
import { startTtsSandbox, type TtsSandbox, thumbnailPng } from "@inkwell/domain/studio/testing";
import { writerSessions } from "@inkwell/domain/writer";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
let tts: TtsSandbox;
type User = Awaited<ReturnType<Harness["signUp"]>>;
let a: User;
let b: User;
const SERVER_KEY = "server-tts-key";
const USER_KEY = "user-own-elevenlabs-key";

beforeAll(async () => {
  tts = await startTtsSandbox({ keys: [SERVER_KEY, USER_KEY] });
  h = await startHarness();
  // As the API binds it (deps.ts): users' saved keys are what the cost labels read.
  identity.bindSavedAiConnections(h.deps.ai, h.db, h.deps.keyRing);
  // The sandbox on a random port: not the default address, so its answers' header is what labels them.
  h.deps.tts = { baseUrl: tts.url, apiKey: SERVER_KEY, sandbox: false, maxRetries: 1 };
  [a, b] = (await Promise.all([h.signUp("persona-a"), h.signUp("persona-b")])) as [User, User];
});

afterAll(async () => {
  await writerSessions.settled();
  await closeUntrustedPool();
  await h?.stop();
  await tts?.stop();
});

/** An image asset of `user` (as a generated image would be stored). */
async function imageAsset(user: User, seed: string): Promise<string> {
  const stored = await assets.storeGenerated(
    { db: h.db, storage: h.deps.storage },
    { userId: user.me.id, bytes: thumbnailPng(seed), filename: `${seed}.png`, source: "generation" },
  );
  return stored.assetId;
}

/** The bytes behind a signed URL, fetched through the app as a browser would. */
async function download(url: string): Promise<Uint8Array> {
  const res = await h.app.request(url);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

function wavDurationMs(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("RIFF");
  return (view.getUint32(40, true) / view.getUint32(28, true)) * 1000;
}

describe("personas", () => {
  it("creates, lists, reads, updates, toggles and deletes a persona", async () => {
    const created = await a.caller.studio.personas.create({ name: "  Mia  ", description: "Beach lifestyle" });
    expect(created).toMatchObject({
      name: "Mia",
      description: "Beach lifestyle",
      voiceId: null,
      voiceSettings: { stability: 0.5, similarityBoost: 0.75, style: 0 },
      referenceImages: [],
      isActive: true,
    });
    const updated = await a.caller.studio.personas.update({
      personaId: created.id,
      name: "Mia R.",
      voiceId: "sandbox-bella",
      voiceSettings: { stability: 0.2, similarityBoost: 0.9, style: 0.4 },
    });
    expect(updated).toMatchObject({ name: "Mia R.", voiceId: "sandbox-bella", voiceSettings: { stability: 0.2, style: 0.4 } });
    expect((await a.caller.studio.personas.setActive({ personaId: created.id, isActive: false })).isActive).toBe(false);
    expect((await a.caller.studio.personas.get({ personaId: created.id })).isActive).toBe(false);
    expect((await a.caller.studio.personas.list()).map((p) => p.id)).toContain(created.id);
    await expectTrpcError(
      a.caller.studio.personas.update({ personaId: created.id, voiceSettings: { stability: 1.5, similarityBoost: 0, style: 0 } }),
      "BAD_REQUEST",
    );
    await a.caller.studio.personas.delete({ personaId: created.id });
    await expectTrpcError(a.caller.studio.personas.get({ personaId: created.id }), "NOT_FOUND");
  });

  it("reference images are checked on write and a deleted one drops out quietly on read", async () => {
    const [one, two] = [await imageAsset(a, "ref-one"), await imageAsset(a, "ref-two")];
    const foreign = await imageAsset(b, "ref-foreign");
    const p = await a.caller.studio.personas.create({ name: "Refs", referenceAssetIds: [one, two] });
    expect(p.referenceAssetIds).toEqual([one, two]);
    expect(p.referenceImages[0]).toMatchObject({ id: one, filename: expect.stringContaining("ref-one"), width: 90, height: 160 });
    expect(p.referenceImages[0]?.thumbnailUrl ?? p.referenceImages[0]?.url).toBeTruthy();

    // Someone else's image, or one that does not exist: refused, clearly, and nothing changes.
    for (const bad of [foreign, crypto.randomUUID()]) {
      const error = await expectTrpcError(
        a.caller.studio.personas.update({ personaId: p.id, referenceAssetIds: [one, bad] }),
        "BAD_REQUEST",
      );
      expect((error as Error).message).toMatch(/not in your asset library/);
    }
    await expectTrpcError(a.caller.studio.personas.create({ name: "Theirs", referenceAssetIds: [foreign] }), "BAD_REQUEST");
    expect((await a.caller.studio.personas.get({ personaId: p.id })).referenceAssetIds).toEqual([one, two]);

    // The asset goes; the persona still reads, without it.
    await a.caller.studio.assets.delete({ assetId: one });
    const after = await a.caller.studio.personas.get({ personaId: p.id });
    expect(after.referenceAssetIds).toEqual([two]);
    expect(after.referenceImages.map((i) => i.id)).toEqual([two]);
    expect((await a.caller.studio.personas.list()).find((x) => x.id === p.id)?.referenceAssetIds).toEqual([two]);
  });

  it("lists the service's voices", async () => {
    const { voices, sandbox } = await a.caller.studio.personas.voices();
    expect(sandbox).toBe(true);
    expect(voices.map((v) => v.voiceId)).toContain("sandbox-rachel");
  });

  it("previews the voice: a playable audio asset of the persona, charged once, on the server's key", async () => {
    const p = await a.caller.studio.personas.create({ name: "Voiced", voiceId: "sandbox-adam" });
    const before = (await a.caller.credits.balance()).available;
    const preview = await a.caller.studio.personas.previewVoice({ personaId: p.id, text: "Hello, this is my voice." });
    expect(preview).toMatchObject({ sandbox: true, credits: 3 });
    expect((await a.caller.credits.balance()).available).toBe(before - 3);
    expect(tts.requests.at(-1)).toMatchObject({ apiKey: SERVER_KEY, path: "/v1/text-to-speech/sandbox-adam" });
    expect(tts.requests.at(-1)?.body?.voice_settings).toEqual({ stability: 0.5, similarity_boost: 0.75, style: 0 });

    const asset = await a.caller.studio.assets.get({ assetId: preview.assetId });
    expect(asset).toMatchObject({ kind: "audio", source: "voice", personaId: p.id });
    expect(asset.durationMs).toBeGreaterThan(1000);
    const bytes = await download(preview.url);
    expect(wavDurationMs(bytes)).toBeCloseTo(asset.durationMs ?? 0, -2);

    // Without a voice there is nothing to preview (and nothing is charged).
    const mute = await a.caller.studio.personas.create({ name: "Mute" });
    await expectTrpcError(a.caller.studio.personas.previewVoice({ personaId: mute.id }), "PRECONDITION_FAILED");
    expect((await a.caller.credits.balance()).available).toBe(before - 3);
  });

  it("a failing TTS service charges nothing", async () => {
    const p = await a.caller.studio.personas.create({ name: "Flaky", voiceId: "sandbox-josh" });
    const before = (await a.caller.credits.balance()).available;
    tts.failNext(10, 500);
    await expectTrpcError(a.caller.studio.personas.previewVoice({ personaId: p.id }), "BAD_GATEWAY");
    tts.failNext(0);
    expect((await a.caller.credits.balance()).available).toBe(before);
  });

  it("deleting a persona keeps its assets, no longer grouped under it", async () => {
    const p = await a.caller.studio.personas.create({ name: "Short-lived", voiceId: "sandbox-rachel" });
    const { assetId } = await a.caller.studio.personas.previewVoice({ personaId: p.id });
    await a.caller.studio.personas.delete({ personaId: p.id });
    const asset = await a.caller.studio.assets.get({ assetId });
    expect(asset.personaId).toBeNull();
  });

  it("reads a writer output aloud in the persona's voice", async () => {
    const p = await a.caller.studio.personas.create({ name: "Narrator", voiceId: "sandbox-rachel" });
    const { sessionId } = await a.caller.writer.sessions.create({
      concept: "Why small bakeries should post every morning",
      formats: ["linkedin_post"],
      style: "natural",
      idempotencyKey: `personas-${crypto.randomUUID()}`,
    });
    await writerSessions.settled();
    const { outputs } = await a.caller.writer.sessions.get({ sessionId });
    const output = outputs[0];
    if (!output?.current) throw new Error("no writer output");
    const spoken = await a.caller.studio.personas.readAloud({ personaId: p.id, writerOutputId: output.id });
    const last = tts.requests.at(-1);
    expect(last?.body?.text?.length).toBeGreaterThan(50);
    expect(output.current.content).toContain(last?.body?.text?.slice(0, 40));
    const asset = await a.caller.studio.assets.get({ assetId: spoken.assetId });
    expect(asset).toMatchObject({ kind: "audio", source: "voice", personaId: p.id });
    // Someone else's output is not found (and not read).
    await expectTrpcError(b.caller.studio.personas.readAloud({ personaId: p.id, writerOutputId: output.id }), "NOT_FOUND");
    const mine = await b.caller.studio.personas.create({ name: "B's", voiceId: "sandbox-adam" });
    await expectTrpcError(b.caller.studio.personas.readAloud({ personaId: mine.id, writerOutputId: output.id }), "NOT_FOUND");
  });

  it("the user's own ElevenLabs key speaks their calls, and nothing is charged", async () => {
    const u = await h.signUp("persona-own-key");
    await u.caller.apiKeys.save({ service: "elevenlabs", key: USER_KEY });
    const p = await u.caller.studio.personas.create({ name: "Own", voiceId: "sandbox-bella" });
    const before = (await u.caller.credits.balance()).available;
    const preview = await u.caller.studio.personas.previewVoice({ personaId: p.id });
    expect(preview.credits).toBe(0);
    expect(tts.requests.at(-1)?.apiKey).toBe(USER_KEY);
    expect((await u.caller.credits.balance()).available).toBe(before);
    // In the usage log like any own-key call (0 credits, provider own-key), and the cost label says 0.
    const logged = await u.caller.usage.generations({ operation: "voice.speak" });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ provider: "own-key", status: "succeeded", credits: 0 });
    expect(await u.caller.usage.ownKeyOperations()).toContain("voice.speak");
    expect(await a.caller.usage.ownKeyOperations()).not.toContain("voice.speak");
    expect((await u.caller.studio.personas.voices()).voices.length).toBeGreaterThan(0);
    expect(tts.requests.at(-1)?.apiKey).toBe(USER_KEY);

    // A key the service refuses says so, and where to fix it.
    await u.caller.apiKeys.save({ service: "elevenlabs", key: "revoked-key" });
    const error = await expectTrpcError(u.caller.studio.personas.previewVoice({ personaId: p.id }), "PRECONDITION_FAILED");
    expect((error as Error).message).toMatch(/ElevenLabs key/);
  });

  it("every procedure is the owner's only", async () => {
    const img = await imageAsset(a, "isolation");
    const p = await a.caller.studio.personas.create({ name: "Private", voiceId: "sandbox-rachel", referenceAssetIds: [img] });
    const personaId = p.id;
    expect((await b.caller.studio.personas.list()).map((x) => x.id)).not.toContain(personaId);
    await expectTrpcError(b.caller.studio.personas.get({ personaId }), "NOT_FOUND");
    await expectTrpcError(b.caller.studio.personas.update({ personaId, name: "Mine" }), "NOT_FOUND");
    await expectTrpcError(b.caller.studio.personas.setActive({ personaId, isActive: false }), "NOT_FOUND");
    await expectTrpcError(b.caller.studio.personas.delete({ personaId }), "NOT_FOUND");
    const requests = tts.requests.length;
    await expectTrpcError(b.caller.studio.personas.previewVoice({ personaId }), "NOT_FOUND");
    expect(tts.requests.length).toBe(requests);
    // B cannot borrow A's image as a reference either.
    await expectTrpcError(b.caller.studio.personas.create({ name: "Copy", referenceAssetIds: [img] }), "BAD_REQUEST");
    // Unchanged for A.
    expect(await a.caller.studio.personas.get({ personaId })).toMatchObject({
      name: "Private",
      isActive: true,
      referenceAssetIds: [img],
    });
    // The policies themselves: as B, the row is invisible even to a query that names it.
    const seen = await asUser(h.db, b.me.id, (tx) =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM model_personas WHERE id = ${personaId}`.execute(tx),
    );
    expect(seen.rows[0]?.n).toBe(0);
  });
});
