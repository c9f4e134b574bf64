/**
 * A story's photos and recordings, end to end on a real Postgres: the streamed upload route (caps,
 * sniffing, hostile files), the media work (orientation applied, EXIF and GPS gone from what is served,
 * thumbnails, dimensions, durations), the role matrix of every storiesMedia procedure (owner /
 * contributor / viewer / invited / outsider), the policies themselves, the storyteller's uploads through
 * the answer link, and the transcription job (the offline provider says a model is needed; the local
 * OpenAI-compatible server's /v1/audio/transcriptions gives a transcript, metered).
 */

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asUser } from "@inkwell/db";
import { createAiProvider } from "@inkwell/domain/ai";
import { startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { receiveUpload } from "@inkwell/domain/files";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { storiesForBook, storiesMedia, transcribeAudioJob } from "@inkwell/domain/stories";
import {
  imageMetadata,
  insertFixtureAnswerLink,
  jpegWithGps,
  mediaRecorderWebm,
  pngBomb,
  wavSilence,
} from "@inkwell/domain/stories/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
type User = Awaited<ReturnType<Harness["signUp"]>>;
let owner: User;
let contributor: User;
let viewer: User;
let invited: User;
let outsider: User;
let campaignId: string;
let storyId: string;

const log = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

beforeAll(async () => {
  h = await startHarness();
  [owner, contributor, viewer, invited, outsider] = (await Promise.all(
    ["owner", "contributor", "viewer", "invited", "outsider"].map((tag) => h.signUp(tag)),
  )) as [User, User, User, User, User];
  campaignId = (
    await owner.caller.stories.campaigns.create({
      title: "Grandma's photos",
      storytellerName: "Grandma",
      relationshipType: "grandparent",
      goalStories: 5,
      themes: ["family"],
    })
  ).id;
  // Members as an accepted invitation leaves them (the invitation e-mail itself is tested in stories.test.ts).
  for (const [user, role] of [
    [contributor, "contributor"],
    [viewer, "viewer"],
  ] as const) {
    await h.raw(sql`INSERT INTO family_members (campaign_id, user_id, email, role, status, joined_at)
                    VALUES (${campaignId}, ${user.me.id}, ${user.email}, ${role}, 'active', now())`);
  }
  await h.raw(sql`INSERT INTO family_members (campaign_id, email, role, status)
                  VALUES (${campaignId}, ${invited.email}, 'contributor', 'invited')`);
  storyId = (await owner.caller.stories.create({ campaignId, title: "The wedding", content: "June 1961.", status: "completed" }))
    .id;
});

afterAll(async () => {
  await closeUntrustedPool();
  await h.stop();
});

interface UploadOptions {
  token?: string | null;
  filename?: string;
  headers?: Record<string, string>;
  query?: string;
}

async function upload(purpose: string, body: Buffer | ReadableStream<Uint8Array>, options: UploadOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const filename = options.filename ? `&filename=${encodeURIComponent(options.filename)}` : "";
  const res = await h.app.request(`/uploads?purpose=${purpose}${filename}${options.query ?? ""}`, {
    method: "POST",
    body,
    headers,
    // A stream body needs half-duplex in undici's Request.
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  const json = (await res.json()) as {
    fileId?: string;
    contentType?: string;
    bytes?: number;
    width?: number;
    height?: number;
    thumbnailUrl?: string;
    durationMs?: number | null;
    error?: { code: string; message: string };
  };
  return { status: res.status, json };
}

async function uploadedPhoto(user: User) {
  const res = await upload("story_photo", await jpegWithGps(), { token: user.token, filename: "wedding.jpg" });
  expect(res.status).toBe(201);
  return res.json.fileId!;
}

async function served(url: string) {
  const res = await h.app.request(url);
  expect(res.status).toBe(200);
  return { type: res.headers.get("content-type"), bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe("the upload route", () => {
  it("stores a phone photo upright, without its EXIF or GPS, with a thumbnail and its dimensions", async () => {
    const original = await jpegWithGps(300, 200);
    expect(Buffer.from(original).includes("InkwellTestCam")).toBe(true);
    const res = await upload("story_photo", original, { token: owner.token, filename: "beach.jpg" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ contentType: "image/jpeg", width: 200, height: 300 });
    expect(res.json.bytes).toBeGreaterThan(0);

    const { photoId } = await owner.caller.storiesMedia.attachPhoto({
      storyId,
      fileId: res.json.fileId!,
      caption: "At the beach",
    });
    const media = await viewer.caller.storiesMedia.list({ storyId });
    const photo = media.photos.find((p) => p.id === photoId)!;
    expect(photo).toMatchObject({ caption: "At the beach", width: 200, height: 300, byStoryteller: false });

    const full = await served(photo.url);
    expect(full.type).toBe("image/jpeg");
    const meta = await imageMetadata(full.bytes);
    expect(meta).toMatchObject({ width: 200, height: 300, exif: null, orientation: null });
    expect(Buffer.from(full.bytes).includes("InkwellTestCam")).toBe(false);
    expect(Buffer.from(full.bytes).includes("Exif")).toBe(false);

    const thumb = await served(photo.thumbnailUrl);
    expect(thumb.type).toBe("image/webp");
    expect(await imageMetadata(thumb.bytes)).toMatchObject({ format: "webp", exif: null });
  });

  it("refuses a decompression bomb (a few KB claiming 121 megapixels) without decoding it, and stays responsive", async () => {
    const bomb = pngBomb(11_000);
    expect(bomb.byteLength).toBeLessThan(200_000);
    const started = Date.now();
    const res = await upload("story_photo", bomb, { token: owner.token, filename: "bomb.png" });
    expect(res.status).toBe(422);
    expect(res.json.error?.message).toMatch(/11,000 × 11,000 pixels/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Nothing was recorded for it.
    const rows = await asUser(h.db, owner.me.id, (tx) =>
      tx.selectFrom("stored_files").select("id").where("filename", "=", "bomb.png").execute(),
    );
    expect(rows).toEqual([]);
  });

  it("refuses a renamed executable with 415, whatever its name", async () => {
    const exe = Buffer.concat([
      Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "latin1"),
      Buffer.alloc(4096, 0x41),
    ]);
    const res = await upload("story_photo", exe, { token: owner.token, filename: "holiday.jpg" });
    expect(res.status).toBe(415);
    expect(res.json.error?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4096, 0)]);
    expect((await upload("story_audio", elf, { token: owner.token, filename: "memo.mp3" })).status).toBe(415);
  });

  it("refuses an oversize body by its Content-Length before reading it, and while streaming one without", async () => {
    const declared = await h.app.request("/uploads?purpose=story_photo", {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}`, "content-length": String(21 * 1024 * 1024) },
      body: new ReadableStream({ start: (c) => c.close() }),
      duplex: "half",
    } as RequestInit);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { message: string } }).error.message).toMatch(/20 MB/);

    // A body with no declared length, 1 MB chunks without end: refused once past the cap, not buffered.
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 1024 * 1024;
        c.enqueue(new Uint8Array(1024 * 1024));
      },
    });
    const res = await upload("story_photo", endless, { token: owner.token });
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(30 * 1024 * 1024);
  });

  it("cuts off a body that trickles past the deadline or stalls, and one that breaks, leaving no spool file", async () => {
    // Its own spool directory: other test files upload into the shared temp directory meanwhile.
    const spoolDir = await mkdtemp(join(tmpdir(), "inkwell-spool-"));
    const spoolFiles = async () => (await readdir(spoolDir)).length;
    const before = await spoolFiles();
    const timing = { idleMs: 300, deadlineMs: 800 };
    const receive = (body: ReadableStream<Uint8Array>) =>
      receiveUpload(h.deps, {
        purpose: "story_audio",
        ownerId: owner.me.id,
        filename: "slow.wav",
        body,
        declaredLength: null,
        timing,
        spoolDir,
      });
    // A byte every 100 ms: never idle long enough to stall, so only a total deadline ends it.
    let timer: NodeJS.Timeout | undefined;
    const trickle = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(new Uint8Array([0])), 100);
      },
      cancel() {
        clearInterval(timer);
      },
    });
    const started = Date.now();
    const slow = await receive(trickle);
    clearInterval(timer);
    expect(slow).toMatchObject({ ok: false, status: 408 });
    expect(Date.now() - started).toBeLessThan(3000);
    const silent = await receive(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array([1, 2])) }));
    expect(silent).toMatchObject({ ok: false, status: 408 });
    const broken = await receive(
      new ReadableStream<Uint8Array>({
        pull: (c) => c.error(new Error("connection reset")),
        start: (c) => c.enqueue(new Uint8Array(1024)),
      }),
    );
    expect(broken).toMatchObject({ ok: false, status: 422 });
    expect(await spoolFiles()).toBe(before);
    await rm(spoolDir, { recursive: true });
  });

  it("lets one account run two uploads at once, answers 429 to a third, and frees the slots when they end", async () => {
    // A held body records its controller when the server first asks it for more than its opening 16
    // bytes: the route reads a body only after the upload has taken its slot, so two recorded
    // controllers mean two slots held (no retrying, which spent the account's hourly allowance).
    const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
    const held = () =>
      new ReadableStream<Uint8Array>({
        start: (c) => c.enqueue(new Uint8Array(16)),
        pull(c) {
          controllers.push(c);
          return new Promise<void>(() => {});
        },
      });
    const first = upload("story_audio", held(), { token: viewer.token });
    const second = upload("story_audio", held(), { token: viewer.token });
    await expect.poll(() => controllers.length, { timeout: 10_000 }).toBe(2);
    const third = await upload("story_audio", wavSilence(1), { token: viewer.token });
    expect(third.status).toBe(429);
    expect(third.json.error?.code).toBe("TOO_MANY_REQUESTS");
    // Someone else is not held up by this account's uploads.
    expect((await upload("story_audio", wavSilence(1), { token: contributor.token })).status).toBe(201);
    for (const c of controllers) c.error(new Error("connection reset"));
    expect((await first).status).toBe(422);
    expect((await second).status).toBe(422);
    expect((await upload("story_audio", wavSilence(1), { token: viewer.token })).status).toBe(201);
  });

  it("answers 401 without a session, 400 for an unknown purpose, and refuses a cross-site cookie", async () => {
    expect((await upload("story_photo", await jpegWithGps())).status).toBe(401);
    expect((await upload("brand_logo", await jpegWithGps(), { token: owner.token })).status).toBe(400);
    const res = await upload("story_photo", await jpegWithGps(), {
      headers: { cookie: `inkwell_session=${owner.token}`, origin: "https://evil.example" },
    });
    expect(res.status).toBe(401);
  });

  it("reads a recording's duration", async () => {
    const res = await upload("story_audio", wavSilence(2.5), { token: owner.token, filename: "memo.wav" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ contentType: "audio/wav", durationMs: 2500 });
  });

  it("accepts a browser recording (WebM from MediaRecorder: no Duration element, streamed sizes) and times it", async () => {
    const res = await upload("story_audio", mediaRecorderWebm(3), { token: owner.token, filename: "recording.webm" });
    expect(res.json.error).toBeUndefined();
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ contentType: "audio/webm", durationMs: 3000 });
    // Cut short mid-stream (a tab closed while uploading the last chunk): still a recording, timed to its end.
    const cut = mediaRecorderWebm(3).subarray(0, 1500);
    const partial = await upload("story_audio", cut, { token: owner.token, filename: "recording.webm" });
    expect(partial.status).toBe(201);
    expect(partial.json.durationMs).toBeGreaterThan(0);
    expect(partial.json.durationMs).toBeLessThan(3000);
  });
});

describe("the role matrix", () => {
  type Actor = "owner" | "contributor" | "viewer" | "invited" | "outsider";
  const who = (a: Actor) => ({ owner, contributor, viewer, invited, outsider })[a];
  const readers = { owner: "ok", contributor: "ok", viewer: "ok", invited: "NOT_FOUND", outsider: "NOT_FOUND" } as const;
  const writers = { ...readers, viewer: "FORBIDDEN" } as const;

  async function outcome(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return "ok";
    } catch (error) {
      return (error as { code?: string }).code ?? "error";
    }
  }

  let ownerPhotoId: string;
  let ownerAudioId: string;

  beforeAll(async () => {
    ownerPhotoId = (await owner.caller.storiesMedia.attachPhoto({ storyId, fileId: await uploadedPhoto(owner), caption: "" }))
      .photoId;
    const audio = await upload("story_audio", wavSilence(1), { token: owner.token, filename: "hello.wav" });
    ownerAudioId = (await owner.caller.storiesMedia.attachAudio({ storyId, fileId: audio.json.fileId! })).audioId;
  });

  const actors: Actor[] = ["owner", "contributor", "viewer", "invited", "outsider"];

  it("list: every active member, no one else", async () => {
    for (const a of actors) expect([a, await outcome(who(a).caller.storiesMedia.list({ storyId }))]).toEqual([a, readers[a]]);
  });

  it("attachPhoto: owners and contributors (each with their own upload)", async () => {
    for (const a of actors) {
      const fileId = await uploadedPhoto(who(a));
      expect([a, await outcome(who(a).caller.storiesMedia.attachPhoto({ storyId, fileId, caption: a }))]).toEqual([
        a,
        writers[a],
      ]);
    }
  });

  it("setCaption, reorderPhotos, editTranscript: owners and contributors", async () => {
    for (const a of actors) {
      expect([a, await outcome(who(a).caller.storiesMedia.setCaption({ photoId: ownerPhotoId, caption: `by ${a}` }))]).toEqual([
        a,
        writers[a],
      ]);
      expect([
        a,
        await outcome(who(a).caller.storiesMedia.editTranscript({ audioId: ownerAudioId, transcript: `Typed by ${a}` })),
      ]).toEqual([a, writers[a]]);
    }
    const ids = (await owner.caller.storiesMedia.list({ storyId })).photos.map((p) => p.id);
    for (const a of actors) {
      const reversed = [...ids].reverse();
      expect([a, await outcome(who(a).caller.storiesMedia.reorderPhotos({ storyId, photoIds: reversed }))]).toEqual([
        a,
        writers[a],
      ]);
    }
  });

  it("the order holds, and a list that is not exactly the story's photos is refused", async () => {
    const before = (await owner.caller.storiesMedia.list({ storyId })).photos.map((p) => p.id);
    const wanted = [before[1]!, before[0]!, ...before.slice(2)];
    await contributor.caller.storiesMedia.reorderPhotos({ storyId, photoIds: wanted });
    expect((await viewer.caller.storiesMedia.list({ storyId })).photos.map((p) => p.id)).toEqual(wanted);
    await expectTrpcError(owner.caller.storiesMedia.reorderPhotos({ storyId, photoIds: wanted.slice(1) }), "BAD_REQUEST");
  });

  it("an edited transcript is kept and marked edited", async () => {
    await contributor.caller.storiesMedia.editTranscript({ audioId: ownerAudioId, transcript: "Hello, it's Grandma." });
    const audio = (await viewer.caller.storiesMedia.list({ storyId })).audio.find((a) => a.id === ownerAudioId)!;
    expect(audio).toMatchObject({ transcript: "Hello, it's Grandma.", transcriptEdited: true, transcriptStatus: "done" });
  });

  it("a file is attached once, by its uploader, with the right purpose", async () => {
    const fileId = await uploadedPhoto(owner);
    await expectTrpcError(contributor.caller.storiesMedia.attachPhoto({ storyId, fileId, caption: "" }), "NOT_FOUND");
    await expectTrpcError(owner.caller.storiesMedia.attachAudio({ storyId, fileId }), "BAD_REQUEST");
    await owner.caller.storiesMedia.attachPhoto({ storyId, fileId, caption: "" });
    await expectTrpcError(owner.caller.storiesMedia.attachPhoto({ storyId, fileId, caption: "" }), "CONFLICT");
  });

  it("removePhoto: owners any, contributors only their own, and the files go with it", async () => {
    const contributorPhoto = (
      await contributor.caller.storiesMedia.attachPhoto({ storyId, fileId: await uploadedPhoto(contributor), caption: "mine" })
    ).photoId;
    await expectTrpcError(contributor.caller.storiesMedia.removePhoto({ photoId: ownerPhotoId }), "FORBIDDEN");
    await expectTrpcError(viewer.caller.storiesMedia.removePhoto({ photoId: contributorPhoto }), "FORBIDDEN");
    await expectTrpcError(outsider.caller.storiesMedia.removePhoto({ photoId: contributorPhoto }), "NOT_FOUND");
    const url = (await owner.caller.storiesMedia.list({ storyId })).photos.find((p) => p.id === contributorPhoto)!.url;
    await owner.caller.storiesMedia.removePhoto({ photoId: contributorPhoto });
    expect((await owner.caller.storiesMedia.list({ storyId })).photos.some((p) => p.id === contributorPhoto)).toBe(false);
    expect((await h.app.request(url)).status).toBe(404);
  });

  it("the policies hold without the service: outsiders see nothing, viewers insert nothing", async () => {
    const seen = await asUser(h.db, outsider.me.id, (tx) =>
      tx.selectFrom("story_photos").select("id").where("story_id", "=", storyId).execute(),
    );
    expect(seen).toEqual([]);
    const fileId = await uploadedPhoto(viewer);
    await expect(
      asUser(h.db, viewer.me.id, (tx) =>
        tx
          .insertInto("story_photos")
          .values({ story_id: storyId, campaign_id: campaignId, user_id: viewer.me.id, file_id: fileId, width: 1, height: 1 })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    // A contributor cannot write a photo in someone else's name.
    const other = await uploadedPhoto(contributor);
    await expect(
      asUser(h.db, contributor.me.id, (tx) =>
        tx
          .insertInto("story_photos")
          .values({ story_id: storyId, campaign_id: campaignId, user_id: owner.me.id, file_id: other, width: 1, height: 1 })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("storiesForBook: the stories asked for, in that order, with their photos in story order", async () => {
    const second = (await owner.caller.stories.create({ campaignId, title: "The move", content: "1975." })).id;
    const book = await asUser(h.db, owner.me.id, (tx) => storiesMediaBook(tx, [second, storyId, crypto.randomUUID()]));
    expect(book.map((s) => s.title)).toEqual(["The move", "The wedding"]);
    const listed = (await owner.caller.storiesMedia.list({ storyId })).photos.map((p) => p.fileId);
    expect(book[1]!.photos.map((p) => p.fileId)).toEqual(listed);
    expect(await asUser(h.db, outsider.me.id, (tx) => storiesMediaBook(tx, [storyId]))).toEqual([]);
  });
});

async function storiesMediaBook(tx: Parameters<typeof storiesForBook>[0], ids: string[]) {
  return storiesForBook(tx, campaignId, ids);
}

describe("the storyteller's answer link", () => {
  let link: { campaignId: string; promptId: string; token: string };

  beforeAll(async () => {
    const prompt = (await owner.caller.stories.prompts.list({ campaignId })).find((p) => p.status === "queued")!;
    // As the worker leaves a question it has mailed: sent, with a link.
    await h.raw(sql`UPDATE campaign_prompts SET status = 'sent', sent_at = now() WHERE id = ${prompt.id}`);
    const token = await h.asSystem((tx) => insertFixtureAnswerLink(tx, { campaignId, promptId: prompt.id }));
    link = { campaignId, promptId: prompt.id, token };
  });

  const linkQuery = () => `&campaignId=${link.campaignId}&promptId=${link.promptId}`;

  it("uploads a photo and a recording with the link's token and joins them to the answer's story", async () => {
    const photo = await upload("story_photo", await jpegWithGps(), {
      headers: { "x-answer-token": link.token },
      query: linkQuery(),
      filename: "me-at-20.jpg",
    });
    expect(photo.status).toBe(201);
    expect(photo.json.thumbnailUrl).toMatch(/^\/files\//);
    expect((await served(photo.json.thumbnailUrl!)).type).toBe("image/webp");
    const audio = await upload("story_audio", wavSilence(3), { headers: { "x-answer-token": link.token }, query: linkQuery() });
    expect(audio.status).toBe(201);

    await expectTrpcError(
      h.anon().storiesMedia.answerAttach({ ...link, photos: [{ fileId: photo.json.fileId!, caption: "Me at 20" }] }),
      "PRECONDITION_FAILED",
    );
    const answer = await h.anon().stories.answers.submit({ ...link, content: "I was twenty, and the war was over." });
    const attached = await h.anon().storiesMedia.answerAttach({
      ...link,
      photos: [{ fileId: photo.json.fileId!, caption: "Me at 20" }],
      audioFileIds: [audio.json.fileId!],
    });
    expect(attached).toEqual({ photos: 1, recordings: 1 });
    const media = await contributor.caller.storiesMedia.list({ storyId: answer.storyId });
    expect(media.photos).toMatchObject([{ caption: "Me at 20", byStoryteller: true }]);
    expect(media.audio).toMatchObject([{ durationMs: 3000, transcriptStatus: "pending", byStoryteller: true }]);
  });

  it("refuses a wrong token, and a member's upload through the link", async () => {
    const wrong = await upload("story_photo", await jpegWithGps(), {
      headers: { "x-answer-token": "x".repeat(43) },
      query: linkQuery(),
    });
    expect(wrong.status).toBe(401);
    const membersFile = await uploadedPhoto(owner);
    await expectTrpcError(
      h.anon().storiesMedia.answerAttach({ ...link, photos: [{ fileId: membersFile, caption: "" }] }),
      "NOT_FOUND",
    );
  });

  it("a link's token uploads only for its own question and campaign, and not once expired or revoked", async () => {
    const other = (await owner.caller.stories.prompts.list({ campaignId })).find(
      (p) => p.status === "queued" && p.id !== link.promptId,
    )!;
    const tryUpload = async (q: { campaignId: string; promptId: string; token: string }) =>
      (
        await upload("story_audio", wavSilence(1), {
          headers: { "x-answer-token": q.token },
          query: `&campaignId=${q.campaignId}&promptId=${q.promptId}`,
        })
      ).status;
    const otherCampaign = (
      await outsider.caller.stories.campaigns.create({
        title: "Elsewhere",
        storytellerName: "Someone",
        relationshipType: "grandparent",
        goalStories: 5,
        themes: ["family"],
      })
    ).id;
    expect(await tryUpload({ ...link, promptId: other.id })).toBe(401);
    expect(await tryUpload({ ...link, campaignId: otherCampaign })).toBe(401);

    const fresh = async () => {
      const token = await h.asSystem((tx) => insertFixtureAnswerLink(tx, { campaignId, promptId: other.id }));
      return { campaignId, promptId: other.id, token };
    };
    const expiring = await fresh();
    expect(await tryUpload(expiring)).toBe(201);
    await h.raw(sql`UPDATE campaign_prompt_links SET expires_at = now() - interval '1 second'
                    WHERE campaign_prompt_id = ${other.id}`);
    expect(await tryUpload(expiring)).toBe(401);
    const revoked = await fresh();
    expect(await tryUpload(revoked)).toBe(201);
    await h.raw(sql`UPDATE campaign_prompts SET links_revoked_at = now() + interval '1 second' WHERE id = ${other.id}`);
    expect(await tryUpload(revoked)).toBe(401);
  });
});

describe("transcription", () => {
  async function attachedRecording() {
    const res = await upload("story_audio", wavSilence(1), { token: owner.token, filename: "memo.wav" });
    return (await owner.caller.storiesMedia.attachAudio({ storyId, fileId: res.json.fileId! })).audioId;
  }
  const status = async (audioId: string) =>
    (await owner.caller.storiesMedia.list({ storyId })).audio.find((a) => a.id === audioId)!;

  it("with the offline provider: needs a model, said plainly, nothing charged", async () => {
    const audioId = await attachedRecording();
    const ai = createAiProvider({ provider: "offline" });
    await runJob(transcribeAudioJob, { audioId }, { db: h.db, log, ai, storage: h.deps.storage });
    const audio = await status(audioId);
    expect(audio).toMatchObject({ transcriptStatus: "needs_model", transcript: "" });
    expect(audio.transcriptNote).toMatch(/no transcription model/);
  });

  it("through the local OpenAI-compatible server: the transcript is stored and the call metered", async () => {
    const server = await startOpenAiCompatibleServer();
    try {
      const ai = createAiProvider({ provider: "openai", openai: { baseUrl: server.url, apiKey: "test-key", maxRetries: 0 } });
      const audioId = await attachedRecording();
      await runJob(transcribeAudioJob, { audioId }, { db: h.db, log, ai, storage: h.deps.storage });
      const audio = await status(audioId);
      expect(audio.transcriptStatus).toBe("done");
      expect(audio.transcript).toMatch(/^Transcript of memo\.wav \(audio\/wav, \d+ bytes\)\.$/);
      const generations = await asUser(h.db, owner.me.id, (tx) =>
        tx.selectFrom("generations").select(["operation", "status"]).where("operation", "=", "audio.transcribe").execute(),
      );
      expect(generations).toContainEqual({ operation: "audio.transcribe", status: "succeeded" });

      // A transcript someone edited is never overwritten by a later run.
      await owner.caller.storiesMedia.editTranscript({ audioId, transcript: "My own words." });
      await h.raw(sql`UPDATE story_audio SET transcript_status = 'pending' WHERE id = ${audioId}`);
      await storiesMedia.transcribeAudio({ db: h.db, ai, storage: h.deps.storage }, audioId);
      expect((await status(audioId)).transcript).toBe("My own words.");
    } finally {
      await server.stop();
    }
  });

  it("a job delivered twice at once transcribes and charges once", async () => {
    const server = await startOpenAiCompatibleServer();
    try {
      const ai = createAiProvider({ provider: "openai", openai: { baseUrl: server.url, apiKey: "test-key", maxRetries: 0 } });
      const audioId = await attachedRecording();
      const charged = async () =>
        (
          await asUser(h.db, owner.me.id, (tx) =>
            tx
              .selectFrom("generations")
              .select((eb) => eb.fn.countAll<string>().as("n"))
              .where("operation", "=", "audio.transcribe")
              .where("status", "=", "succeeded")
              .executeTakeFirstOrThrow(),
          )
        ).n;
      const before = Number(await charged());
      const deps = { db: h.db, ai, storage: h.deps.storage };
      const outcomes = await Promise.all([
        storiesMedia.transcribeAudio(deps, audioId),
        storiesMedia.transcribeAudio(deps, audioId),
      ]);
      expect(outcomes.sort()).toEqual(["done", "skipped"]);
      expect(Number(await charged())).toBe(before + 1);
      expect((await status(audioId)).transcriptStatus).toBe("done");
    } finally {
      await server.stop();
    }
  });
});
