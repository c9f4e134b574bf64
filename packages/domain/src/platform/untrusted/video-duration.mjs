/**
 * Parser (runs in an untrusted-parse worker, see untrusted.ts): how long a video is, and its frame size
 * where the container says, with `music-metadata` (headers and box tables; nothing is decoded). The
 * header is the sender's word: a duration that is not a finite number, or is longer than `maxDurationMs`,
 * is refused, and a box table that points past the end of the file is refused as unreadable. A browser
 * recording (WebM with "unknown size" elements, which music-metadata cannot follow) is accepted with no
 * duration rather than refused: nothing here trusts it for anything but display.
 * @param {{ bytes: Uint8Array; mimeType: string; maxDurationMs: number }} input
 */
import { parseBuffer } from "music-metadata";

const UNREADABLE = "This video could not be read (it may be damaged or cut short)";

export default async function videoDuration({ bytes, mimeType, maxDurationMs }) {
  const ebml = bytes.byteLength >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3;
  let metadata;
  try {
    metadata = await parseBuffer(bytes, { mimeType, size: bytes.byteLength }, { duration: true, skipCovers: true });
  } catch {
    if (ebml) return { ok: true, value: { durationMs: null, width: null, height: null } };
    return { ok: false, reason: UNREADABLE };
  }
  const { format } = metadata;
  const tracks = format.trackInfo ?? [];
  if (!ebml && tracks.length === 0 && !format.container) return { ok: false, reason: UNREADABLE };
  const seconds = format.duration;
  let durationMs = null;
  if (seconds !== undefined && seconds !== null) {
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return { ok: false, reason: UNREADABLE };
    durationMs = Math.round(seconds * 1000);
    if (durationMs > maxDurationMs)
      return {
        ok: false,
        reason: `This video's header claims it lasts ${Math.round(seconds / 3600)} hours, more than we accept`,
      };
  }
  const video = tracks.find((t) => t.video)?.video;
  const width = Number.isInteger(video?.pixelWidth) && video.pixelWidth > 0 ? video.pixelWidth : null;
  const height = Number.isInteger(video?.pixelHeight) && video.pixelHeight > 0 ? video.pixelHeight : null;
  return { ok: true, value: { durationMs, width, height } };
}
