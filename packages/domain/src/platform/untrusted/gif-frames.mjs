/**
 * Parser (runs in an untrusted-parse worker, see untrusted.ts): the furthest right and bottom any frame
 * of a GIF reaches. `image-size` reads the logical screen only, but a frame may be larger (a 1 × 1
 * screen holding a 20,000 × 20,000 frame), and browsers' GIF readers grow the screen to the first
 * frame; so the frames count too. Walks the blocks without decoding any: linear in the file's size,
 * nothing allocated. A damaged file counts what was read before the damage.
 * @param {{ bytes: Uint8Array }} input
 * @returns {{ ok: true; value: { width: number; height: number } } | { ok: false; reason: string }}
 */
export default function gifFrames({ bytes: b }) {
  if (!(b.length >= 13 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38))
    return { ok: false, reason: "This GIF is not a GIF" };
  const u16 = (at) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
  const colorTable = (packed) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  let width = 0;
  let height = 0;
  let at = 13 + colorTable(b[10] ?? 0);
  const skipSubBlocks = () => {
    while (at < b.length && b[at] !== 0) at += (b[at] ?? 0) + 1;
    at++; // the terminator
  };
  while (at < b.length) {
    const block = b[at];
    if (block === 0x2c) {
      width = Math.max(width, u16(at + 1) + u16(at + 5));
      height = Math.max(height, u16(at + 3) + u16(at + 7));
      at += 10 + colorTable(b[at + 9] ?? 0) + 1; // descriptor, local color table, LZW code size
      skipSubBlocks();
    } else if (block === 0x21) {
      at += 2;
      skipSubBlocks();
    } else break; // the trailer, or damage: what was read so far counts
  }
  return { ok: true, value: { width, height } };
}
