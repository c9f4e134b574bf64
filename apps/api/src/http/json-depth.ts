/**
 * A linear scan for JSON nesting depth, run on the raw bytes before `JSON.parse`: millions of `[`
 * parse into millions of arrays and hold the event loop for seconds, while the scan stops at the first
 * bracket past the bound. Brackets inside strings do not count; the scan jumps from quote to quote, so
 * a multi-megabyte base64 string costs one `indexOf`.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** True when `bytes` (JSON text, possibly invalid) nests arrays/objects deeper than `max`. */
export function jsonNestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      // Find the closing quote: one preceded by an even number of backslashes.
      let j = i + 1;
      for (;;) {
        j = bytes.indexOf(QUOTE, j);
        if (j === -1) return false; // unterminated string: JSON.parse refuses it cheaply
        let slashes = 0;
        for (let k = j - 1; k > i && bytes[k] === BACKSLASH; k--) slashes++;
        if (slashes % 2 === 0) break;
        j++;
      }
      i = j + 1;
      continue;
    }
    if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
    i++;
  }
  return false;
}
