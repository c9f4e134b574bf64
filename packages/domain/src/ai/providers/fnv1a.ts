/**
 * FNV-1a (32-bit) over the string's UTF-16LE bytes: tiny, fast and stable across runs and machines,
 * which is all the offline provider needs (it is for choosing and hashing, not for security).
 */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    hash = Math.imul(hash ^ (unit & 0xff), 0x01000193);
    hash = Math.imul(hash ^ (unit >>> 8), 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's finaliser: spreads a hash's bits so a second decision (e.g. a sign) is independent of the first. */
export function mix32(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
