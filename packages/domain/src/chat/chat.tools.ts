/**
 * The assistants' tools. Each has a JSON Schema the model sees, a zod schema its arguments are checked
 * against (models write arguments as free text: invalid ones become an error result the model reads,
 * never a failed reply), and a handler that returns a JSON-serialisable result.
 *
 * - companion: `breathing_exercise` — a guided exercise (steps with durations), computed here.
 * - tutor: `quiz_from_document` — a multiple-choice quiz from the student's own workspace passages
 *   (retrieved in the caller's RLS transaction, so only their documents), written by the model with
 *   `structured`, or built deterministically from the passages when offline or when that fails.
 *
 * Their model calls (embedding, structured) are part of the reply's one `chat.reply` charge; their
 * tokens are reported so the generation records them.
 */
import { asUser, type Database } from "@inkwell/db";
import { z } from "zod";
import type { AiProvider, ToolCall, ToolDefinition, Usage } from "../ai/index.ts";
import type { Logger } from "../platform/queue.ts";
import * as repo from "./chat.repository.ts";
import type { Assistant, BreathingExercise, BreathingStep, Quiz, QuizQuestion } from "./chat.schemas.ts";

export interface ToolContext {
  db: Database;
  ai: AiProvider;
  log: Logger;
  userId: string;
  conversationId: string;
  signal: AbortSignal;
}

export interface ToolOutcome {
  /** Stored as the tool message's content (JSON) and sent back to the model. */
  result: unknown;
  usage: Usage;
  error: boolean;
}

interface Tool<A> {
  definition: ToolDefinition;
  args: z.ZodType<A>;
  run(ctx: ToolContext, args: A): Promise<{ result: unknown; usage?: Usage }>;
}

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };

// ---- breathing_exercise ----

export const BREATHING_TECHNIQUES = ["box", "4-7-8", "coherent"] as const;

const breathingArgs = z.object({
  technique: z.enum(BREATHING_TECHNIQUES),
  rounds: z.number().int().min(1).max(10),
});

const PATTERNS: Record<(typeof BREATHING_TECHNIQUES)[number], { name: string; intro: string; steps: BreathingStep[] }> = {
  box: {
    name: "Box breathing",
    intro: "Four equal sides: breathe in, hold, breathe out, hold, four seconds each.",
    steps: [
      { action: "inhale", seconds: 4, instruction: "Breathe in slowly through your nose." },
      { action: "hold", seconds: 4, instruction: "Hold gently, shoulders relaxed." },
      { action: "exhale", seconds: 4, instruction: "Breathe out slowly through your mouth." },
      { action: "hold", seconds: 4, instruction: "Rest with empty lungs." },
    ],
  },
  "4-7-8": {
    name: "4-7-8 breathing",
    intro: "In for four, hold for seven, out for eight: a long exhale to settle.",
    steps: [
      { action: "inhale", seconds: 4, instruction: "Breathe in quietly through your nose." },
      { action: "hold", seconds: 7, instruction: "Hold your breath comfortably." },
      { action: "exhale", seconds: 8, instruction: "Breathe out fully through your mouth, with a soft whoosh." },
    ],
  },
  coherent: {
    name: "Coherent breathing",
    intro: "An even rhythm of about six breaths a minute.",
    steps: [
      { action: "inhale", seconds: 5, instruction: "Breathe in smoothly, filling your belly." },
      { action: "exhale", seconds: 5, instruction: "Breathe out smoothly at the same pace." },
    ],
  },
};

export function breathingExercise(technique: (typeof BREATHING_TECHNIQUES)[number], rounds: number): BreathingExercise {
  const p = PATTERNS[technique];
  const secondsPerRound = p.steps.reduce((s, step) => s + step.seconds, 0);
  return {
    technique,
    name: p.name,
    intro: `${p.intro} Sit comfortably and follow along for ${rounds} round${rounds > 1 ? "s" : ""}.`,
    rounds,
    steps: p.steps,
    secondsPerRound,
    totalSeconds: secondsPerRound * rounds,
    closing: "Let your breathing return to normal and notice how you feel. Stop if you feel light-headed.",
  };
}

const breathingTool: Tool<z.infer<typeof breathingArgs>> = {
  definition: {
    name: "breathing_exercise",
    description:
      "A guided breathing exercise (box, 4-7-8 or coherent breathing) with timed steps, shown to the person to follow along.",
    parameters: {
      type: "object",
      properties: {
        technique: { type: "string", enum: [...BREATHING_TECHNIQUES], description: "Which technique to guide." },
        rounds: { type: "integer", minimum: 1, maximum: 10, description: "How many rounds (1-10)." },
      },
      required: ["technique", "rounds"],
      additionalProperties: false,
    },
  },
  args: breathingArgs,
  async run(_ctx, args) {
    return { result: breathingExercise(args.technique, args.rounds) };
  },
};

// ---- quiz_from_document ----

const quizArgs = z.object({
  topic: z.string().trim().min(1).max(200),
  questions: z.number().int().min(1).max(10),
});

const quizSchema = z.object({
  questions: z
    .array(
      z.object({
        question: z.string().min(1).max(500),
        choices: z.array(z.string().min(1).max(200)).length(4),
        answerIndex: z.number().int().min(0).max(3),
        explanation: z.string().max(500),
        source: z.string().max(200),
      }),
    )
    .min(1)
    .max(10),
});

type Passage = { title: string; content: string };

const STOP = new Set(
  (
    "about above after again against also although among another because been before being below between both " +
    "cannot could does doing down during each either enough every from further have having here into itself " +
    "just many more most much must never only other otherwise over same should since some such than that their " +
    "them themselves then there these they this those through under until upon very were what when where which " +
    "while will with within without would your yours"
  ).split(" "),
);

const hash = (s: string) => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

const termsOf = (sentence: string) =>
  [...new Set(sentence.match(/[\p{L}][\p{L}'-]{4,}/gu) ?? [])].filter((w) => !STOP.has(w.toLowerCase()));

/**
 * A fill-in-the-blank quiz from the passages alone: each question blanks the longest key term of one
 * sentence; the other choices are key terms from the other sentences. Deterministic for the same passages.
 */
export function quizFromPassages(topic: string, passages: Passage[], count: number): Quiz {
  const sentences = passages.flatMap((p) =>
    p.content
      .replace(/\s+/g, " ")
      .split(/(?<=[.!?])\s+/)
      .map((s) => s.trim())
      .filter((s) => s.length >= 20 && s.length <= 400 && termsOf(s).length > 0)
      .map((s) => ({ title: p.title, text: s })),
  );
  const seen = new Set<string>();
  const unique = sentences.filter((s) => !seen.has(s.text) && seen.add(s.text));
  const allTerms = [...new Set(unique.flatMap((s) => termsOf(s.text)))];
  const questions: QuizQuestion[] = [];
  for (const s of unique) {
    if (questions.length >= count) break;
    const answer = termsOf(s.text).sort((a, b) => b.length - a.length || a.localeCompare(b))[0] as string;
    const lower = answer.toLowerCase();
    const pool = allTerms.filter((t) => t.toLowerCase() !== lower && !s.text.toLowerCase().includes(t.toLowerCase()));
    const distractors = pool.sort((a, b) => hash(a + s.text) - hash(b + s.text)).slice(0, 3);
    const fillers = ["None of these", "All of these", "Not stated in the notes"];
    while (distractors.length < 3) distractors.push(fillers[distractors.length] as string);
    const answerIndex = hash(s.text) % 4;
    const choices = [...distractors];
    choices.splice(answerIndex, 0, answer);
    questions.push({
      question: `Fill in the blank: ${s.text.replace(new RegExp(`\\b${answer.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`), "_____")}`,
      choices,
      answerIndex,
      explanation: `From "${s.title}": ${s.text}`,
      source: s.title,
    });
  }
  return { topic, questions, sources: [...new Set(passages.map((p) => p.title))] };
}

const QUIZ_PROMPT =
  "Write a multiple-choice quiz for a student using ONLY the passages from their own notes below. " +
  "Each question has exactly 4 choices, one correct (answerIndex is its 0-based position), a one-sentence " +
  "explanation, and source = the title of the note it comes from. Reply with JSON only.";

const quizTool: Tool<z.infer<typeof quizArgs>> = {
  definition: {
    name: "quiz_from_document",
    description: "Build a multiple-choice quiz on a topic from the student's own workspace documents and notes.",
    parameters: {
      type: "object",
      properties: {
        topic: { type: "string", description: "What the quiz should cover." },
        questions: { type: "integer", minimum: 1, maximum: 10, description: "How many questions (1-10)." },
      },
      required: ["topic", "questions"],
      additionalProperties: false,
    },
  },
  args: quizArgs,
  async run(ctx, args) {
    const docs = await asUser(ctx.db, ctx.userId, (tx) => repo.listDocuments(tx, ctx.conversationId));
    if (!docs.some((d) => d.chunks > 0)) {
      return { result: { error: "There are no workspace documents to build a quiz from. Add your notes first." } };
    }
    const embedded = await ctx.ai.embed([args.topic], { signal: ctx.signal });
    const usage = { inputTokens: embedded.usage.inputTokens, outputTokens: 0 };
    // Retrieval runs as the caller (RLS): another user's chunks are invisible to this query.
    const passages = await asUser(ctx.db, ctx.userId, (tx) =>
      repo.nearestChunks(tx, ctx.conversationId, embedded.vectors[0] as number[], Math.min(8, Math.max(4, args.questions))),
    );
    const picked = passages.map((p) => ({ title: p.title, content: p.content }));
    if (!ctx.ai.offline) {
      try {
        const r = await ctx.ai.structured(
          {
            messages: [
              { role: "system", content: QUIZ_PROMPT },
              {
                role: "user",
                content: `Topic: ${args.topic}\nQuestions: ${args.questions}\n\n${picked.map((p) => `[${p.title}]\n${p.content}`).join("\n\n")}`,
              },
            ],
            maxTokens: 1500,
            temperature: 0.3,
          },
          quizSchema,
          { signal: ctx.signal },
        );
        usage.inputTokens += r.usage.inputTokens;
        usage.outputTokens += r.usage.outputTokens;
        const quiz: Quiz = {
          topic: args.topic,
          questions: r.value.questions.slice(0, args.questions),
          sources: [...new Set(picked.map((p) => p.title))],
        };
        return { result: quiz, usage };
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        ctx.log.warn({ err, conversationId: ctx.conversationId }, "quiz model call failed; building it from the passages");
      }
    }
    return { result: quizFromPassages(args.topic, picked, args.questions), usage };
  },
};

// ---- registry ----

const TOOLS: Record<Assistant, Tool<never>[]> = {
  companion: [breathingTool as unknown as Tool<never>],
  tutor: [quizTool as unknown as Tool<never>],
};

export function toolsFor(assistant: Assistant): ToolDefinition[] {
  return TOOLS[assistant].map((t) => t.definition);
}

const issuesText = (error: z.ZodError) => error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");

/** Runs one call. Unknown tools, unparsable or invalid arguments and tool failures are error results. */
export async function runTool(assistant: Assistant, call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
  const tool = TOOLS[assistant].find((t) => t.definition.name === call.name);
  if (!tool) return { result: { error: `Unknown tool "${call.name}".` }, usage: NO_USAGE, error: true };
  let raw: unknown;
  try {
    raw = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    return { result: { error: "Invalid arguments: not valid JSON." }, usage: NO_USAGE, error: true };
  }
  const parsed = tool.args.safeParse(raw);
  if (!parsed.success) {
    return { result: { error: `Invalid arguments: ${issuesText(parsed.error)}` }, usage: NO_USAGE, error: true };
  }
  try {
    const out = await tool.run(ctx, parsed.data);
    const failed = typeof out.result === "object" && out.result !== null && "error" in out.result;
    return { result: out.result, usage: out.usage ?? NO_USAGE, error: failed };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ err, tool: call.name }, "chat tool failed");
    return { result: { error: `The ${call.name} tool failed. Answer without it.` }, usage: NO_USAGE, error: true };
  }
}
