import type { StudyItemType } from "@inkwell/domain/study/schemas";
import type { Outputs } from "../../../lib/api.ts";

/** What each item type is called on screen. */
export const TYPE_LABEL: Record<StudyItemType, string> = {
  quiz: "Quiz",
  flashcard: "Flashcards",
  study_guide: "Study guide",
  writing_prompt: "Writing prompts",
};

export const TYPE_ORDER: StudyItemType[] = ["study_guide", "quiz", "flashcard", "writing_prompt"];

/** A valid first version of an item typed by hand; the editor takes it from there. */
export const STARTER_CONTENT: Record<StudyItemType, unknown> = {
  quiz: { questions: [{ id: "q1", kind: "true_false", prompt: "Edit this statement.", answer: true, explanation: "" }] },
  flashcard: { cards: [{ id: "c1", front: "Term", back: "Meaning" }] },
  study_guide: { sections: [{ heading: "Introduction", body: "Write the section here." }] },
  writing_prompt: {
    prompts: [
      { id: "p1", prompt: "Write the prompt here.", rubric: [{ criterion: "Clarity", description: "", points: 5 }], minWords: 0 },
    ],
  },
};

/** An item as the API sends it (dates as strings, plus whether the caller owns it). */
export type ItemView = Outputs["study"]["library"]["items"]["get"];

/**
 * The id of a part added in the editor: random, so a part removed earlier (whose id the editor no longer
 * sees) never lends its id, and with it its review state and results, to a new one.
 */
export const nextId = (prefix: string, ids: string[]) => {
  let id: string;
  do id = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  while (ids.includes(id));
  return id;
};
