/** Cutting text for display (titles, previews) without breaking a character a person sees as one. */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The longest start of `text` of at most `max` UTF-16 units that ends between two user-perceived
 * characters: a plain slice can split a surrogate pair (stored as U+FFFD) or a family, flag or
 * skin-tone emoji (shown as its parts).
 */
export function cutToGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (end + segment.length > max) break;
    end += segment.length;
  }
  return text.slice(0, end);
}
