/**
 * A linear scan for JSON nesting depth, run on the raw bytes as they arrive, before `JSON.parse`:
 * millions of `[` parse into millions of arrays and hold the event loop for seconds, while the scan
 * stops at the first bracket past the bound (so a hostile upload is refused after its first chunk).
 * Brackets inside strings do not count; the scan jumps from quote to quote, so a multi-megabyte base64
 * string costs one `indexOf`. Invalid JSON is left for `JSON.parse` to refuse.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

export class JsonDepthScanner {
  #depth = 0;
  #inString = false;
  /** Inside a string: how many backslashes ended the previous chunk (they may escape a quote). */
  #carriedSlashes = 0;

  constructor(readonly max: number) {}

  /** Scans the next chunk; false once the nesting has gone deeper than `max`. */
  push(bytes: Uint8Array): boolean {
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      if (this.#inString) {
        const quote = bytes.indexOf(QUOTE, i);
        const end = quote === -1 ? n : quote;
        let k = end - 1;
        while (k >= i && bytes[k] === BACKSLASH) k--;
        // A run of backslashes reaching back to where this scan started continues the carried one.
        const slashes = end - 1 - k + (k < i ? this.#carriedSlashes : 0);
        if (quote === -1) {
          this.#carriedSlashes = slashes;
          return true;
        }
        this.#carriedSlashes = 0;
        if (slashes % 2 === 0) this.#inString = false;
        i = quote + 1;
        continue;
      }
      const b = bytes[i]!;
      if (b === QUOTE) {
        this.#inString = true;
        this.#carriedSlashes = 0;
      } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        if (++this.#depth > this.max) return false;
      } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
        this.#depth--;
      }
      i++;
    }
    return true;
  }
}

/** True when `bytes` (JSON text, possibly invalid) nests arrays/objects deeper than `max`. */
export function jsonNestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  return !new JsonDepthScanner(max).push(bytes);
}
