/**
 * The word count, as the database keeps it (`app.count_words`, migration 0021): any run of Unicode
 * White_Space separates words, and a token made only of punctuation is no word. Spelled out by code
 * point, as in the migration, so the two agree under any locale; the property test compares them.
 * Browser-safe: the story editor shows the same count while typing.
 */
const WHITESPACE = "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
const PUNCTUATION =
  "\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E\\u00A1\\u00A7\\u00AB\\u00B6\\u00B7\\u00BB\\u00BF\\u2010-\\u2027\\u2030-\\u205E\\u3001-\\u3003\\u3008-\\u3011\\u3014-\\u301F\\uFF01-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65";

const SEPARATOR = new RegExp(`[${WHITESPACE}]+`, "u");
const HAS_WORD_CHARACTER = new RegExp(`[^${PUNCTUATION}]`, "u");

export function countWords(text: string): number {
  let count = 0;
  for (const token of text.split(SEPARATOR)) if (HAS_WORD_CHARACTER.test(token)) count++;
  return count;
}

/** The characters the definition treats specially, for generating test text. */
export const WORD_COUNT_TEST_ALPHABET = {
  whitespace: ["\t", "\n", "\r", "\v", "\f", " ", "\u0085", "\u00a0", "\u1680", "\u2003", "\u2028", "\u2029", "\u202f", "\u3000"],
  punctuation: ["!", ".", ",", "—", "…", "“", "”", "«", "»", "¿", "、", "。", "！", "-", "'", "(", ")", "@", "~"],
  word: ["a", "Z", "é", "ß", "日", "本", "7", "🎉", "ñ", "\u200b", "_x"],
};
