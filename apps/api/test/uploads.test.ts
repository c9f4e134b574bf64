/**
 * Uploads after they arrive, end to end on a real Postgres and the local disk: attaching one reuses what
 * the upload read (a photo's size, a recording's length) instead of reading the whole object back; and
 * the daily sweep (`files.sweep-uploads`) deletes uploads nothing attached once past their grace period,
 * with their bytes, bounded per run and safe to repeat, never one attached to a story (photo, thumbnail,
 * recording), to the asset library or to a post, nor a young one or one of another purpose.
 */
import { asUser } from "@inkwell/db";
import { insertFixtureConnection } from "@inkwell/domain/connections/testing";
import { files, sweepUploadsJob, UNATTACHED_GRACE_MS } from "@inkwell/domain/files";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { posts } from "@inkwell/domain/posts";
import { jpegWithGps, wavSilence } from "@inkwell/domain/stories/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
type User = Awaited<ReturnType<Harness["signUp"]>>;
const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await closeUntrustedPool();
  await h.stop();
});

async function upload(user: User, purpose: string, body: Buffer, filename: string) {
  const res = await h.app.request(`/uploads?purpose=${purpose}&filename=${encodeURIComponent(filename)}`, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${user.token}` },
  });
  const json = (await res.json()) as { fileId: string; width?: number; height?: number; durationMs?: number | null };
  expect(res.status).toBe(201);
  return json;
}

/** A campaign of `user`'s with one story in it. */
async function storyOf(user: User): Promise<string> {
  const campaign = await user.caller.stories.campaigns.create({
    title: "Summers at the lake",
    storytellerName: "Grandpa",
    relationshipType: "grandparent",
    goalStories: 3,
    themes: ["family"],
  });
  const story = await user.caller.stories.create({
    campaignId: campaign.id,
    title: "The boat",
    content: "1972.",
    status: "draft",
  });
  return story.id;
}

async function fileRow(id: string) {
  const { rows } = await sql<{ storage_key: string; width: number | null; height: number | null; duration_ms: number | null }>`
    SELECT storage_key, width, height, duration_ms FROM stored_files WHERE id = ${id}`.execute(h.db);
  return rows[0];
}

/** Reads of the object store while `work` runs (the real local disk underneath: this only counts them). */
async function readsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const storage = h.deps.storage;
  const reads: string[] = [];
  const get = storage.get;
  storage.get = (key) => {
    reads.push(key);
    return get.call(storage, key);
  };
  try {
    await work();
  } finally {
    storage.get = get;
  }
  return reads;
}

describe("attaching an upload", () => {
  it("uses the size and length the upload read, without reading the object back; older files are still read", async () => {
    const owner = await h.signUp("attach-owner");
    const storyId = await storyOf(owner);
    // A phone photo lying on its side (300 × 200, EXIF orientation 6): stored upright, 200 × 300.
    const photo = await upload(owner, "story_photo", await jpegWithGps(300, 200), "boat.jpg");
    const recording = await upload(owner, "story_audio", wavSilence(2), "memo.wav");
    expect(await fileRow(photo.fileId)).toMatchObject({ width: 200, height: 300, duration_ms: null });
    expect(await fileRow(recording.fileId)).toMatchObject({ width: null, height: null, duration_ms: 2000 });

    const reads = await readsDuring(async () => {
      await owner.caller.storiesMedia.attachPhoto({ storyId, fileId: photo.fileId, caption: "The boat" });
      await owner.caller.storiesMedia.attachAudio({ storyId, fileId: recording.fileId });
    });
    expect(reads).toEqual([]);
    const media = await owner.caller.storiesMedia.list({ storyId });
    expect(media.photos).toMatchObject([{ fileId: photo.fileId, width: 200, height: 300 }]);
    expect(media.audio).toMatchObject([{ durationMs: 2000 }]);

    // A file stored before its row kept the facts is read (once) and parsed as before.
    const older = await upload(owner, "story_photo", await jpegWithGps(120, 80), "older.jpg");
    await h.raw(sql`UPDATE stored_files SET width = NULL, height = NULL WHERE id = ${older.fileId}`);
    const olderReads = await readsDuring(() =>
      owner.caller.storiesMedia.attachPhoto({ storyId, fileId: older.fileId, caption: "" }),
    );
    expect(olderReads).toEqual([(await fileRow(older.fileId))?.storage_key]);
    expect((await owner.caller.storiesMedia.list({ storyId })).photos[1]).toMatchObject({ width: 80, height: 120 });
  });
});

describe("a recording whose header claims an absurd length", () => {
  it("is stored without a length (it fits no integer column), not refused with a server error", async () => {
    const owner = await h.signUp("absurd-length");
    // 2.2 MB of 8-bit mono at one sample a second: the header says 25 days, past a 32-bit count of ms.
    const wav = Buffer.concat([wavSilence(0), Buffer.alloc(2_200_000, 128)]);
    wav.writeUInt32LE(36 + 2_200_000, 4);
    wav.writeUInt32LE(1, 24);
    wav.writeUInt32LE(1, 28);
    wav.writeUInt16LE(1, 32);
    wav.writeUInt16LE(8, 34);
    wav.writeUInt32LE(2_200_000, 40);
    const res = await h.app.request("/uploads?purpose=story_audio&filename=long.wav", {
      method: "POST",
      body: wav,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const json = (await res.json()) as { fileId?: string; durationMs?: number | null };
    expect(res.status).toBe(201);
    expect(await fileRow(json.fileId as string)).toMatchObject({ duration_ms: null });
  });
});

describe("the sweep of uploads never attached", () => {
  it("deletes them with their bytes past the grace period, and nothing attached, young or of another purpose", async () => {
    const owner = await h.signUp("sweep-owner");
    const storyId = await storyOf(owner);
    const jpeg = await jpegWithGps(64, 48);

    // Put to use: a story's photo (with its thumbnail) and recording, a library asset, a post's image.
    const photo = await upload(owner, "story_photo", jpeg, "kept.jpg");
    await owner.caller.storiesMedia.attachPhoto({ storyId, fileId: photo.fileId, caption: "" });
    const recording = await upload(owner, "story_audio", wavSilence(1), "kept.wav");
    await owner.caller.storiesMedia.attachAudio({ storyId, fileId: recording.fileId });
    const asset = await upload(owner, "studio_asset", jpeg, "kept-asset.jpg");
    await owner.caller.studio.assets.attach({ fileId: asset.fileId });
    await asUser(h.db, owner.me.id, (tx) => insertFixtureConnection(tx, owner.me.id));
    const [connection] = await owner.caller.publishing.connections.list();
    const postImage = await owner.caller.publishing.posts.uploadMedia({
      filename: "kept-post.jpg",
      dataBase64: jpeg.toString("base64"),
    });
    await owner.caller.publishing.posts.compose({
      channels: [{ connectionId: connection?.id as string, parts: ["With a picture"], mediaFileIds: [postImage.fileId] }],
      when: { kind: "draft" },
      idempotencyKey: `sweep-test-${owner.me.id}`,
    });
    // Left behind: a photo (and its thumbnail), a recording, an asset upload, a post image.
    const leftPhoto = await upload(owner, "story_photo", jpeg, "left.jpg");
    const leftRecording = await upload(owner, "story_audio", wavSilence(1), "left.wav");
    const leftAsset = await upload(owner, "studio_asset", jpeg, "left-asset.jpg");
    const leftPostImage = await owner.caller.publishing.posts.uploadMedia({
      filename: "left-post.jpg",
      dataBase64: jpeg.toString("base64"),
    });

    const { rows: all } = await sql<{ id: string; purpose: string; storage_key: string }>`
      SELECT id, purpose, storage_key FROM stored_files WHERE user_id = ${owner.me.id}`.execute(h.db);
    // A day and an hour old, all of them; then one more left behind just now (inside its grace period).
    await h.raw(sql`UPDATE stored_files SET created_at = now() - interval '25 hours' WHERE user_id = ${owner.me.id}`);
    const young = await upload(owner, "story_photo", jpeg, "young.jpg");
    // And an old file of another purpose (recorded with what points at it): never the sweep's.
    const logo = await asUser(h.db, owner.me.id, (tx) =>
      files.store(h.deps, tx, owner.me.id, { purpose: "brand_logo", filename: "logo.jpg", bytes: jpeg }),
    );
    await h.raw(sql`UPDATE stored_files SET created_at = now() - interval '30 days' WHERE id = ${logo.id}`);

    // A thumbnail's key is its image's with `-thumb` after the purpose.
    const thumbOf = (fileId: string) => {
      const key = all.find((f) => f.id === fileId)?.storage_key.replace(/^(story-photo|studio-asset)\//, "$1-thumb/");
      return all.find((f) => f.storage_key === key)?.id as string;
    };
    const leftIds = [leftPhoto.fileId, leftRecording.fileId, leftAsset.fileId, leftPostImage.fileId];
    leftIds.push(thumbOf(leftPhoto.fileId), thumbOf(leftAsset.fileId));
    const { rows: youngThumb } = await sql<{ id: string }>`
      SELECT t.id FROM stored_files t JOIN stored_files p ON t.storage_key = replace(p.storage_key, 'story-photo/', 'story-photo-thumb/')
       WHERE p.id = ${young.fileId}`.execute(h.db);
    const keptIds = [photo.fileId, recording.fileId, asset.fileId, postImage.fileId, young.fileId, logo.id];
    keptIds.push(thumbOf(photo.fileId), thumbOf(asset.fileId), youngThumb[0]?.id as string);
    expect([...leftIds, ...keptIds].every(Boolean)).toBe(true);
    // Two photos with thumbnails, two recordings, two assets with thumbnails, two post images.
    expect(all.length).toBe(12);

    const keyOf = async (id: string) => (await fileRow(id))?.storage_key as string;
    const leftKeys = await Promise.all(leftIds.map(keyOf));
    for (const key of leftKeys) expect(await h.deps.storage.get(key)).not.toBeNull();

    const deps = { db: h.db, log, storage: h.deps.storage };
    // Bounded: at most this many a run, the rest at the next.
    const first = await files.sweepUnattached(deps, {
      olderThan: new Date(Date.now() - UNATTACHED_GRACE_MS),
      batchSize: 2,
      maxPerRun: 3,
    });
    expect(first).toMatchObject({ deleted: 3, more: true });
    // The scheduled job finishes the rest: the rows and their bytes are gone.
    await runJob(sweepUploadsJob, {}, deps);
    const { rows: after } = await sql<{ id: string }>`SELECT id FROM stored_files WHERE user_id = ${owner.me.id}`.execute(h.db);
    expect(after.map((r) => r.id).sort()).toEqual([...keptIds].sort());
    for (const key of leftKeys) expect(await h.deps.storage.get(key)).toBeNull();
    for (const id of keptIds) expect(await h.deps.storage.get(await keyOf(id))).not.toBeNull();

    // Again: nothing left to do, nothing else touched.
    expect(await files.sweepUnattached(deps, { olderThan: new Date(Date.now() - UNATTACHED_GRACE_MS) })).toMatchObject({
      deleted: 0,
      more: false,
    });
    expect(sweepUploadsJob.schedule).toBe("23 4 * * *");
    // What was kept still works: the story shows its photo and recording.
    const media = await owner.caller.storiesMedia.list({ storyId });
    expect(media.photos).toHaveLength(1);
    expect(media.audio).toHaveLength(1);
  });
});

describe("the sweep and a post taking an old upload at the same moment", () => {
  // A post names its images in an array (no foreign key locks the file as a story's or an asset's does).
  async function oldPostImage(user: User, filename: string) {
    const image = await user.caller.publishing.posts.uploadMedia({
      filename,
      dataBase64: (await jpegWithGps(32, 24)).toString("base64"),
    });
    await h.raw(sql`UPDATE stored_files SET created_at = now() - interval '25 hours' WHERE id = ${image.fileId}`);
    return image.fileId;
  }
  const draft = (connectionId: string, fileId: string, key: string) => ({
    channels: [{ connectionId, parts: ["Racing the sweep"], mediaFileIds: [fileId] }],
    when: { kind: "draft" as const },
    idempotencyKey: key,
  });
  const sweep = () =>
    files.sweepUnattached({ db: h.db, storage: h.deps.storage }, { olderThan: new Date(Date.now() - UNATTACHED_GRACE_MS) });
  const exists = async (id: string) => (await fileRow(id)) !== undefined;

  it("keeps an image a post is taking while the sweep runs (the sweep waits for the post)", async () => {
    const owner = await h.signUp("sweep-race-post");
    await asUser(h.db, owner.me.id, (tx) => insertFixtureConnection(tx, owner.me.id));
    const [connection] = await owner.caller.publishing.connections.list();
    const fileId = await oldPostImage(owner, "racing.jpg");

    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let composed!: () => void;
    const inside = new Promise<void>((resolve) => {
      composed = resolve;
    });
    // The post's transaction has checked the image and written the post, and is not committed yet.
    const posting = asUser(h.db, owner.me.id, async (tx) => {
      await posts.compose(h.deps, tx, owner.me.id, draft(connection?.id as string, fileId, `race-a-${owner.me.id}`));
      composed();
      await gate;
    });
    await inside;
    const sweeping = sweep();
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await posting;
    await sweeping;
    expect(await exists(fileId)).toBe(true);
    const [post] = (await owner.caller.publishing.posts.list({})).items;
    expect(post?.mediaFileIds).toEqual([fileId]);
  });

  it("refuses a post whose image the sweep is deleting (the post waits, then finds it gone)", async () => {
    const owner = await h.signUp("sweep-race-sweep");
    await asUser(h.db, owner.me.id, (tx) => insertFixtureConnection(tx, owner.me.id));
    const [connection] = await owner.caller.publishing.connections.list();
    const fileId = await oldPostImage(owner, "race-slow-delete.jpg");
    // The sweep's transaction stays open a moment after deleting this file's row (before it commits).
    await h.raw(sql`CREATE FUNCTION test_sweep_pause() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(0.6); RETURN OLD; END $$`);
    await h.raw(sql`CREATE TRIGGER sweep_pause AFTER DELETE ON stored_files FOR EACH ROW
      WHEN (OLD.filename = 'race-slow-delete.jpg') EXECUTE FUNCTION test_sweep_pause()`);
    try {
      const sweeping = sweep();
      await new Promise((resolve) => setTimeout(resolve, 250));
      const posting = owner.caller.publishing.posts
        .compose(draft(connection?.id as string, fileId, `race-b-${owner.me.id}`))
        .then(
          () => "posted",
          (error: { code?: string }) => error.code,
        );
      expect((await sweeping).deleted).toBeGreaterThanOrEqual(1);
      expect(await posting).toBe("NOT_FOUND");
      expect(await exists(fileId)).toBe(false);
      expect((await owner.caller.publishing.posts.list({})).items).toEqual([]);
    } finally {
      await h.raw(sql`DROP TRIGGER sweep_pause ON stored_files`);
      await h.raw(sql`DROP FUNCTION test_sweep_pause()`);
    }
  });
});
