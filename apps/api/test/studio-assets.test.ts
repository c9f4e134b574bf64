/**
 * The studio's asset library, end to end on a real Postgres: the streamed upload route with purpose
 * `studio_asset` (caps, sniffing, hostile files: polyglots, SVG with script, renamed executables, an
 * oversize body, a decompression bomb, videos whose headers lie), what is served (EXIF and GPS gone, the
 * sniffed type with nosniff and a sandbox), the library's procedures (attach, filters, search, cursor
 * pages, update, bulk actions, delete with the files' rows and bytes), the exports other studio features
 * use, and another user's view of all of it (NOT_FOUND, nothing changed, tampered signed URLs refused).
 */
import { asUser } from "@inkwell/db";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { imageMetadata, jpegWithGps, mediaRecorderWebm, pngBomb, wavSilence } from "@inkwell/domain/stories/testing";
import { assets } from "@inkwell/domain/studio";
import { insertFixtureAsset, mp4Video, solidImage } from "@inkwell/domain/studio/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
type User = Awaited<ReturnType<Harness["signUp"]>>;
let alice: User;
let bob: User;

beforeAll(async () => {
  h = await startHarness();
  [alice, bob] = (await Promise.all(["alice", "bob"].map((tag) => h.signUp(tag)))) as [User, User];
});

afterAll(async () => {
  await closeUntrustedPool();
  await h.stop();
});

interface Uploaded {
  fileId?: string;
  contentType?: string;
  bytes?: number;
  width?: number;
  height?: number;
  thumbnailUrl?: string;
  durationMs?: number | null;
  error?: { code: string; message: string };
}

async function upload(user: User | null, body: Buffer | ReadableStream<Uint8Array>, filename = "file", purpose = "studio_asset") {
  const res = await h.app.request(`/uploads?purpose=${purpose}&filename=${encodeURIComponent(filename)}`, {
    method: "POST",
    body,
    headers: user ? { authorization: `Bearer ${user.token}` } : {},
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: res.status, json: (await res.json()) as Uploaded };
}

async function served(url: string) {
  const res = await h.app.request(url);
  return {
    status: res.status,
    headers: res.headers,
    type: res.headers.get("content-type"),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

async function uploadAndAttach(user: User, body: Buffer, filename: string, extra: { tags?: string[] } = {}) {
  const res = await upload(user, body, filename);
  expect(res.json.error).toBeUndefined();
  expect(res.status).toBe(201);
  return user.caller.studio.assets.attach({ fileId: res.json.fileId!, ...extra });
}

const fileRows = (user: User, ids: string[]) =>
  asUser(h.db, user.me.id, (tx) => tx.selectFrom("stored_files").select(["id", "storage_key"]).where("id", "in", ids).execute());

describe("uploading to the library", () => {
  it("stores a phone photo upright without EXIF or GPS, with a thumbnail; the asset has its dimensions", async () => {
    const original = await jpegWithGps(300, 200);
    expect(Buffer.from(original).includes("InkwellTestCam")).toBe(true);
    const asset = await uploadAndAttach(alice, original, "beach.jpg", { tags: ["Summer", "beach"] });
    expect(asset).toMatchObject({
      kind: "image",
      filename: "beach.jpg",
      contentType: "image/jpeg",
      width: 200,
      height: 300,
      tags: ["summer", "beach"],
      isFavorite: false,
      source: "upload",
    });
    const full = await served(asset.url);
    expect(full.status).toBe(200);
    expect(full.type).toBe("image/jpeg");
    expect(await imageMetadata(full.bytes)).toMatchObject({ width: 200, height: 300, exif: null, orientation: null });
    expect(Buffer.from(full.bytes).includes("InkwellTestCam")).toBe(false);
    expect(Buffer.from(full.bytes).includes("Exif")).toBe(false);
    expect(asset.thumbnailUrl).toBeTruthy();
    const thumb = await served(asset.thumbnailUrl!);
    expect(thumb.type).toBe("image/webp");
    expect(await imageMetadata(thumb.bytes)).toMatchObject({ format: "webp", exif: null });
  });

  it("a JPEG+ZIP polyglot is stored as its re-encoded image only: the archive does not survive", async () => {
    const jpeg = await solidImage("jpeg");
    const zip = Buffer.concat([
      Buffer.from("PK\x03\x04", "latin1"),
      Buffer.alloc(26),
      Buffer.from("evil.html<script>", "latin1"),
    ]);
    const asset = await uploadAndAttach(alice, Buffer.concat([jpeg, zip]), "polyglot.jpg");
    expect(asset.kind).toBe("image");
    const full = await served(asset.url);
    expect(full.type).toBe("image/jpeg");
    expect(Buffer.from(full.bytes).includes("PK\x03\x04")).toBe(false);
    expect(Buffer.from(full.bytes).includes("<script>")).toBe(false);
  });

  it("a PDF that is also HTML is a PDF: served as one, as a download, with nosniff and a sandbox", async () => {
    const polyglot = Buffer.from(
      "%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
      "latin1",
    );
    const asset = await uploadAndAttach(alice, polyglot, "report.html");
    expect(asset).toMatchObject({ kind: "document", contentType: "application/pdf", width: null, durationMs: null });
    expect(asset.thumbnailUrl).toBeNull();
    const file = await served(asset.url);
    expect(file.type).toBe("application/pdf");
    expect(file.headers.get("x-content-type-options")).toBe("nosniff");
    expect(file.headers.get("content-security-policy")).toMatch(/sandbox/);
    expect(file.headers.get("content-disposition")).toMatch(/^attachment/);
    // HTML without a magic number is text: served as plain text, never as a page.
    const page = await uploadAndAttach(alice, Buffer.from("<!doctype html><script>alert(1)</script>"), "page.html");
    expect(page).toMatchObject({ kind: "document", contentType: "text/plain" });
    const text = await served(page.url);
    expect(text.type).toBe("text/plain; charset=utf-8");
    expect(text.headers.get("content-security-policy")).toMatch(/sandbox/);
  });

  it("refuses SVG (with or without an XML declaration) with 415", async () => {
    const bare = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const declared = Buffer.from(`<?xml version="1.0"?>\n<!-- logo -->\n${bare.toString()}`);
    for (const svg of [bare, declared]) {
      const res = await upload(alice, svg, "logo.svg");
      expect(res.status).toBe(415);
      expect(res.json.error?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    expect((await upload(alice, bare, "logo.png")).json.error?.message).toMatch(/SVG/);
  });

  it("refuses renamed executables (ELF, PE) with 415, whatever their names", async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(4096, 0)]);
    const pe = Buffer.concat([
      Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "latin1"),
      Buffer.alloc(4096, 0x41),
    ]);
    for (const [bytes, name] of [
      [elf, "cat.png"],
      [pe, "notes.txt"],
      [pe, "clip.mp4"],
    ] as const) {
      const res = await upload(alice, bytes, name);
      expect(res.status).toBe(415);
    }
  });

  it("refuses an oversize body with 413: by its Content-Length, and while streaming one without", async () => {
    const declared = await h.app.request("/uploads?purpose=studio_asset", {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-length": String(51 * 1024 * 1024) },
      body: new ReadableStream({ start: (c) => c.close() }),
      duplex: "half",
    } as RequestInit);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { message: string } }).error.message).toMatch(/50 MB/);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 1024 * 1024;
        c.enqueue(new Uint8Array(1024 * 1024));
      },
    });
    expect((await upload(alice, endless, "huge.bin")).status).toBe(413);
    expect(sent).toBeLessThan(60 * 1024 * 1024);
  });

  it("refuses a decompression bomb (121 megapixels claimed in a few KB) with 422, without decoding it", async () => {
    const started = Date.now();
    const res = await upload(alice, pngBomb(11_000), "bomb.png");
    expect(res.status).toBe(422);
    expect(res.json.error?.message).toMatch(/11,000 × 11,000 pixels/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("reads a video's duration from its header, and refuses headers that lie", async () => {
    const honest = await uploadAndAttach(alice, mp4Video({ timescale: 1000, duration: 4500 }), "clip.mp4");
    expect(honest).toMatchObject({ kind: "video", contentType: "video/mp4", durationMs: 4500, thumbnailUrl: null });

    // A century in a 400-byte file: refused by the duration cap.
    const century = await upload(alice, mp4Video({ timescale: 1, duration: 0xffffffff }), "century.mp4");
    expect(century.status).toBe(422);
    expect(century.json.error?.message).toMatch(/claims it lasts/);

    // A media box claiming 2 GB in a 400-byte file: caught without allocating or reading what it claims.
    const started = Date.now();
    const lying = await upload(alice, mp4Video({ mdatClaims: 0x7fffffff }), "liar.mp4");
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(lying.status).toBe(422);
    expect(lying.json.error?.message).toMatch(/could not be read/);
  });

  it("reads a recording's duration", async () => {
    const memo = await uploadAndAttach(alice, wavSilence(2.5), "memo.wav");
    expect(memo).toMatchObject({ kind: "audio", contentType: "audio/wav", durationMs: 2500 });
  });

  it("a browser's voice recording (audio-only WebM, which sniffs as video/webm) is an audio asset with its duration", async () => {
    const memo = await uploadAndAttach(alice, mediaRecorderWebm(3), "voice-note.webm");
    expect(memo).toMatchObject({ kind: "audio", contentType: "audio/webm", durationMs: 3000 });
  });

  it("answers 401 without a session", async () => {
    expect((await upload(null, await jpegWithGps(), "x.jpg")).status).toBe(401);
  });
});

describe("attaching", () => {
  it("takes only the caller's own, unattached upload of this purpose", async () => {
    const mine = await upload(alice, await jpegWithGps(), "mine.jpg");
    await expectTrpcError(bob.caller.studio.assets.attach({ fileId: mine.json.fileId! }), "NOT_FOUND");
    await alice.caller.studio.assets.attach({ fileId: mine.json.fileId!, filename: "Renamed.jpg" });
    await expectTrpcError(alice.caller.studio.assets.attach({ fileId: mine.json.fileId! }), "CONFLICT");
    const story = await upload(alice, await jpegWithGps(), "story.jpg", "story_photo");
    expect(story.status).toBe(201);
    await expectTrpcError(alice.caller.studio.assets.attach({ fileId: story.json.fileId! }), "NOT_FOUND");
  });
});

describe("the library", () => {
  let carol: User;
  let ids: string[];

  beforeAll(async () => {
    carol = await h.signUp("carol");
    // Six assets written oldest first: a1..a6.
    ids = [];
    for (let i = 1; i <= 6; i++) {
      const made = await asUser(h.db, carol.me.id, (tx) =>
        insertFixtureAsset(tx, carol.me.id, { filename: `shot-${i}.png`, tags: i % 2 ? ["odd"] : ["even"] }),
      );
      ids.push(made.assetId);
    }
  });

  it("lists newest first in cursor pages with no gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await carol.caller.studio.assets.list({ limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...res.assets.map((a) => a.id));
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it("filters by kind, tag, favourite and persona, and searches file names", async () => {
    const list = (input: Parameters<typeof carol.caller.studio.assets.list>[0]) =>
      carol.caller.studio.assets.list(input).then((r) => r.assets.map((a) => a.filename).sort());
    expect(await list({ tag: "odd" })).toEqual(["shot-1.png", "shot-3.png", "shot-5.png"]);
    expect(await list({ kind: "image", search: "SHOT-2" })).toEqual(["shot-2.png"]);
    expect(await list({ kind: "video" })).toEqual([]);
    expect(await list({ search: "%" })).toEqual([]);
    await carol.caller.studio.assets.update({
      assetId: ids[1]!,
      isFavorite: true,
      tags: ["keeper", "Keeper"],
      filename: "best.png",
    });
    expect(await list({ favorite: true })).toEqual(["best.png"]);
    expect((await carol.caller.studio.assets.get({ assetId: ids[1]! })).tags).toEqual(["keeper"]);
    const persona = await carol.caller.studio.personas.create({ name: "Nova" });
    await carol.caller.studio.assets.update({ assetId: ids[2]!, personaId: persona.id });
    expect(await list({ personaId: persona.id })).toEqual(["shot-3.png"]);
    // Someone else's persona cannot be used to group one's assets.
    const bobs = await bob.caller.studio.personas.create({ name: "Not yours" });
    await expectTrpcError(carol.caller.studio.assets.update({ assetId: ids[3]!, personaId: bobs.id }), "NOT_FOUND");
  });

  it("bulk tags, untags, favourites and unfavourites the caller's assets only", async () => {
    const bobsAsset = await asUser(h.db, bob.me.id, (tx) => insertFixtureAsset(tx, bob.me.id, { tags: ["bob"] }));
    const targets = [ids[3]!, ids[4]!, bobsAsset.assetId];
    expect(await carol.caller.studio.assets.bulk({ assetIds: targets, action: "tag", tag: "Batch" })).toEqual({ affected: 2 });
    // Tagging again changes nothing.
    expect(await carol.caller.studio.assets.bulk({ assetIds: targets, action: "tag", tag: "batch" })).toEqual({ affected: 0 });
    expect((await carol.caller.studio.assets.list({ tag: "batch" })).assets.map((a) => a.id).sort()).toEqual(
      [ids[3]!, ids[4]!].sort(),
    );
    expect(await carol.caller.studio.assets.bulk({ assetIds: targets, action: "favorite" })).toEqual({ affected: 2 });
    expect(await carol.caller.studio.assets.bulk({ assetIds: targets, action: "unfavorite" })).toEqual({ affected: 2 });
    expect(await carol.caller.studio.assets.bulk({ assetIds: targets, action: "untag", tag: "batch" })).toEqual({ affected: 2 });
    expect(await bob.caller.studio.assets.get({ assetId: bobsAsset.assetId })).toMatchObject({
      tags: ["bob"],
      isFavorite: false,
    });
    await expect(carol.caller.studio.assets.bulk({ assetIds: targets, action: "tag" })).rejects.toThrow(/tag/i);
    await expect(
      carol.caller.studio.assets.bulk({ assetIds: Array.from({ length: 101 }, () => crypto.randomUUID()), action: "favorite" }),
    ).rejects.toThrow(/100/);
  });

  it("bulk tagging passes over an asset that already has 30 tags instead of failing the whole selection", async () => {
    const full = await asUser(h.db, carol.me.id, (tx) =>
      insertFixtureAsset(tx, carol.me.id, { tags: Array.from({ length: 30 }, (_, i) => `t${i}`) }),
    );
    const room = await asUser(h.db, carol.me.id, (tx) => insertFixtureAsset(tx, carol.me.id, { tags: [] }));
    expect(await carol.caller.studio.assets.bulk({ assetIds: [full.assetId, room.assetId], action: "tag", tag: "late" })).toEqual(
      { affected: 1 },
    );
    expect((await carol.caller.studio.assets.get({ assetId: room.assetId })).tags).toEqual(["late"]);
    expect((await carol.caller.studio.assets.get({ assetId: full.assetId })).tags).toHaveLength(30);
    await carol.caller.studio.assets.bulk({ assetIds: [full.assetId, room.assetId], action: "delete" });
  });

  it("deleting an asset deletes its files, rows and bytes; bulk delete leaves others' assets alone", async () => {
    const photo = await uploadAndAttach(carol, await jpegWithGps(), "gone.jpg");
    const row = await asUser(h.db, carol.me.id, (tx) =>
      tx
        .selectFrom("studio_assets")
        .select(["file_id", "thumbnail_file_id"])
        .where("id", "=", photo.id)
        .executeTakeFirstOrThrow(),
    );
    const fileIds = [row.file_id, row.thumbnail_file_id!];
    const keys = (await fileRows(carol, fileIds)).map((f) => f.storage_key);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(await h.deps.storage.get(key)).not.toBeNull();
    await carol.caller.studio.assets.delete({ assetId: photo.id });
    expect(await fileRows(carol, fileIds)).toEqual([]);
    for (const key of keys) expect(await h.deps.storage.get(key)).toBeNull();
    expect((await served(photo.url)).status).toBe(404);
    await expectTrpcError(carol.caller.studio.assets.get({ assetId: photo.id }), "NOT_FOUND");

    const bobsAsset = await asUser(h.db, bob.me.id, (tx) => insertFixtureAsset(tx, bob.me.id));
    expect(await carol.caller.studio.assets.bulk({ assetIds: [ids[5]!, bobsAsset.assetId], action: "delete" })).toEqual({
      affected: 1,
    });
    expect((await bob.caller.studio.assets.get({ assetId: bobsAsset.assetId })).id).toBe(bobsAsset.assetId);
    await expectTrpcError(carol.caller.studio.assets.get({ assetId: ids[5]! }), "NOT_FOUND");
  });
});

describe("another user", () => {
  it("cannot see, change or delete someone's asset through any procedure", async () => {
    const asset = await uploadAndAttach(alice, await jpegWithGps(), "private.jpg", { tags: ["private"] });
    await expectTrpcError(bob.caller.studio.assets.get({ assetId: asset.id }), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.assets.update({ assetId: asset.id, filename: "mine.jpg" }), "NOT_FOUND");
    await expectTrpcError(bob.caller.studio.assets.delete({ assetId: asset.id }), "NOT_FOUND");
    expect(await bob.caller.studio.assets.bulk({ assetIds: [asset.id], action: "delete" })).toEqual({ affected: 0 });
    expect(await bob.caller.studio.assets.bulk({ assetIds: [asset.id], action: "tag", tag: "x" })).toEqual({ affected: 0 });
    const listed = await bob.caller.studio.assets.list({ tag: "private" });
    expect(listed.assets).toEqual([]);
    expect(await alice.caller.studio.assets.get({ assetId: asset.id })).toMatchObject({
      filename: "private.jpg",
      tags: ["private"],
    });
  });

  it("the exports other features use are scoped to the caller", async () => {
    const asset = await uploadAndAttach(alice, await jpegWithGps(), "ref.jpg");
    const unknown = crypto.randomUUID();
    await asUser(h.db, alice.me.id, async (tx) => {
      expect(await assets.ownedIds(tx, [unknown, asset.id, "not-a-uuid"])).toEqual([asset.id]);
      const [summary] = await assets.summaries(tx, [asset.id, unknown], h.deps);
      expect(summary).toMatchObject({ id: asset.id, kind: "image", filename: "ref.jpg", contentType: "image/jpeg" });
      expect(await assets.fileOf(tx, asset.id)).toMatchObject({ contentType: "image/jpeg" });
    });
    await asUser(h.db, bob.me.id, async (tx) => {
      expect(await assets.ownedIds(tx, [asset.id])).toEqual([]);
      expect(await assets.summaries(tx, [asset.id], h.deps)).toEqual([]);
      expect(await assets.fileOf(tx, asset.id)).toBeNull();
    });
  });

  it("signed URLs: tampered, swapped or expired ones are refused with 403", async () => {
    const asset = await uploadAndAttach(alice, await jpegWithGps(), "signed.jpg");
    const other = await uploadAndAttach(alice, await jpegWithGps(), "other.jpg");
    expect((await served(asset.url)).status).toBe(200);
    const url = new URL(asset.url, "http://x");
    const sig = url.searchParams.get("sig")!;
    const flipped = `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    expect((await served(`${url.pathname}?exp=${url.searchParams.get("exp")}&sig=${flipped}`)).status).toBe(403);
    // The signature of one file does not open another.
    const otherPath = new URL(other.url, "http://x").pathname;
    expect((await served(`${otherPath}?exp=${url.searchParams.get("exp")}&sig=${sig}`)).status).toBe(403);
    // A later expiry with the old signature.
    expect((await served(`${url.pathname}?exp=${Number(url.searchParams.get("exp")) + 3600}&sig=${sig}`)).status).toBe(403);
    expect((await served(`${url.pathname}?exp=1&sig=${sig}`)).status).toBe(403);
  });
});

describe("storeGenerated", () => {
  it("stores generated bytes as an asset of the user (image with thumbnail, metadata stripped), in one transaction", async () => {
    const png = await solidImage("png", 80, 40);
    const stored = await assets.storeGenerated(h.deps, {
      userId: alice.me.id,
      bytes: new Uint8Array(png),
      filename: "generated.png",
      source: "generation",
      metadata: { provider: "offline" },
    });
    const asset = await alice.caller.studio.assets.get({ assetId: stored.assetId });
    expect(asset).toMatchObject({ kind: "image", source: "generation", width: 80, height: 40, filename: "generated.png" });
    expect(asset.thumbnailUrl).toBeTruthy();
    await expectTrpcError(bob.caller.studio.assets.get({ assetId: stored.assetId }), "NOT_FOUND");
  });

  it("when the rows cannot be recorded, the bytes it already stored are removed (nothing left in storage)", async () => {
    const keys = async () => {
      const found: string[] = [];
      for await (const object of h.deps.storage.list()) found.push(object.key);
      return found;
    };
    const before = new Set(await keys());
    // No such user: the stored_files insert fails on its foreign key after the image and thumbnail were written.
    await expect(
      assets.storeGenerated(h.deps, {
        userId: crypto.randomUUID(),
        bytes: new Uint8Array(await solidImage("png", 40, 40)),
        filename: "orphan.png",
        source: "generation",
      }),
    ).rejects.toThrow();
    expect((await keys()).filter((k) => !before.has(k))).toEqual([]);
  });

  it("refuses what an upload would refuse", async () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(100).fill(0)]);
    await expect(
      assets.storeGenerated(h.deps, { userId: alice.me.id, bytes: elf, filename: "x.png", source: "generation" }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});
