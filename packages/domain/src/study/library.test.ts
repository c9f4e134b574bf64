/**
 * The offline placeholder of study material: for every item type, from a topic alone and from
 * passages, it makes content the type's schema accepts (the generic structured filler cannot: ids
 * match a regex, the answer must be among the choices), the same content for the same request, and
 * citation numbers that point at the passages given.
 */
import { describe, expect, it } from "vitest";
import { offlineStudyContent } from "../ai/index.ts";
import { CONTENT_SCHEMAS, STUDY_ITEM_TYPES } from "./library.schemas.ts";

const passages = [
  { title: "Cells", text: "Mitochondria produce ATP through respiration. The nucleus holds the cell's DNA." },
  { title: "Plants", text: "Chlorophyll absorbs light energy. Stomata let carbon dioxide into the leaf." },
];

describe("offline study content", () => {
  for (const itemType of STUDY_ITEM_TYPES) {
    it(`is a valid ${itemType} from a topic and from passages, deterministically`, () => {
      for (const request of [
        { itemType, topic: "Volcanoes", passages: [], count: 7 },
        { itemType, topic: "Biology", passages, count: 5 },
      ]) {
        const made = offlineStudyContent(request);
        const parsed = CONTENT_SCHEMAS[itemType].safeParse(made.content);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        expect(offlineStudyContent(request)).toEqual(made);
        expect(made.title).toContain(request.topic);
        const cites = JSON.stringify(made.content).match(/"cites":\[[0-9,]*\]/g) ?? [];
        for (const c of cites) {
          for (const n of JSON.parse(c.slice(8)) as number[]) expect(n).toBeLessThan(request.passages.length);
        }
      }
    });
  }

  it("cites the passage each card's answer comes from", () => {
    const made = offlineStudyContent({ itemType: "flashcard", topic: "Biology", passages, count: 4 });
    const cards = (made.content as { cards: { back: string; cites: number[] }[] }).cards;
    for (const card of cards) expect(passages[card.cites[0] as number]?.text).toContain(card.back);
  });
});
