/**
 * The files module on a real database and real storage: the local disk adapter, and the S3 adapter
 * through the official SDK against fauxqs (an S3-compatible server that runs in-process).
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { startFauxqs } from "fauxqs";
import { sql } from "kysely";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { handlersFor, missingNeeds, runJob } from "../jobs/handlers.ts";
import { DomainError } from "../platform/errors.ts";
import { generateKeySpec, parseKeyRing } from "../platform/secret-box.ts";
import {
  createStorageFromEnv,
  files,
  LocalDiskStorage,
  purgeOrphansJob,
  receiveUpload,
  S3Storage,
  type Storage,
  sniff,
  storageEnvSchema,
} from "./index.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 6 });
let root: string;
let storage: LocalDiskStorage;
const keyRing = parseKeyRing(generateKeySpec("f1"));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "inkwell-files-"));
  storage = new LocalDiskStorage(root);
});
afterAll(async () => {
  await db.destroy();
  await rm(root, { recursive: true, force: true });
});

function png(width = 4, height = 4): Uint8Array {
  const image = new PNG({ width, height });
  image.data.fill(200);
  return new Uint8Array(PNG.sync.write(image));
}

/** A small real PNG whose header then claims `width` × `height` (CRC fixed, so every reader accepts the header). */
function pngClaiming(width: number, height: number): Uint8Array {
  const bytes = Buffer.from(png(4, 4));
  // Signature (8), IHDR length (4) and type (4), then width and height; the CRC covers type + data (17 bytes).
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes.writeUInt32BE(crc32(bytes.subarray(12, 29)), 29);
  return new Uint8Array(bytes);
}

let n = 0;
async function newUser(): Promise<string> {
  return asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `files-${Date.now()}-${++n}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return u.id;
  });
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function roundTrip(store: Storage) {
  const bytes = png();
  await store.put("brand-logo/u1/f1", bytes, "image/png");
  expect(await store.get("brand-logo/u1/f1")).toEqual(bytes);
  // A part of it, as a video player's Range request reads it.
  expect(await store.getRange("brand-logo/u1/f1", 3, 9)).toEqual(bytes.subarray(3, 10));
  expect(await store.getRange("brand-logo/u1/f1", 0, bytes.byteLength - 1)).toEqual(bytes);
  expect(await store.getRange("brand-logo/u1/missing", 0, 1)).toBeNull();
  await store.delete("brand-logo/u1/f1");
  expect(await store.get("brand-logo/u1/f1")).toBeNull();
  // Deleting again is not an error.
  await store.delete("brand-logo/u1/f1");
}

describe("sniffing", () => {
  it("recognises images by their bytes and plain text by decoding it", async () => {
    expect((await sniff(png())).contentType).toBe("image/png");
    expect(await sniff(new TextEncoder().encode("Hello, world.\nThis is my voice."))).toMatchObject({
      contentType: "text/plain",
      kind: "text",
    });
    expect((await sniff(new Uint8Array([0, 1, 2, 3, 255, 254, 0, 7]))).kind).toBeNull();
  });
});

describe("storage adapters", () => {
  it("local disk: round trip, missing is null, delete is idempotent", () => roundTrip(storage));

  it("local disk: a key can never leave the root", async () => {
    await expect(storage.put("../escape", png(), "image/png")).rejects.toThrow(/invalid key/);
    await expect(storage.get("a/../../etc/passwd")).rejects.toThrow(/invalid key/);
  });

  it("S3: round trip through the AWS SDK against an S3-compatible server", async () => {
    const server = await startFauxqs({ port: 0, logger: false });
    try {
      server.createBucket("inkwell-test");
      const s3 = new S3Storage({
        bucket: "inkwell-test",
        region: "us-east-1",
        endpoint: server.address,
        forcePathStyle: true,
        accessKeyId: "test",
        secretAccessKey: "test",
        prefix: "tenant-a",
      });
      await roundTrip(s3);
      // The product path on S3: store (sniffed, recorded), serve through a signed URL, delete.
      const userId = await newUser();
      const bytes = png(3, 3);
      const file = await asUser(db, userId, (tx) =>
        files.store({ storage: s3 }, tx, userId, { purpose: "brand_logo", filename: "logo.png", bytes }),
      );
      const url = new URL(files.signedUrl({ keyRing }, file, 60), "http://x");
      const served = await files.openSigned(
        { db, storage: s3, keyRing },
        { id: file.id, exp: url.searchParams.get("exp") ?? "", sig: url.searchParams.get("sig") ?? "" },
      );
      expect(served.status === "ok" && served.bytes).toEqual(bytes);
      const { storageKey } = await asUser(db, userId, (tx) => files.remove(tx, file.id));
      expect(storageKey).toBe(`brand-logo/${userId}/${file.id}`);
      await files.deleteObject({ storage: s3 }, storageKey);
      expect(await s3.get(storageKey)).toBeNull();
      s3.client.destroy();
    } finally {
      await server.stop();
    }
  });
});

describe("storage configuration", () => {
  it("is the local disk with zero configuration, S3 when asked, and refuses half an S3 setup", () => {
    const local = createStorageFromEnv(storageEnvSchema.parse({}));
    expect(local).toBeInstanceOf(LocalDiskStorage);
    expect((local as LocalDiskStorage).root).toMatch(/\.data\/files$/);
    const s3 = storageEnvSchema.parse({
      STORAGE_DRIVER: "s3",
      STORAGE_S3_BUCKET: "media",
      STORAGE_S3_ENDPOINT: "http://127.0.0.1:9000",
      STORAGE_S3_FORCE_PATH_STYLE: "true",
    });
    expect(createStorageFromEnv(s3).kind).toBe("s3");
    expect(() => createStorageFromEnv(storageEnvSchema.parse({ STORAGE_DRIVER: "s3" }))).toThrow(/STORAGE_S3_BUCKET/);
    expect(() => createStorageFromEnv({ ...s3, STORAGE_S3_ACCESS_KEY_ID: "only-the-id" })).toThrow(/both/);
  });
});

describe("storing files", () => {
  it("stores the sniffed type, size and sha256, and reads the same bytes back", async () => {
    const userId = await newUser();
    const bytes = png(8, 8);
    const file = await asUser(db, userId, (tx) =>
      files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "logo.png", bytes }),
    );
    expect(file).toMatchObject({ purpose: "brand_logo", filename: "logo.png", contentType: "image/png", byteSize: bytes.length });
    expect(file.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(await asUser(db, userId, (tx) => files.read({ storage }, tx, file.id))).toEqual(bytes);
  });

  it("ignores the client's file name: a text file named .png is refused as not an image", async () => {
    const userId = await newUser();
    const before = await readdir(root, { recursive: true });
    const error = await rejection(
      asUser(db, userId, (tx) =>
        files.store({ storage }, tx, userId, {
          purpose: "brand_logo",
          filename: "logo.png",
          bytes: new TextEncoder().encode("definitely not a picture"),
        }),
      ),
    );
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.details.field).toBe("file");
    expect(error.message).toBe("That file is plain text, not a PNG, JPEG, WebP or GIF image.");
    // Nothing was written.
    expect(await readdir(root, { recursive: true })).toEqual(before);
  });

  it("refuses files over the purpose's size limit and empty files, saying the sizes", async () => {
    const userId = await newUser();
    const big = new Uint8Array(2 * 1024 * 1024 + 1);
    big.set(png());
    const tooBig = await rejection(
      asUser(db, userId, (tx) =>
        files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "big.png", bytes: big }),
      ),
    );
    expect(tooBig.message).toBe("That file is just over the 2 MB limit.");
    const huge = await rejection(
      asUser(db, userId, (tx) =>
        files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "huge.png", bytes: new Uint8Array(3_300_000) }),
      ),
    );
    expect(huge.message).toBe("That file is 3.1 MB; the limit is 2 MB.");
    const tight = await rejection(
      asUser(db, userId, (tx) =>
        files.store({ storage }, tx, userId, { purpose: "post_media", filename: "a.png", bytes: png(64, 64), maxBytes: 100 }),
      ),
    );
    expect(tight.message).toMatch(/^That file is \d+ bytes; the limit is 100 bytes\.$/);
    const empty = await rejection(
      asUser(db, userId, (tx) =>
        files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "a.png", bytes: new Uint8Array() }),
      ),
    );
    expect(empty.message).toBe("That file is empty.");
  });

  it("refuses images whose header claims too many pixels, without decoding them, and keeps normal ones", async () => {
    const userId = await newUser();
    const store = (purpose: string, bytes: Uint8Array) =>
      asUser(db, userId, (tx) => files.store({ storage }, tx, userId, { purpose, filename: "a.png", bytes }));
    const before = await readdir(root, { recursive: true });
    const bomb = pngClaiming(65_535, 65_535);
    expect(bomb.length).toBeLessThan(1024);
    expect((await rejection(store("brand_logo", bomb))).message).toBe(
      "That image is 65,535 × 65,535 pixels; the limit is 12,000 pixels per side.",
    );
    expect((await rejection(store("post_media", pngClaiming(20_000, 20_000)))).message).toBe(
      "That image is 20,000 × 20,000 pixels; the limit is 12,000 pixels per side.",
    );
    expect((await rejection(store("post_media", pngClaiming(8_000, 8_000)))).message).toBe(
      "That image is 8,000 × 8,000 pixels (64 megapixels); the limit is 40 megapixels.",
    );
    // A PNG cut off inside its header is not an image we can size.
    expect((await rejection(store("post_media", png(4, 4).subarray(0, 20)))).message).toBe(
      "That image could not be read (it may be damaged or cut short).",
    );
    expect(await readdir(root, { recursive: true })).toEqual(before);
    // At the limits, and an ordinary image: accepted, with the header's dimensions.
    expect((await store("post_media", pngClaiming(12_000, 3_000))).contentType).toBe("image/png");
    const prepared = await files.prepare({ storage }, userId, {
      purpose: "brand_logo",
      filename: "logo.png",
      bytes: png(40, 30),
    });
    expect(prepared.dimensions).toEqual({ width: 40, height: 30 });
  });

  it("keeps files private: another user gets NOT_FOUND", async () => {
    const owner = await newUser();
    const other = await newUser();
    const file = await asUser(db, owner, (tx) =>
      files.store({ storage }, tx, owner, { purpose: "brand_logo", filename: "logo.png", bytes: png() }),
    );
    expect((await rejection(asUser(db, other, (tx) => files.get(tx, file.id)))).code).toBe("NOT_FOUND");
    expect((await rejection(asUser(db, other, (tx) => files.read({ storage }, tx, file.id)))).code).toBe("NOT_FOUND");
    expect((await rejection(asUser(db, other, (tx) => files.remove(tx, file.id)))).code).toBe("NOT_FOUND");
  });
});

describe("the orphan sweep", () => {
  async function sweepKeeps(store: Storage) {
    const userId = await newUser();
    const kept = await asUser(db, userId, (tx) =>
      files.store({ storage: store }, tx, userId, { purpose: "brand_logo", filename: "kept.png", bytes: png() }),
    );
    // An upload whose row never committed, and a file whose row went with its account.
    const failed = await files.prepare({ storage: store }, userId, { purpose: "brand_logo", filename: "x.png", bytes: png() });
    const goner = await newUser();
    const gone = await asUser(db, goner, (tx) =>
      files.store({ storage: store }, tx, goner, { purpose: "brand_logo", filename: "gone.png", bytes: png() }),
    );
    // Accounts are deleted outside the app roles; the file row goes with the user (cascade), the object stays.
    await sql`DELETE FROM users WHERE id = ${goner}`.execute(db);

    // Too young: nothing is touched.
    expect((await files.purgeOrphans({ db, storage: store }, { olderThan: new Date(Date.now() - 60_000) })).deleted).toBe(0);
    const swept = await files.purgeOrphans({ db, storage: store }, { olderThan: new Date(Date.now() + 1000), batchSize: 2 });
    expect(swept.deleted).toBeGreaterThanOrEqual(2);
    expect(await store.get(failed.storageKey)).toBeNull();
    expect(await store.get(`brand-logo/${goner}/${gone.id}`)).toBeNull();
    expect(await store.get(`brand-logo/${userId}/${kept.id}`)).toEqual(png());
  }

  it("deletes unreferenced objects on the local disk, keeps referenced and young ones", () => sweepKeeps(storage));

  it("deletes unreferenced objects on S3 (listing through the SDK)", async () => {
    const server = await startFauxqs({ port: 0, logger: false });
    try {
      server.createBucket("inkwell-sweep");
      const s3 = new S3Storage({
        bucket: "inkwell-sweep",
        region: "us-east-1",
        endpoint: server.address,
        forcePathStyle: true,
        accessKeyId: "test",
        secretAccessKey: "test",
      });
      await sweepKeeps(s3);
      s3.client.destroy();
    } finally {
      await server.stop();
    }
  });

  it("runs as the worker's hourly job, which a worker without storage refuses to register", async () => {
    const messages: string[] = [];
    const log = {
      info: (_: object, m?: string) => messages.push(`info: ${m}`),
      warn: (_: object, m?: string) => messages.push(`warn: ${m}`),
      error() {},
    };
    const orphan = await files.prepare({ storage }, await newUser(), { purpose: "brand_logo", filename: "o.png", bytes: png() });
    await utimes(join(root, orphan.storageKey), new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    const deps = { db, log, ai: undefined as never, mailer: undefined as never };
    await runJob(purgeOrphansJob, {}, { ...deps, storage });
    expect(await storage.get(orphan.storageKey)).toBeNull();
    expect(messages).toEqual(["info: purged orphaned files"]);
    expect(missingNeeds(handlersFor([purgeOrphansJob]), deps)).toEqual([
      "files.purge-orphans needs storage: file storage (STORAGE_*)",
    ]);
    expect(purgeOrphansJob.schedule).toBe("41 * * * *");
  });
});

describe("byte ranges", () => {
  it("reads one Range header against the size, caps a long range, and ignores what it does not serve", () => {
    expect(files.parseRange(undefined, 100)).toEqual({ kind: "whole" });
    expect(files.parseRange("bytes=0-9", 100)).toEqual({ kind: "partial", start: 0, end: 9 });
    expect(files.parseRange("bytes=90-", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(files.parseRange("bytes=95-200", 100)).toEqual({ kind: "partial", start: 95, end: 99 });
    expect(files.parseRange("bytes=-10", 100)).toEqual({ kind: "partial", start: 90, end: 99 });
    expect(files.parseRange("bytes=-500", 100)).toEqual({ kind: "partial", start: 0, end: 99 });
    expect(files.parseRange("bytes=100-", 100)).toEqual({ kind: "unsatisfiable" });
    expect(files.parseRange("bytes=-0", 100)).toEqual({ kind: "unsatisfiable" });
    // Several ranges, other units, backwards or malformed: the whole file (RFC 9110 lets a server ignore Range).
    for (const header of ["bytes=0-1,5-6", "items=0-1", "bytes=9-2", "bytes=a-b", "bytes=-"])
      expect(files.parseRange(header, 100), header).toEqual({ kind: "whole" });
    // `bytes=0-` of a large video is answered in parts.
    const big = 50 * 1024 * 1024;
    expect(files.parseRange("bytes=0-", big)).toEqual({ kind: "partial", start: 0, end: files.MAX_RANGE_BYTES - 1 });
  });
});

describe("signed URLs", () => {
  const deps = () => ({ db, storage, keyRing });
  const parse = (url: string) => {
    const u = new URL(url, "http://x");
    return { id: u.pathname.split("/")[2] ?? "", exp: u.searchParams.get("exp") ?? "", sig: u.searchParams.get("sig") ?? "" };
  };

  it("serve the file until they expire, then refuse", async () => {
    const userId = await newUser();
    const bytes = png();
    const file = await asUser(db, userId, (tx) =>
      files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "logo.png", bytes }),
    );
    const now = Math.floor(Date.now() / 1000);
    const url = files.signedUrl(deps(), file, 600, now);
    expect(url).toMatch(new RegExp(`^/files/${file.id}\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`));
    const params = parse(url);
    // At least the TTL asked for, rounded up to a step so repeated calls give the same URL.
    expect(Number(params.exp) - now).toBeGreaterThanOrEqual(600);
    expect(files.signedUrl(deps(), file, 600, now + 1)).toBe(url);

    const served = await files.openSigned(deps(), params, now);
    expect(served.status).toBe("ok");
    if (served.status === "ok") {
      expect(served.bytes).toEqual(bytes);
      expect(served.file.contentType).toBe("image/png");
    }
    expect((await files.openSigned(deps(), params, Number(params.exp) + 1)).status).toBe("expired");
  });

  it("refuse tampering: another id, a later expiry, a changed or missing signature, another key ring", async () => {
    const userId = await newUser();
    const [a, b] = await asUser(db, userId, async (tx) => [
      await files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "a.png", bytes: png() }),
      await files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "b.png", bytes: png(2, 2) }),
    ]);
    const params = parse(files.signedUrl(deps(), a!, 60));
    const flip = params.sig.startsWith("A") ? `B${params.sig.slice(1)}` : `A${params.sig.slice(1)}`;
    for (const tampered of [
      { ...params, id: b!.id },
      { ...params, exp: String(Number(params.exp) + 3600) },
      { ...params, sig: flip },
      { ...params, sig: "" },
      { id: params.id, exp: params.exp },
      { ...params, id: "../../etc/passwd" },
    ]) {
      expect((await files.openSigned(deps(), tampered)).status, JSON.stringify(tampered)).toBe("invalid");
    }
    const otherRing = { ...deps(), keyRing: parseKeyRing(generateKeySpec("f2")) };
    expect((await files.openSigned(otherRing, params)).status).toBe("invalid");
    // After a rotation the old key is still in the ring: links already handed out keep working.
    const rotated = parseKeyRing(`${generateKeySpec("f3")},f1:${keyRing.keys.f1!.toString("base64")}`);
    expect((await files.openSigned({ ...deps(), keyRing: rotated }, params)).status).toBe("ok");
  });

  it("a deleted file's link answers missing", async () => {
    const userId = await newUser();
    const file = await asUser(db, userId, (tx) =>
      files.store({ storage }, tx, userId, { purpose: "brand_logo", filename: "a.png", bytes: png() }),
    );
    const params = parse(files.signedUrl(deps(), file, 60));
    const { storageKey } = await asUser(db, userId, (tx) => files.remove(tx, file.id));
    await files.deleteObject({ storage }, storageKey);
    expect((await files.openSigned(deps(), params)).status).toBe("missing");
  });
});

describe("streamed uploads", () => {
  it("leave no spool file behind when the body breaks at once, however many arrive together", async () => {
    // The spool file is opened while the first chunk is written; a body that errors on its next read
    // used to be removed before that open had finished, which then created the file for good.
    const spoolDir = await mkdtemp(join(tmpdir(), "inkwell-spool-"));
    try {
      const broken = () =>
        new ReadableStream<Uint8Array>({
          start: (c) => c.enqueue(new Uint8Array(64 * 1024)),
          pull: (c) => c.error(new Error("connection reset")),
        });
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, () =>
          receiveUpload(
            { storage },
            { purpose: "story_audio", ownerId: "u1", filename: "a.wav", body: broken(), declaredLength: null, spoolDir },
          ),
        ),
      );
      expect(outcomes.every((o) => !o.ok && o.status === 422)).toBe(true);
      expect(await readdir(spoolDir)).toEqual([]);
    } finally {
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});
