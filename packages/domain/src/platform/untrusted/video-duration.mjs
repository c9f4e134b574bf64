/**
 * Parser (runs in an untrusted-parse worker, see untrusted.ts): how long a video is, and its frame size
 * where the container says, with `music-metadata` (headers and box tables; nothing is decoded), which
 * times audio tracks only: for a video with no sound the MP4/QuickTime movie header (mvhd) is read
 * here, walking the boxes within the file's bytes (a box claiming more than is left is refused). The
 * header is the sender's word: a duration that is not a finite number, or is longer than `maxDurationMs`,
 * is refused, and a box table that points past the end of the file is refused as unreadable. A browser
 * recording (WebM with "unknown size" elements, which music-metadata cannot follow) is accepted with no
 * duration rather than refused: nothing here trusts it for anything but display. `audioOnly`: the
 * container holds sound and no picture (a voice note in WebM or MP4), so the upload is a recording.
 * @param {{ bytes: Uint8Array; mimeType: string; maxDurationMs: number }} input
 */
import { parseBuffer } from "music-metadata";
import { scanWebm } from "./audio-duration.mjs";

const UNREADABLE = "This video could not be read (it may be damaged or cut short)";

export default async function videoDuration({ bytes, mimeType, maxDurationMs }) {
  const ebml = bytes.byteLength >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3;
  let metadata;
  try {
    metadata = await parseBuffer(bytes, { mimeType, size: bytes.byteLength }, { duration: true, skipCovers: true });
  } catch {
    if (!ebml) return { ok: false, reason: UNREADABLE };
    // A streamed WebM (a browser recording): its track table says whether it is sound only.
    const scanned = scanWebm(bytes);
    const audioOnly = Boolean(scanned?.codec) && !scanned?.hasVideo;
    return { ok: true, value: { durationMs: null, width: null, height: null, audioOnly } };
  }
  const { format } = metadata;
  const tracks = format.trackInfo ?? [];
  const isVideo = (t) => Boolean(t.video) || t.type === 1;
  const isAudio = (t) => Boolean(t.audio) || t.type === 2;
  const audioOnly = tracks.some(isAudio) && !tracks.some(isVideo);
  if (!ebml && tracks.length === 0 && !format.container) return { ok: false, reason: UNREADABLE };
  let seconds = format.duration;
  if ((seconds === undefined || seconds === null) && !ebml) {
    const movie = movieHeader(bytes);
    if (movie === "bad") return { ok: false, reason: UNREADABLE };
    if (movie) seconds = movie.timescale > 0 ? movie.duration / movie.timescale : Number.NaN;
  }
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
  return { ok: true, value: { durationMs, width, height, audioOnly } };
}

/** The movie header's timescale and duration of an ISO-BMFF file, null without one, "bad" when a box lies about its size. */
function movieHeader(b) {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const walk = (start, end, depth) => {
    let pos = start;
    while (pos + 8 <= end) {
      let size = view.getUint32(pos);
      const type = String.fromCharCode(b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]);
      let header = 8;
      if (size === 1) {
        if (pos + 16 > end) return "bad";
        size = Number(view.getBigUint64(pos + 8));
        header = 16;
      } else if (size === 0) size = end - pos;
      if (size < header || pos + size > end) return "bad";
      if (type === "moov" && depth === 0) return walk(pos + header, pos + size, 1);
      if (type === "mvhd" && depth === 1) {
        const at = pos + header;
        if (at + 4 > pos + size) return "bad";
        const version = b[at];
        if (version === 1) {
          if (at + 32 > pos + size) return "bad";
          return { timescale: view.getUint32(at + 20), duration: Number(view.getBigUint64(at + 24)) };
        }
        if (at + 20 > pos + size) return "bad";
        return { timescale: view.getUint32(at + 12), duration: view.getUint32(at + 16) };
      }
      pos += size;
    }
    return null;
  };
  return walk(0, b.byteLength, 0);
}
