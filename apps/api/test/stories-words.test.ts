/**
 * The word count the database keeps on every story (trigger + `app.count_words`, migration 0021):
 * compared on generated text with the reference definition (stories.words.ts, which the editor shows
 * while typing), and held to the rules themselves: whitespace runs of any kind are one separator, and
 * punctuation-only tokens are no words.
 */
import { countWords, WORD_COUNT_TEST_ALPHABET } from "@inkwell/domain/stories";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const { whitespace, punctuation, word } = WORD_COUNT_TEST_ALPHABET;
const chars = fc.constantFrom(...whitespace, ...punctuation, ...word);
const textArb = fc.array(chars, { maxLength: 60 }).map((parts) => parts.join(""));
const wordArb = fc.array(fc.constantFrom(...word), { minLength: 1, maxLength: 4 }).map((p) => p.join(""));
const gapArb = fc.array(fc.constantFrom(...whitespace), { minLength: 1, maxLength: 4 }).map((p) => p.join(""));
const punctArb = fc.array(fc.constantFrom(...punctuation), { minLength: 1, maxLength: 3 }).map((p) => p.join(""));

async function dbCount(text: string): Promise<number> {
  const { rows } = await h.raw(sql<{ n: number }>`SELECT app.count_words(${text}) AS n`);
  return (rows[0] as { n: number }).n;
}

describe("the word count", () => {
  it("in the database equals the reference definition on any text", async () => {
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        expect(await dbCount(text)).toBe(countWords(text));
      }),
      { numRuns: 300 },
    );
  });

  it("is the number of words however they are spaced, with punctuation-only tokens between them not counted", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(wordArb, gapArb, fc.option(punctArb)), { maxLength: 12 }),
        gapArb,
        async (items, lead) => {
          const text = lead + items.map(([w, gap, p]) => `${w}${gap}${p ? `${p}${gap}` : ""}`).join("");
          expect(await dbCount(text)).toBe(items.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("treats a token of punctuation from any script as no word", async () => {
    const cases: [string, number][] = [
      ["यह अच्छा है ।", 3],
      ["هل أنت بخير ؟", 3],
      ["Mrs. ⸺ said so", 3],
      ["a ﹏ b ︐", 2],
      ["«¡Hola!» ، ؛ ׃", 1],
    ];
    for (const [text, words] of cases) {
      expect({ text, db: await dbCount(text), reference: countWords(text) }).toEqual({ text, db: words, reference: words });
    }
  });

  it("is kept on the story row by the trigger, on insert and on edit", async () => {
    const owner = await h.signUp("counter");
    const { id: campaignId } = await owner.caller.stories.campaigns.create({
      title: "Counting",
      storytellerName: "Gran",
      relationshipType: "grandparent",
      goalStories: 2,
      themes: ["wisdom"],
    });
    const story = await owner.caller.stories.create({
      campaignId,
      title: "Count",
      content: "  Hello —\n\n world … ! 42\u00a0年 ",
    });
    expect(story.wordCount).toBe(4);
    const edited = await owner.caller.stories.update({ storyId: story.id, content: "one\ttwo   three" });
    expect(edited.wordCount).toBe(3);
    const stats = await owner.caller.stories.campaigns.get({ campaignId });
    expect(stats.totalWords).toBe(3);
  });
});
