/**
 * Parser (runs in an untrusted-parse worker, see untrusted.ts): how long a recording is, with
 * `music-metadata` (headers and frame tables; no audio is decoded). A file with no audio track, or
 * one the parser cannot follow, is refused. A browser recording (WebM from MediaRecorder) often
 * carries no duration in its header: then the duration is null rather than a guess.
 * @param {{ bytes: Uint8Array; mimeType: string }} input
 */
import { parseBuffer } from "music-metadata";

export default async function audioDuration({ bytes, mimeType }) {
  let metadata;
  try {
    metadata = await parseBuffer(bytes, { mimeType, size: bytes.byteLength }, { duration: true, skipCovers: true });
  } catch {
    return { ok: false, reason: "This recording could not be read (it may be damaged or cut short)" };
  }
  const { format } = metadata;
  const hasAudio =
    (format.numberOfChannels ?? 0) > 0 ||
    (format.trackInfo ?? []).some((t) => t.audio || t.type === 2) ||
    typeof format.codec === "string";
  if (!hasAudio) return { ok: false, reason: "This file has no sound to play" };
  const seconds = format.duration;
  const durationMs = typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
  return { ok: true, value: { durationMs, container: format.container ?? null, codec: format.codec ?? null } };
}
