/**
 * For tests and the cross-user sweep (apps/api/src/inventory.ts): an asset written as its owner without
 * upload or media work (its stored_files row points at a key with no bytes; nothing reads it), and the
 * videos the upload tests send (an honest MP4 header, and ones that lie).
 */
import { createHash, randomUUID } from "node:crypto";
import type { Tx } from "@inkwell/db";
import sharp from "sharp";
import { files } from "../files/index.ts";
import * as repo from "./assets.repository.ts";

export async function insertFixtureAsset(tx: Tx, userId: string, input: { filename?: string; tags?: string[] } = {}) {
  const id = randomUUID();
  const file = await files.record(tx, userId, {
    id,
    purpose: "studio_asset",
    filename: input.filename ?? "fixture.png",
    contentType: "image/png",
    byteSize: 1,
    sha256: createHash("sha256").update(id).digest("hex"),
    storageKey: `studio-asset/${userId}/${id}`,
  });
  const row = await repo.insertAsset(tx, {
    user_id: userId,
    file_id: file.id,
    kind: "image",
    filename: input.filename ?? "fixture.png",
    content_type: "image/png",
    byte_size: 1,
    width: 1,
    height: 1,
    tags: input.tags ?? ["fixture"],
  });
  if (!row) throw new Error("fixture: asset not inserted");
  return { assetId: row.id, fileId: file.id };
}

const box = (type: string, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body]);
};

/**
 * An MP4 skeleton (ftyp, moov with an mvhd, mdat): `timescale` ticks a second and `duration` ticks, as
 * its header claims (nothing checks them against the media; a liar claims a century). `mdatClaims`
 * makes the media box claim more bytes than the file has.
 */
export function mp4Video(options: { timescale?: number; duration?: number; mdatClaims?: number } = {}): Buffer {
  const timescale = options.timescale ?? 1000;
  const duration = options.duration ?? 3000;
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(timescale, 12);
  mvhd.writeUInt32BE(duration >>> 0, 16);
  mvhd.writeUInt32BE(0x00010000, 20);
  mvhd.writeUInt16BE(0x0100, 24);
  const matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
  for (const [i, v] of matrix.entries()) mvhd.writeUInt32BE(v, 36 + i * 4);
  mvhd.writeUInt32BE(2, 96);
  const ftyp = box("ftyp", Buffer.from("isom", "latin1"), Buffer.from([0, 0, 2, 0]), Buffer.from("isomiso2mp41", "latin1"));
  const payload = Buffer.alloc(256, 0x11);
  const mdat = box("mdat", payload);
  if (options.mdatClaims) mdat.writeUInt32BE(options.mdatClaims, 0);
  return Buffer.concat([ftyp, box("moov", box("mvhd", mvhd)), mdat]);
}

/** A plain image of one colour, as a camera-less tool would write it. */
export function solidImage(format: "jpeg" | "png", width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#2980b9" } })
    .toFormat(format)
    .toBuffer();
}
