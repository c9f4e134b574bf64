/**
 * For tests and the cross-user sweep (apps/api/src/inventory.ts): a photo and a recording on a story,
 * written as their owner in the owner's RLS transaction, without upload or media work (their stored_files
 * rows point at keys with no bytes; nothing reads them); an answer link without its e-mail; and the
 * files the media tests send (a phone photo with GPS, a decompression bomb, a recording).
 */
import { createHash, randomUUID } from "node:crypto";
import { deflateSync } from "node:zlib";
import type { Tx } from "@inkwell/db";
import sharp from "sharp";
import { files } from "../files/index.ts";
import { newToken } from "../platform/tokens.ts";
import * as repo from "./stories-media.repository.ts";
import * as prompts from "./stories-prompts.repository.ts";

export async function insertFixtureStoryMedia(tx: Tx, userId: string, storyId: string) {
  const story = await repo.findStory(tx, storyId);
  if (!story) throw new Error("fixture: story not found");
  const file = async (purpose: "story_photo" | "story_audio", contentType: string) => {
    const id = randomUUID();
    return files.record(tx, userId, {
      id,
      purpose,
      filename: `fixture-${purpose}`,
      contentType,
      byteSize: 1,
      sha256: createHash("sha256").update(id).digest("hex"),
      storageKey: `${purpose.replace(/_/g, "-")}/${userId}/${id}`,
    });
  };
  const photoFile = await file("story_photo", "image/png");
  const audioFile = await file("story_audio", "audio/mpeg");
  const photo = await repo.insertPhoto(tx, {
    story_id: story.id,
    campaign_id: story.campaign_id,
    user_id: userId,
    file_id: photoFile.id,
    caption: "Fixture caption",
    position: 0,
    width: 1,
    height: 1,
  });
  const audio = await repo.insertAudio(tx, {
    story_id: story.id,
    campaign_id: story.campaign_id,
    user_id: userId,
    file_id: audioFile.id,
    transcript: "Fixture transcript",
    transcript_status: "done",
  });
  if (!photo || !audio) throw new Error("fixture: media not inserted");
  return { photoId: photo.id, audioId: audio.id, photoFileId: photoFile.id, audioFileId: audioFile.id };
}

/** An answer link for a question, as the worker makes one (tests skip the e-mail): the token. */
export async function insertFixtureAnswerLink(tx: Tx, input: { campaignId: string; promptId: string }): Promise<string> {
  const { token, hash } = newToken();
  await prompts.insertLink(tx, { ...input, tokenHash: hash, kind: "prompt", ttlSeconds: 3600 });
  return token;
}

/** A JPEG as a phone takes it: lying on its side (EXIF orientation 6), with a camera name and a GPS position. */
export function jpegWithGps(width = 300, height = 200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#c0392b" } })
    .jpeg()
    .withExif({
      IFD0: { Make: "InkwellTestCam", Model: "Fixture One" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 30/1 0/1", GPSLongitudeRef: "W", GPSLongitude: "0/1 7/1 0/1" },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Metadata of served image bytes (the tests check what a browser would get). */
export async function imageMetadata(bytes: Uint8Array) {
  const m = await sharp(bytes).metadata();
  return { width: m.width, height: m.height, format: m.format, exif: m.exif ?? null, orientation: m.orientation ?? null };
}

/**
 * A decompression bomb: a valid 1-bit PNG of `side` × `side` pixels, all zero, a few kilobytes on the
 * wire (one deflate stream of zero rows), that decodes to side² pixels.
 */
export function pngBomb(side = 11_000): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc((1 + Math.ceil(side / 8)) * side);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A mono 16-bit PCM WAV of `seconds` of silence at 8 kHz. */
export function wavSilence(seconds = 2): Buffer {
  const rate = 8000;
  const samples = Math.round(rate * seconds);
  const b = Buffer.alloc(44 + samples * 2);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write("WAVEfmt ", 8, "latin1");
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36, "latin1");
  b.writeUInt32LE(samples * 2, 40);
  return b;
}

/**
 * A WebM/Opus file as Chromium's MediaRecorder writes it: the Segment and the Cluster of "unknown
 * size" (streamed), no Duration element, no Cues; `seconds` of 20-ms blocks in one track.
 */
export function mediaRecorderWebm(seconds: number): Buffer {
  const size = (n: number) => {
    // An 8-byte EBML size (0x01 marker), enough for any test file.
    const b = Buffer.alloc(8);
    b.writeUInt8(0x01, 0);
    b.writeUIntBE(n, 2, 6);
    return b;
  };
  const el = (id: number[], ...body: Buffer[]) => {
    const content = Buffer.concat(body);
    return Buffer.concat([Buffer.from(id), size(content.length), content]);
  };
  const unknownSize = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const header = el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], Buffer.from("webm")));
  const info = el([0x15, 0x49, 0xa9, 0x66], el([0x2a, 0xd7, 0xb1], Buffer.from([0x0f, 0x42, 0x40])));
  const opusHead = Buffer.from([0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]);
  const tracks = el(
    [0x16, 0x54, 0xae, 0x6b],
    el(
      [0xae],
      el([0xd7], Buffer.from([1])),
      el([0x83], Buffer.from([2])),
      el([0x86], Buffer.from("A_OPUS")),
      el([0x63, 0xa2], opusHead),
      el([0xe1], el([0xb5], Buffer.from([0x47, 0x3b, 0x80, 0x00])), el([0x9f], Buffer.from([1]))),
    ),
  );
  const blocks: Buffer[] = [];
  for (let t = 0; t < seconds * 1000; t += 20) {
    const head = Buffer.from([0x81, 0, 0, 0x80]);
    head.writeInt16BE(t, 1);
    // An Opus TOC byte (CELT, 20 ms, mono) and a few bytes of silence.
    blocks.push(el([0xa3], head, Buffer.from([0xf8, 0xff, 0xfe])));
  }
  const cluster = Buffer.concat([Buffer.from([0x1f, 0x43, 0xb6, 0x75]), unknownSize, el([0xe7], Buffer.from([0])), ...blocks]);
  return Buffer.concat([header, Buffer.from([0x18, 0x53, 0x80, 0x67]), unknownSize, info, tracks, cluster]);
}
