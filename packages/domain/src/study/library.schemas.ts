/**
 * Browser-safe shapes of the study library (zod only): `@inkwell/domain/study/schemas`.
 *
 * One schema per item type. The AI's structured output, the hand editor and the database writes all pass
 * through the same schema, so an item that loads is an item every study mode can play. Question, card and
 * prompt ids are short strings stable across edits: results, review state and live sessions refer to them.
 */
import { z } from "zod";

export const STUDY_ITEM_TYPES = ["quiz", "flashcard", "study_guide", "writing_prompt"] as const;
export type StudyItemType = (typeof STUDY_ITEM_TYPES)[number];

export const STUDY_LIMITS = {
  questions: 50,
  cards: 300,
  sections: 30,
  prompts: 10,
  rubric: 8,
  text: 2000,
  longText: 8000,
} as const;

const text = (max: number = STUDY_LIMITS.text) => z.string().trim().min(1, "Cannot be empty").max(max);
const partId = z.string().regex(/^[a-z0-9-]{1,40}$/, "Ids are 1-40 lowercase letters, digits or dashes");

/** A passage a generated item used: a chat document chunk or a writer knowledge note. */
export const citationSchema = z.object({
  sourceKind: z.enum(["document", "note"]),
  sourceId: z.uuid(),
  chunkId: z.uuid().nullable().default(null),
  title: z.string().max(200),
  quote: z.string().max(600),
});
export type Citation = z.infer<typeof citationSchema>;

/** The indexes into the item's citation list that support a part (a question, a card, a section). */
const citedBy = z.array(z.number().int().min(0).max(99)).max(10).default([]);

export const quizQuestionSchema = z.discriminatedUnion("kind", [
  z.object({
    id: partId,
    kind: z.literal("multiple_choice"),
    prompt: text(),
    choices: z.array(text(300)).min(2).max(6),
    answerIndex: z.number().int().min(0).max(5),
    explanation: z.string().max(STUDY_LIMITS.text).default(""),
    cites: citedBy,
  }),
  z.object({
    id: partId,
    kind: z.literal("true_false"),
    prompt: text(),
    answer: z.boolean(),
    explanation: z.string().max(STUDY_LIMITS.text).default(""),
    cites: citedBy,
  }),
  z.object({
    id: partId,
    kind: z.literal("short_answer"),
    prompt: text(),
    /** The model answer the grader compares a response against. */
    expected: text(),
    explanation: z.string().max(STUDY_LIMITS.text).default(""),
    cites: citedBy,
  }),
]);
export type QuizQuestion = z.infer<typeof quizQuestionSchema>;

export const quizContentSchema = z
  .object({ questions: z.array(quizQuestionSchema).min(1).max(STUDY_LIMITS.questions) })
  .superRefine((quiz, ctx) => {
    const seen = new Set<string>();
    quiz.questions.forEach((q, i) => {
      if (seen.has(q.id)) ctx.addIssue({ code: "custom", path: ["questions", i, "id"], message: "Question ids must be unique" });
      seen.add(q.id);
      if (q.kind === "multiple_choice" && q.answerIndex >= q.choices.length)
        ctx.addIssue({ code: "custom", path: ["questions", i, "answerIndex"], message: "The answer must be one of the choices" });
    });
  });
export type QuizContent = z.infer<typeof quizContentSchema>;

export const flashcardSchema = z.object({ id: partId, front: text(1000), back: text(), cites: citedBy });
export type Flashcard = z.infer<typeof flashcardSchema>;
export const flashcardContentSchema = z
  .object({ cards: z.array(flashcardSchema).min(1).max(STUDY_LIMITS.cards) })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.cards.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: "custom", path: ["cards", i, "id"], message: "Card ids must be unique" });
      seen.add(c.id);
    });
  });
export type FlashcardContent = z.infer<typeof flashcardContentSchema>;

export const studyGuideContentSchema = z.object({
  sections: z
    .array(z.object({ heading: text(200), body: text(STUDY_LIMITS.longText), cites: citedBy }))
    .min(1)
    .max(STUDY_LIMITS.sections),
});
export type StudyGuideContent = z.infer<typeof studyGuideContentSchema>;

export const rubricCriterionSchema = z.object({
  criterion: text(120),
  description: z.string().max(500).default(""),
  points: z.number().int().min(1).max(10),
});
export const writingPromptContentSchema = z
  .object({
    prompts: z
      .array(
        z.object({
          id: partId,
          prompt: text(),
          rubric: z.array(rubricCriterionSchema).min(1).max(STUDY_LIMITS.rubric),
          minWords: z.number().int().min(0).max(5000).default(0),
        }),
      )
      .min(1)
      .max(STUDY_LIMITS.prompts),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.prompts.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: "custom", path: ["prompts", i, "id"], message: "Prompt ids must be unique" });
      seen.add(p.id);
    });
  });
export type WritingPromptContent = z.infer<typeof writingPromptContentSchema>;

export const CONTENT_SCHEMAS = {
  quiz: quizContentSchema,
  flashcard: flashcardContentSchema,
  study_guide: studyGuideContentSchema,
  writing_prompt: writingPromptContentSchema,
} as const;

export type StudyContent = {
  quiz: QuizContent;
  flashcard: FlashcardContent;
  study_guide: StudyGuideContent;
  writing_prompt: WritingPromptContent;
};

/** An item as every reader sees it. `content` has passed its type's schema. */
export type StudyItem = {
  [K in StudyItemType]: {
    id: string;
    userId: string;
    folderId: string | null;
    itemType: K;
    title: string;
    topic: string | null;
    content: StudyContent[K];
    source: "manual" | "topic" | "documents";
    citations: Citation[];
    /** Made by the offline placeholder model: the web labels it. */
    isPlaceholder: boolean;
    createdAt: Date;
    updatedAt: Date;
  };
}[StudyItemType];

/** Parses stored or submitted content for a type; throws a ZodError (a BAD_REQUEST at the edge). */
export function parseContent<K extends StudyItemType>(itemType: K, content: unknown): StudyContent[K] {
  return CONTENT_SCHEMAS[itemType].parse(content) as StudyContent[K];
}

/** A quiz question as a reader who does not own the quiz sees it: no answer, model answer or explanation. */
export interface ReaderQuizQuestion {
  id: string;
  kind: QuizQuestion["kind"];
  prompt: string;
  /** The choices of a multiple-choice question (null for the other kinds). */
  choices: string[] | null;
  cites: number[];
}

/**
 * An item as someone who can read it but does not own it gets it (shared with them, assigned to their
 * classroom): a quiz without its answers, which reach a taker only with their submitted result; every
 * other type whole (a flashcard's back is what a reader studies).
 */
export type ReaderItem =
  | Exclude<StudyItem, { itemType: "quiz" }>
  | (Omit<Extract<StudyItem, { itemType: "quiz" }>, "content"> & { content: { questions: ReaderQuizQuestion[] } });

export function forReader(item: StudyItem): ReaderItem {
  if (item.itemType !== "quiz") return item;
  return {
    ...item,
    content: {
      questions: item.content.questions.map((q) => ({
        id: q.id,
        kind: q.kind,
        prompt: q.prompt,
        choices: q.kind === "multiple_choice" ? q.choices : null,
        cites: q.cites,
      })),
    },
  };
}
