/**
 * The offline placeholder of study material (no model): a quiz, flashcard set, study guide or writing
 * prompts built deterministically from the topic and the passages given, in the shapes the study
 * module's schemas require (stable lowercase part ids, an answer among the choices, citation indexes
 * into the passages). The generic structured filler cannot meet those rules (a regex, a refine), so
 * study material has its own. The study module validates the result like a model's and saves it
 * flagged as a placeholder, which the web labels.
 */
import { fnv1a } from "./fnv1a.ts";

export type OfflineStudyType = "quiz" | "flashcard" | "study_guide" | "writing_prompt";

export interface OfflineStudyPassage {
  title: string;
  text: string;
}

export interface OfflineStudyRequest {
  itemType: OfflineStudyType;
  topic: string;
  passages: OfflineStudyPassage[];
  count: number;
}

interface Fact {
  sentence: string;
  /** Index of the passage it came from, or null for facts made from the topic alone. */
  cite: number | null;
  source: string;
}

const STOP = new Set(
  "the a an and or of to in on for with by from at as is are was were be been it its this that these those into about over under than then so such can will not no".split(
    " ",
  ),
);

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);

function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.split(" ").length >= 4);
}

function keywordOf(sentence: string, fallback: string): string {
  const words = sentence
    .replace(/[^\p{L}\p{N}\s-]/gu, " ")
    .split(/\s+/)
    .filter((w) => w.length > 3 && !STOP.has(w.toLowerCase()));
  return words.sort((a, b) => b.length - a.length)[0] ?? fallback;
}

function factsOf(request: OfflineStudyRequest): Fact[] {
  const facts: Fact[] = [];
  request.passages.forEach((p, i) => {
    for (const s of sentencesOf(p.text)) facts.push({ sentence: clip(s, 600), cite: i, source: p.title });
  });
  if (facts.length) return facts;
  const t = request.topic;
  return [
    `${t} is the subject of this placeholder material.`,
    `A good first step with ${t} is to name its key terms and ideas.`,
    `Examples make ${t} easier to remember than definitions alone.`,
    `Comparing ${t} with something familiar shows what is special about it.`,
    `Questions about causes and effects help check an understanding of ${t}.`,
    `A short summary in your own words is a test of how well you know ${t}.`,
  ].map((sentence) => ({ sentence, cite: null, source: t }));
}

/** Deterministic content for the item type; the same request gives the same content. */
export function offlineStudyContent(request: OfflineStudyRequest): { title: string; content: Record<string, unknown> } {
  const facts = factsOf(request);
  const seed = fnv1a(`${request.itemType}|${request.topic}|${facts.map((f) => f.sentence).join("|")}`);
  const count = Math.max(1, request.count);
  const fact = (i: number) => facts[i % facts.length] as Fact;
  const cites = (f: Fact) => (f.cite === null ? [] : [f.cite]);
  const topic = clip(request.topic, 120);

  switch (request.itemType) {
    case "quiz": {
      const questions = Array.from({ length: count }, (_, i) => {
        const f = fact(i);
        const id = `q${i + 1}`;
        const kind = i % 3;
        if (kind === 0) {
          const distractors = [
            `${topic} has nothing to do with ${keywordOf(f.sentence, "this")}.`,
            `None of the sources mention ${keywordOf(f.sentence, "it")}.`,
            `${keywordOf(f.sentence, topic)} is only a recent invention.`,
          ];
          const answerIndex = (seed + i) % 4;
          const choices = [...distractors];
          choices.splice(answerIndex, 0, clip(f.sentence, 300));
          return {
            id,
            kind: "multiple_choice",
            prompt: `Which statement about ${topic} is supported by "${clip(f.source, 120)}"?`,
            choices,
            answerIndex,
            explanation: `From "${clip(f.source, 120)}": ${f.sentence}`,
            cites: cites(f),
          };
        }
        if (kind === 1) {
          return {
            id,
            kind: "true_false",
            prompt: `True or false: ${f.sentence}`,
            answer: true,
            explanation: `Stated in "${clip(f.source, 120)}".`,
            cites: cites(f),
          };
        }
        return {
          id,
          kind: "short_answer",
          prompt: `In a sentence, what does "${clip(f.source, 120)}" say about ${keywordOf(f.sentence, topic)}?`,
          expected: f.sentence,
          explanation: "",
          cites: cites(f),
        };
      });
      return { title: clip(`Quiz: ${topic}`, 200), content: { questions } };
    }
    case "flashcard": {
      const cards = Array.from({ length: count }, (_, i) => {
        const f = fact(i);
        return {
          id: `c${i + 1}`,
          front: `${keywordOf(f.sentence, topic)} (${clip(f.source, 80)})`,
          back: f.sentence,
          cites: cites(f),
        };
      });
      return { title: clip(`Flashcards: ${topic}`, 200), content: { cards } };
    }
    case "study_guide": {
      const sections = Array.from({ length: Math.min(count, 30) }, (_, i) => {
        const group = [fact(i * 2), fact(i * 2 + 1)];
        return {
          heading: clip(`${i + 1}. ${keywordOf(group[0]?.sentence ?? "", topic)}`, 200),
          body: group.map((f) => f.sentence).join(" "),
          cites: [...new Set(group.flatMap(cites))],
        };
      });
      return { title: clip(`Study guide: ${topic}`, 200), content: { sections } };
    }
    case "writing_prompt": {
      const prompts = Array.from({ length: Math.min(count, 10) }, (_, i) => {
        const f = fact(i);
        return {
          id: `p${i + 1}`,
          prompt: `Write a short response explaining ${keywordOf(f.sentence, topic)} in ${topic}. Start from this: ${f.sentence}`,
          rubric: [
            { criterion: "Accuracy", description: "The facts match the sources.", points: 4 },
            { criterion: "Clarity", description: "Ideas are explained plainly and in order.", points: 3 },
            { criterion: "Evidence", description: "Uses an example or a quotation.", points: 3 },
          ],
          minWords: 100,
        };
      });
      return { title: clip(`Writing prompts: ${topic}`, 200), content: { prompts } };
    }
  }
}
