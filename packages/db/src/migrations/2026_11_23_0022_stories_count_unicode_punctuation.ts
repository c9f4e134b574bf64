import { type Kysely, sql } from "kysely";

/**
 * The word count's punctuation is every Unicode punctuation character (general category P, Unicode 17),
 * plus the ASCII and full-width symbols migration 0021 already treated as punctuation. 0021 listed a few
 * blocks only, so a token of punctuation from elsewhere counted as a word: the Devanagari danda in
 * "यह अच्छा है ।" (4 words, not 3), the Arabic comma and question mark, the two-em dash "⸺", the
 * small and vertical forms. Spelled out by code point (the database's `[[:punct:]]` follows its
 * locale); packages/domain/src/stories/stories.words.ts holds the same set and the property test
 * compares the two. Whitespace is unchanged (0021 already lists every White_Space character).
 */
const WHITESPACE = String.raw`\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;
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
  String.raw`\U00010100-\U00010102\U0001039F\U000103D0\U0001056F\U00010857\U0001091F\U0001093F`,
  String.raw`\U00010A50-\U00010A58\U00010A7F\U00010AF0-\U00010AF6\U00010B39-\U00010B3F\U00010B99-\U00010B9C`,
  String.raw`\U00010D6E\U00010EAD\U00010ED0\U00010F55-\U00010F59\U00010F86-\U00010F89\U00011047-\U0001104D`,
  String.raw`\U000110BB-\U000110BC\U000110BE-\U000110C1\U00011140-\U00011143\U00011174-\U00011175`,
  String.raw`\U000111C5-\U000111C8\U000111CD\U000111DB\U000111DD-\U000111DF\U00011238-\U0001123D\U000112A9`,
  String.raw`\U000113D4-\U000113D5\U000113D7-\U000113D8\U0001144B-\U0001144F\U0001145A-\U0001145B\U0001145D`,
  String.raw`\U000114C6\U000115C1-\U000115D7\U00011641-\U00011643\U00011660-\U0001166C\U000116B9`,
  String.raw`\U0001173C-\U0001173E\U0001183B\U00011944-\U00011946\U000119E2\U00011A3F-\U00011A46`,
  String.raw`\U00011A9A-\U00011A9C\U00011A9E-\U00011AA2\U00011B00-\U00011B09\U00011BE1\U00011C41-\U00011C45`,
  String.raw`\U00011C70-\U00011C71\U00011EF7-\U00011EF8\U00011F43-\U00011F4F\U00011FFF\U00012470-\U00012474`,
  String.raw`\U00012FF1-\U00012FF2\U00016A6E-\U00016A6F\U00016AF5\U00016B37-\U00016B3B\U00016B44`,
  String.raw`\U00016D6D-\U00016D6F\U00016E97-\U00016E9A\U00016FE2\U0001BC9F\U0001DA87-\U0001DA8B\U0001E5FF`,
  String.raw`\U0001E95E-\U0001E95F`,
].join("");

export async function up(db: Kysely<unknown>): Promise<void> {
  // CREATE OR REPLACE keeps the function's owner and grants.
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION app.count_words(p_text text) RETURNS integer
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       SET search_path = pg_catalog
       AS $$
         SELECT count(*)::integer
           FROM regexp_split_to_table(coalesce(p_text, ''), '[${WHITESPACE}]+') AS token
          WHERE token ~ '[^${PUNCTUATION}]'
       $$`,
    )
    .execute(db);
  // Stories counted under the old set are counted again (the trigger fires on content only).
  await sql`UPDATE stories SET word_count = app.count_words(content) WHERE word_count <> app.count_words(content)`.execute(db);
}
