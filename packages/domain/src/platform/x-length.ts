/**
 * X's length of a post, by X's own rules: twitter-text's `parseTweet` (config v3, X's current one)
 * weighs every URL 23 whatever its length, bare domains like bit.ly/abc included, every emoji sequence
 * (a ZWJ family, a skin tone, a flag) 2, Latin and common punctuation 1 and CJK 2, against 280.
 *
 * The one place this is computed: the writer (its thread splitter and counts) and publishing (its
 * validator, the composer's live counts) both import it, so a thread the writer accepts is one the
 * composer and the server accept. Browser-safe: the web composer counts with the same function.
 */
import twitterText from "twitter-text";

/** X's limit on one post's weighted length. */
export const X_MAX_WEIGHTED_LENGTH = 280;

/** X's weighted length of `text` (as X counts it against 280). */
export function xLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}
