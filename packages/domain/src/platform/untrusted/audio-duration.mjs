/**
 * Parser (runs in an untrusted-parse worker, see untrusted.ts): how long a recording is, with
 * `music-metadata` (headers and frame tables; no audio is decoded). A file with no audio track, or
 * one neither parser can follow, is refused.
 *
 * A browser recording (WebM from Chromium's MediaRecorder) has no Duration element, no Cues, and its
 * Segment and Clusters are written with "unknown size" (it is streamed): music-metadata 12 throws on
 * those sizes. For WebM/Matroska we then walk the EBML ourselves (scanWebm): an audio track makes it a
 * recording, and the duration comes from the last block's time. A valid recording whose length still
 * cannot be found is accepted with a null duration rather than refused.
 * @param {{ bytes: Uint8Array; mimeType: string }} input
 */
import { parseBuffer } from "music-metadata";

const UNREADABLE = "This recording could not be read (it may be damaged or cut short)";

export default async function audioDuration({ bytes, mimeType }) {
  const ebml = isEbml(bytes);
  let metadata = null;
  try {
    metadata = await parseBuffer(bytes, { mimeType, size: bytes.byteLength }, { duration: true, skipCovers: true });
  } catch {
    if (!ebml) return { ok: false, reason: UNREADABLE };
  }
  if (metadata) {
    const { format } = metadata;
    const hasAudio =
      (format.numberOfChannels ?? 0) > 0 ||
      (format.trackInfo ?? []).some((t) => t.audio || t.type === 2) ||
      typeof format.codec === "string";
    const seconds = format.duration;
    let durationMs = typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
    if (hasAudio && durationMs === null && ebml) durationMs = scanWebm(bytes)?.durationMs ?? null;
    if (hasAudio || !ebml) {
      if (!hasAudio) return { ok: false, reason: "This file has no sound to play" };
      return { ok: true, value: { durationMs, container: format.container ?? null, codec: format.codec ?? null } };
    }
  }
  const scanned = scanWebm(bytes);
  if (!scanned) return { ok: false, reason: UNREADABLE };
  if (!scanned.codec) return { ok: false, reason: "This file has no sound to play" };
  return { ok: true, value: { durationMs: scanned.durationMs, container: scanned.docType, codec: scanned.codec } };
}

const isEbml = (b) => b.byteLength >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3;

// Element ids (with their length marker bits, as written).
const ID = {
  EBML: 0x1a45dfa3,
  DocType: 0x4282,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackType: 0x83,
  CodecID: 0x86,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  BlockGroup: 0xa0,
  Block: 0xa1,
  SimpleBlock: 0xa3,
};
// Masters whose children the walk reads in line (so an unknown size on any of them is harmless).
const DESCEND = new Set([ID.EBML, ID.Segment, ID.Info, ID.Tracks, ID.TrackEntry, ID.Cluster, ID.BlockGroup]);

/** A variable-length integer at `pos`: { value, length, unknown } or null past the end / malformed. */
function vint(b, pos, keepMarker) {
  if (pos >= b.byteLength) return null;
  const first = b[pos];
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  if (length > 8 || pos + length > b.byteLength) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + b[pos + i];
    if (b[pos + i] !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

const uint = (b, start, end) => {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 256 + b[i];
  return v;
};

/**
 * Walks a WebM/Matroska file's elements in one pass. Returns null when it is not one (no EBML header
 * with a Matroska doc type), else its doc type, the first audio track's codec (null: no audio track),
 * whether any track is video, and the duration in ms (null when neither a Duration element nor any block time was found).
 */
export function scanWebm(b) {
  let pos = 0;
  let docType = null;
  let scale = 1_000_000; // ns per tick, Matroska's default
  let declared = null;
  const tracks = new Map(); // number -> { type, codec }
  let entry = null;
  let clusterTime = null;
  const blocks = new Map(); // track number -> { last, gap }
  while (pos < b.byteLength) {
    const id = vint(b, pos, true);
    if (!id) break;
    const size = vint(b, pos + id.length, false);
    if (!size) break;
    const start = pos + id.length + size.length;
    const end = size.unknown ? null : start + size.value;
    if (id.value === ID.TrackEntry) {
      entry = { number: null, type: null, codec: null };
    }
    if (DESCEND.has(id.value)) {
      if (id.value === ID.Cluster) clusterTime = null;
      pos = start;
      continue;
    }
    if (end === null) break; // an unknown-size element we cannot step over
    const stop = Math.min(end, b.byteLength);
    switch (id.value) {
      case ID.DocType:
        docType = new TextDecoder().decode(b.subarray(start, stop)).replace(/\0+$/, "");
        break;
      case ID.TimecodeScale:
        scale = uint(b, start, stop) || scale;
        break;
      case ID.Duration: {
        const view = new DataView(b.buffer, b.byteOffset + start, stop - start);
        const d = stop - start === 8 ? view.getFloat64(0) : stop - start === 4 ? view.getFloat32(0) : Number.NaN;
        if (Number.isFinite(d) && d > 0) declared = d;
        break;
      }
      case ID.TrackNumber:
      case ID.TrackType:
      case ID.CodecID:
        if (entry) {
          if (id.value === ID.TrackNumber) entry.number = uint(b, start, stop);
          else if (id.value === ID.TrackType) entry.type = uint(b, start, stop);
          else entry.codec = new TextDecoder().decode(b.subarray(start, stop)).replace(/\0+$/, "");
          if (entry.number !== null) tracks.set(entry.number, entry);
        }
        break;
      case ID.Timecode:
        clusterTime = uint(b, start, stop);
        break;
      case ID.SimpleBlock:
      case ID.Block: {
        const track = vint(b, start, false);
        if (!track || clusterTime === null || start + track.length + 2 > stop) break;
        const rel = new DataView(b.buffer, b.byteOffset + start + track.length, 2).getInt16(0);
        const t = clusterTime + rel;
        const seen = blocks.get(track.value);
        if (!seen) blocks.set(track.value, { last: t, gap: 0 });
        else if (t > seen.last) blocks.set(track.value, { last: t, gap: t - seen.last });
        break;
      }
    }
    pos = end;
  }
  if (docType !== "webm" && docType !== "matroska") return null;
  const hasVideo = [...tracks.values()].some((t) => t.type === 1 || (t.type === null && t.codec?.startsWith("V_")));
  const audio = [...tracks.values()].find((t) => t.type === 2 || (t.type === null && t.codec?.startsWith("A_")));
  if (!audio) return { docType, codec: null, durationMs: null, hasVideo };
  let ticks = declared;
  const timed = blocks.get(audio.number);
  // The last block starts at `last` and lasts about as long as the gap before it (Opus: 20 ms).
  if (ticks === null && timed) ticks = timed.last + timed.gap;
  const durationMs = ticks !== null && ticks >= 0 ? Math.round((ticks * scale) / 1_000_000) : null;
  return { docType, codec: audio.codec, durationMs, hasVideo };
}
