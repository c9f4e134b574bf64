/**
 * Generating study material (issue 15.1): a quiz, flashcard set, study guide or writing prompts from a
 * topic, or from the user's own documents (the chat workspace's chunks) and notes (the writer's
 * knowledge entries). The passages are read in a short transaction, the model runs with none open, and
 * the item is saved in the same transaction as the charge (`study.generate`, through usage.runMetered,
 * which also records the run in the usage log with its topic): a failed run saves nothing and costs
 * nothing.
 *
 * The reply is held to the item type's schema (library.schemas.ts) by the AI layer's structured call,
 * which sends the validation errors back for one corrective retry. Parts cite the passages by their
 * number; the item keeps only the passages actually cited, renumbered. Offline, the placeholder builds
 * the content from the topic and passages (ai/providers/offline-study.ts), validated the same way and
 * saved with `isPlaceholder`.
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import { z } from "zod";
import { type AiProvider, offlineStudyContent } from "../ai/index.ts";
import { chat } from "../chat/index.ts";
import { knowledge } from "../knowledge/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import { type Actor, type MeteredOutcome, usage } from "../usage/index.ts";
import { GENERATE_COUNT, type GenerateInput, generateInput } from "./library.inputs.ts";
import { type Citation, CONTENT_SCHEMAS, STUDY_LIMITS, type StudyItem, type StudyItemType } from "./library.schemas.ts";
import * as library from "./library.service.ts";

export interface LibraryDeps {
  db: Database;
  ai: AiProvider;
  rateLimits?: Parameters<typeof usage.runMetered>[0]["rateLimits"];
}

/** A passage offered to the model, numbered by its place in this list. */
interface Passage {
  sourceKind: "document" | "note";
  sourceId: string;
  chunkId: string | null;
  title: string;
  text: string;
}

/** What is sent of the sources at most (about 4k tokens): the opening passages of each, in order. */
const SOURCE_CHARS = 16_000;
const PASSAGE_CHARS = 1_500;

const LABEL: Record<StudyItemType, { noun: string; part: string; cap: number }> = {
  quiz: { noun: "quiz", part: "questions", cap: STUDY_LIMITS.questions },
  flashcard: { noun: "flashcard set", part: "cards", cap: STUDY_LIMITS.cards },
  study_guide: { noun: "study guide", part: "sections", cap: STUDY_LIMITS.sections },
  writing_prompt: { noun: "set of writing prompts", part: "prompts", cap: STUDY_LIMITS.prompts },
};

const DEFAULT_COUNT: Record<StudyItemType, number> = { quiz: 8, flashcard: 12, study_guide: 5, writing_prompt: 3 };

const HOW: Record<StudyItemType, string> = {
  quiz: 'Mix "multiple_choice" (2-6 choices, answerIndex is the 0-based index of the right one), "true_false" and "short_answer" (with the expected model answer) questions, each with a short explanation.',
  flashcard: "Each card has a short front (a term or question) and a back (the answer or definition).",
  study_guide: "Sections in a sensible reading order, each with a heading and a body of a few paragraphs of plain prose.",
  writing_prompt: "Each prompt has a rubric of 2-5 criteria with points (1-10) and a minimum word count.",
};

function replySchema(itemType: StudyItemType) {
  return z.object({ title: z.string().trim().min(1).max(200), content: CONTENT_SCHEMAS[itemType] });
}

async function readSources(tx: Tx, ids: { documents: string[]; notes: string[] }): Promise<Passage[]> {
  const passages: Passage[] = [];
  if (ids.documents.length) {
    const chunks = await chat.documentPassages(tx, ids.documents);
    const found = new Set(chunks.map((c) => c.documentId));
    if (ids.documents.some((id) => !found.has(id))) throw notFound("Document");
    // In the order the user chose them (then reading order), so passage numbers follow their choice.
    const rank = (id: string) => ids.documents.indexOf(id);
    chunks.sort((a, b) => rank(a.documentId) - rank(b.documentId) || a.ordinal - b.ordinal);
    for (const c of chunks)
      passages.push({ sourceKind: "document", sourceId: c.documentId, chunkId: c.chunkId, title: c.title, text: c.content });
  }
  if (ids.notes.length) {
    // The writer's notes are few (a knowledge base, not a corpus): the caller's list, filtered to those chosen.
    const entries = (await knowledge.listEntries(tx, {}))
      .filter((e) => ids.notes.includes(e.id))
      .sort((a, b) => ids.notes.indexOf(a.id) - ids.notes.indexOf(b.id));
    if (entries.length !== new Set(ids.notes).size) throw notFound("Note");
    for (const e of entries)
      passages.push({ sourceKind: "note", sourceId: e.id, chunkId: null, title: e.title, text: e.content });
  }
  // Fair shares: each source keeps its opening passages until the budget runs out.
  let budget = SOURCE_CHARS;
  return passages.flatMap((p) => {
    if (budget <= 0) return [];
    const text = p.text.slice(0, Math.min(PASSAGE_CHARS, budget));
    budget -= text.length;
    return [{ ...p, text }];
  });
}

type Part = { cites?: number[] };
type Generated = { title: string; content: unknown; offline: boolean };

/** The parts that carry `cites` (questions, cards, sections); writing prompts cite nothing. */
function partsOf(itemType: StudyItemType, content: Record<string, unknown>): Part[] {
  const key = { quiz: "questions", flashcard: "cards", study_guide: "sections", writing_prompt: "" }[itemType];
  return key ? ((content[key] as Part[] | undefined) ?? []) : [];
}

/** Keeps only the passages cited (valid indexes), renumbering every part's `cites` into that list. */
function keepCited(itemType: StudyItemType, content: Record<string, unknown>, passages: Passage[]): Citation[] {
  const used: number[] = [];
  for (const part of partsOf(itemType, content)) {
    part.cites = [...new Set(part.cites ?? [])].filter((i) => i >= 0 && i < passages.length);
    for (const i of part.cites) if (!used.includes(i)) used.push(i);
  }
  const order = [...used].sort((a, b) => a - b);
  const renumber = new Map(order.map((old, i) => [old, i]));
  for (const part of partsOf(itemType, content)) part.cites = (part.cites ?? []).map((i) => renumber.get(i) as number);
  return order.map((i) => {
    const p = passages[i] as Passage;
    return {
      sourceKind: p.sourceKind,
      sourceId: p.sourceId,
      chunkId: p.chunkId,
      title: p.title.slice(0, 200),
      quote: p.text.replace(/\s+/g, " ").trim().slice(0, 600),
    };
  });
}

function messagesFor(itemType: StudyItemType, topic: string | null, count: number, passages: Passage[]) {
  const label = LABEL[itemType];
  const system =
    `You write study material for a student: a ${label.noun} with exactly ${count} ${label.part}. ${HOW[itemType]} ` +
    "Ids are short lowercase strings (q1, q2, … or c1, …), unique within the item. Give the item a short title. " +
    (passages.length
      ? "Use only the numbered passages below; in each part's `cites`, list the numbers of the passages it draws on. Do not invent facts the passages do not support."
      : "Write from general knowledge of the topic; leave every `cites` empty.");
  const sources = passages.map((p, i) => `[${i}] ${p.title}\n${p.text}`).join("\n\n");
  const user = [topic ? `Topic: ${topic}` : "", sources ? `Passages:\n\n${sources}` : ""].filter(Boolean).join("\n\n");
  return [
    { role: "system" as const, content: system },
    { role: "user" as const, content: user },
  ];
}

/** Generates, validates and saves an item; see the module comment. Never inside a transaction. */
export async function generate(deps: LibraryDeps, actor: Actor, input: GenerateInput): Promise<StudyItem> {
  const v = generateInput.parse(input);
  const itemType = v.itemType;
  const ids = { documents: [...new Set(v.sourceIds?.documents ?? [])], notes: [...new Set(v.sourceIds?.notes ?? [])] };
  const count = Math.min(v.count ?? DEFAULT_COUNT[itemType], LABEL[itemType].cap, GENERATE_COUNT.max);

  // A short transaction of its own: the folder is checked and the passages read before anything is held.
  const passages = await asUser(deps.db, actor.userId, async (tx) => {
    if (v.folderId && !(await library.listFolders(tx)).some((f) => f.id === v.folderId)) throw notFound("Folder");
    return readSources(tx, ids);
  });
  if ((ids.documents.length || ids.notes.length) && !passages.length)
    throw new DomainError("INVALID_INPUT", "The chosen documents and notes have no text to study from yet.", {
      field: "sourceIds",
    });
  const topic = v.topic?.trim() || null;
  const about = topic ?? [...new Set(passages.map((p) => p.title))].join(", ").slice(0, 500);

  const outcome = await usage.runMetered<Generated, StudyItem>(
    deps,
    actor,
    {
      operation: "study.generate",
      idempotencyKey: `study.generate:${v.idempotencyKey ?? crypto.randomUUID()}`,
      request: { itemType, topic, count, documents: ids.documents, notes: ids.notes },
      topic: `${LABEL[itemType].noun}: ${about}`.slice(0, 200),
      provider: deps.ai.name,
    },
    async (): Promise<MeteredOutcome<Generated>> => {
      // Read inside the call: with the user's own AI connection the routed provider is theirs.
      const offline = deps.ai.offline;
      const schema = replySchema(itemType);
      if (offline) {
        const built = offlineStudyContent({
          itemType,
          topic: about,
          passages: passages.map((p) => ({ title: p.title, text: p.text })),
          count,
        });
        // Held to the same schema as a model's reply.
        const value = schema.parse(built);
        return { result: { ...value, offline }, model: "offline", inputTokens: 0, outputTokens: 0, latencyMs: 0 };
      }
      const r = await deps.ai.structured(
        { messages: messagesFor(itemType, topic, count, passages), maxTokens: 6000, temperature: 0.4 },
        schema,
      );
      return {
        result: { ...r.value, offline },
        model: r.model,
        inputTokens: r.usage.inputTokens,
        outputTokens: r.usage.outputTokens,
        latencyMs: r.latencyMs,
      };
    },
    // Saved with the charge: an item that could not be kept is not paid for.
    (tx, { generationId, result }) => {
      const content = result.content as Record<string, unknown>;
      const citations = keepCited(itemType, content, passages);
      return library.create(tx, actor.userId, {
        itemType,
        title: result.title,
        topic: about || null,
        content,
        folderId: v.folderId ?? null,
        source: passages.length ? "documents" : "topic",
        citations,
        isPlaceholder: result.offline,
        generationId,
      });
    },
  );
  return outcome.kept;
}
