/**
 * The word count, as the database keeps it (`app.count_words`, migrations 0021 and 0022): any run of Unicode
 * White_Space separates words, and a token made only of punctuation is no word. Spelled out by code
 * point, as in the migration, so the two agree under any locale; the property test compares them.
 * Browser-safe: the story editor shows the same count while typing.
 */
const WHITESPACE = "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
// Every Unicode punctuation character (category P, Unicode 17) and the ASCII and full-width symbols
// (migration 0022, which has the same list).
const PUNCTUATION = [
  String.raw`\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E\u00A1\u00A7\u00AB\u00B6-\u00B7\u00BB\u00BF`,
  String.raw`\u037E\u0387\u055A-\u055F\u0589-\u058A\u05BE\u05C0\u05C3\u05C6\u05F3-\u05F4\u0609-\u060A`,
  String.raw`\u060C-\u060D\u061B\u061D-\u061F\u066A-\u066D\u06D4\u0700-\u070D\u07F7-\u07F9\u0830-\u083E\u085E`,
  String.raw`\u0964-\u0965\u0970\u09FD\u0A76\u0AF0\u0C77\u0C84\u0DF4\u0E4F\u0E5A-\u0E5B\u0F04-\u0F12\u0F14`,
  String.raw`\u0F3A-\u0F3D\u0F85\u0FD0-\u0FD4\u0FD9-\u0FDA\u104A-\u104F\u10FB\u1360-\u1368\u1400\u166E`,
  String.raw`\u169B-\u169C\u16EB-\u16ED\u1735-\u1736\u17D4-\u17D6\u17D8-\u17DA\u1800-\u180A\u1944-\u1945`,
  String.raw`\u1A1E-\u1A1F\u1AA0-\u1AA6\u1AA8-\u1AAD\u1B4E-\u1B4F\u1B5A-\u1B60\u1B7D-\u1B7F\u1BFC-\u1BFF`,
  String.raw`\u1C3B-\u1C3F\u1C7E-\u1C7F\u1CC0-\u1CC7\u1CD3\u2010-\u2027\u2030-\u205E\u207D-\u207E\u208D-\u208E`,
  String.raw`\u2308-\u230B\u2329-\u232A\u2768-\u2775\u27C5-\u27C6\u27E6-\u27EF\u2983-\u2998\u29D8-\u29DB`,
  String.raw`\u29FC-\u29FD\u2CF9-\u2CFC\u2CFE-\u2CFF\u2D70\u2E00-\u2E2E\u2E30-\u2E4F\u2E52-\u2E5D\u3001-\u3003`,
  String.raw`\u3008-\u3011\u3014-\u301F\u3030\u303D\u30A0\u30FB\uA4FE-\uA4FF\uA60D-\uA60F\uA673\uA67E`,
  String.raw`\uA6F2-\uA6F7\uA874-\uA877\uA8CE-\uA8CF\uA8F8-\uA8FA\uA8FC\uA92E-\uA92F\uA95F\uA9C1-\uA9CD`,
  String.raw`\uA9DE-\uA9DF\uAA5C-\uAA5F\uAADE-\uAADF\uAAF0-\uAAF1\uABEB\uFD3E-\uFD3F\uFE10-\uFE19\uFE30-\uFE52`,
  String.raw`\uFE54-\uFE61\uFE63\uFE68\uFE6A-\uFE6B\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65`,
  String.raw`\u{10100}-\u{10102}\u{1039F}\u{103D0}\u{1056F}\u{10857}\u{1091F}\u{1093F}\u{10A50}-\u{10A58}`,
  String.raw`\u{10A7F}\u{10AF0}-\u{10AF6}\u{10B39}-\u{10B3F}\u{10B99}-\u{10B9C}\u{10D6E}\u{10EAD}\u{10ED0}`,
  String.raw`\u{10F55}-\u{10F59}\u{10F86}-\u{10F89}\u{11047}-\u{1104D}\u{110BB}-\u{110BC}\u{110BE}-\u{110C1}`,
  String.raw`\u{11140}-\u{11143}\u{11174}-\u{11175}\u{111C5}-\u{111C8}\u{111CD}\u{111DB}\u{111DD}-\u{111DF}`,
  String.raw`\u{11238}-\u{1123D}\u{112A9}\u{113D4}-\u{113D5}\u{113D7}-\u{113D8}\u{1144B}-\u{1144F}`,
  String.raw`\u{1145A}-\u{1145B}\u{1145D}\u{114C6}\u{115C1}-\u{115D7}\u{11641}-\u{11643}\u{11660}-\u{1166C}`,
  String.raw`\u{116B9}\u{1173C}-\u{1173E}\u{1183B}\u{11944}-\u{11946}\u{119E2}\u{11A3F}-\u{11A46}`,
  String.raw`\u{11A9A}-\u{11A9C}\u{11A9E}-\u{11AA2}\u{11B00}-\u{11B09}\u{11BE1}\u{11C41}-\u{11C45}`,
  String.raw`\u{11C70}-\u{11C71}\u{11EF7}-\u{11EF8}\u{11F43}-\u{11F4F}\u{11FFF}\u{12470}-\u{12474}`,
  String.raw`\u{12FF1}-\u{12FF2}\u{16A6E}-\u{16A6F}\u{16AF5}\u{16B37}-\u{16B3B}\u{16B44}\u{16D6D}-\u{16D6F}`,
  String.raw`\u{16E97}-\u{16E9A}\u{16FE2}\u{1BC9F}\u{1DA87}-\u{1DA8B}\u{1E5FF}\u{1E95E}-\u{1E95F}`,
].join("");

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
  punctuation: [
    "!",
    ".",
    ",",
    "—",
    "…",
    "“",
    "”",
    "«",
    "»",
    "¿",
    "、",
    "。",
    "！",
    "-",
    "'",
    "(",
    ")",
    "@",
    "~",
    "।",
    "،",
    "؟",
    "⸺",
    "﹏",
    "𐄀",
  ],
  word: ["a", "Z", "é", "ß", "日", "本", "7", "🎉", "ñ", "\u200b", "_x"],
};
