/**
 * The sweep of uploads never attached (files.sweep-uploads) takes their bytes with their rows, on both
 * storage adapters: the local disk, and S3 through the official SDK against fauxqs. (What is attached and
 * must stay is tested end to end in apps/api/test/uploads.test.ts.)
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asSystem, asUser, createDb } from "@inkwell/db";
import type {} from "@inkwell/db/testing";
import { startFauxqs } from "fauxqs";
import { sql } from "kysely";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { files, LocalDiskStorage, S3Storage, type Storage, UNATTACHED_GRACE_MS } from "./index.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 4 });
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "inkwell-sweep-"));
});
afterAll(async () => {
  await db.destroy();
  await rm(root, { recursive: true, force: true });
});

function png(): Uint8Array {
  const image = new PNG({ width: 4, height: 4 });
  image.data.fill(120);
  return new Uint8Array(PNG.sync.write(image));
}

async function sweepTakesTheBytes(storage: Storage) {
  const userId = await asSystem(db, async (tx) => {
    const u = await tx
      .insertInto("users")
      .values({ email: `sweep-${Date.now()}-${Math.random()}@example.test`, password_hash: "x" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return u.id;
  });
  const store = (filename: string) =>
    asUser(db, userId, (tx) => files.store({ storage }, tx, userId, { purpose: "post_media", filename, bytes: png() }));
  const old = await store("old.png");
  const young = await store("young.png");
  await sql`UPDATE stored_files SET created_at = now() - interval '2 days' WHERE id = ${old.id}`.execute(db);
  const key = (id: string) => `post-media/${userId}/${id}`;
  expect(await storage.get(key(old.id))).toEqual(png());

  const swept = await files.sweepUnattached({ db, storage }, { olderThan: new Date(Date.now() - UNATTACHED_GRACE_MS) });
  expect(swept.deleted).toBeGreaterThanOrEqual(1);
  expect(swept.objectsLeft).toBe(0);
  expect(await storage.get(key(old.id))).toBeNull();
  expect(await asUser(db, userId, (tx) => files.get(tx, old.id).catch(() => null))).toBeNull();
  expect(await storage.get(key(young.id))).toEqual(png());
}

describe("the sweep of uploads never attached", () => {
  it("deletes the object on the local disk", () => sweepTakesTheBytes(new LocalDiskStorage(root)));

  it("deletes the object on S3", async () => {
    const server = await startFauxqs({ port: 0, logger: false });
    try {
      server.createBucket("inkwell-uploads-sweep");
      const s3 = new S3Storage({
        bucket: "inkwell-uploads-sweep",
        region: "us-east-1",
        endpoint: server.address,
        forcePathStyle: true,
        accessKeyId: "test",
        secretAccessKey: "test",
      });
      await sweepTakesTheBytes(s3);
      s3.client.destroy();
    } finally {
      await server.stop();
    }
  });
});
