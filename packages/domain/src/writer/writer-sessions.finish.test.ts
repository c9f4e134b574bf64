/**
 * What reaches a stored writer output, for every format and style, with random banned phrases and
 * knowledge entries: the real prompt (buildPrompt), the offline provider (the default setup) for the
 * text and its rewrite, and the same finishing step the service stores (finishOutput). No banned phrase,
 * no instruction text, no citation marker and no empty or broken sentence ever comes out, and the text
 * is still about the concept.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ChatMessage, createAiProvider } from "../ai/index.ts";
import { DomainError } from "../platform/errors.ts";
import { WRITER_FORMAT_IDS, WRITER_STYLES, type WriterFormat, type WriterStyle } from "./writer-formats.ts";
import {
  cleanModelText,
  finishOutput,
  PROMPT_ECHOES,
  rewriteInstruction,
  stripCitationMarkers,
} from "./writer-sessions.finish.ts";
import { findBanned, readableText } from "./writer-sessions.guidance.ts";
import { buildPrompt, MAX_TOKENS } from "./writer-sessions.service.ts";

const ai = createAiProvider({ provider: "offline" });

const CONCEPTS = [
  "Why a sourdough bakery should post every morning",
  "Pricing a coffee subscription for remote teams",
  "How I learned to stop overthinking product launches",
  "Three lessons from running a tiny design studio",
  "Hiring your first engineer without a recruiter",
];

// Phrases the offline templates use (the ones the issue saw leak), common clichés, and plain words.
const PHRASES = [
  "start small",
  "keep going",
  "day one",
  "keep it simple",
  "let's talk",
  "honestly",
  "matters more",
  "worth knowing",
  "game changer",
  "stop scrolling",
  "your move",
  "deserves a closer look",
  "that's been my experience",
  "changes everything",
  "lasting advantage",
  "delve",
  "ship it",
];

const NOTES = [
  { title: "My bakery", content: "I run a small sourdough bakery in Leeds and bake before dawn." },
  { title: "Readers", content: "My readers are busy founders who want practical advice, not theory." },
  { title: "How I write", content: "Short sentences. Plain words. One idea per paragraph." },
  { title: "Studio", content: "We are three designers; we started small and keep going every day." },
  { title: "Coffee", content: "Our roastery ships beans to 40 offices every week [3]." },
];

async function stored(
  concept: string,
  format: WriterFormat,
  style: WriterStyle,
  banned: string[],
  knowledge: { title: string; content: string }[],
) {
  const messages = buildPrompt(
    { concept, style },
    format,
    {
      knowledge: knowledge.map((k, i) => ({ id: String(i), category: "about_me", ...k })),
      guidance: {
        brand: null,
        voice: banned.length ? { profileId: "p", name: "Mine", prompt: "Warm and direct.", bannedPhrases: banned } : null,
      },
    },
    null,
  );
  const maxTokens = MAX_TOKENS[format];
  const first = await ai.chat({ messages, maxTokens });
  const rewrite = async (found: string[]) => {
    const retry: ChatMessage[] = [
      ...messages,
      { role: "assistant", content: first.text },
      { role: "user", content: rewriteInstruction(found) },
    ];
    return (await ai.chat({ messages: retry, maxTokens })).text;
  };
  return finishOutput(format, first.text, { banned, title: concept, rewrite });
}

/** The checks every stored text must pass. */
function expectClean(content: string, parts: string[] | null, banned: string[]) {
  const readable = readableText({ content, parts });
  expect(findBanned(readable, banned)).toEqual([]);
  expect(findBanned(readable, PROMPT_ECHOES)).toEqual([]);
  expect(readable).not.toMatch(/\b(?:rewrite it|never use|reply with)\b/i);
  expect(content).not.toMatch(/\[\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\]/);
  for (const line of readable.split("\n").map((l) => l.trim())) {
    if (!line) continue;
    // No line of bare markup or punctuation, no space before punctuation, no ", ." or '""' left behind.
    expect(line, readable).toMatch(/[\p{L}\p{N}]/u);
    expect(line, readable).not.toMatch(/\s[.,;:!?](?:\s|$)|[,;:]\s*[.!?]|""|\(\s*\)/u);
    for (const sentence of line.split(/(?<=[.!?…])\s+/)) expect(sentence, readable).toMatch(/[\p{L}\p{N}]/u);
  }
}

const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];

describe("what a generation stores (offline provider, every format and style)", () => {
  it("the issue's case: banned template phrases never leak the instruction, break a sentence or lose the concept", async () => {
    const banned = ["start small", "keep going", "day one"];
    const concept = "Why a sourdough bakery should post every morning";
    for (const format of WRITER_FORMAT_IDS) {
      for (const style of WRITER_STYLES) {
        const { enforced } = await stored(concept, format, style, banned, NOTES.slice(0, 2));
        expectClean(enforced.content, enforced.parts, banned);
        expect(enforced.content, `${format} ${style}`).toMatch(/sourdough/i);
        expect(enforced.content).not.toContain("Rewrite");
      }
    }
  });

  it("property: no banned phrase, instruction text, citation marker or empty sentence is ever stored", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CONCEPTS),
        fc.constantFrom(...WRITER_FORMAT_IDS),
        fc.constantFrom(...WRITER_STYLES),
        fc.uniqueArray(fc.oneof(fc.constantFrom(...PHRASES), fc.constantFrom(...CONCEPTS.flatMap(words))), { maxLength: 6 }),
        fc.subarray(NOTES),
        async (concept, format, style, banned, knowledge) => {
          const aboutConcept = findBanned(concept, banned).length > 0;
          let result: Awaited<ReturnType<typeof stored>>;
          try {
            result = await stored(concept, format, style, banned, knowledge);
          } catch (error) {
            // Refusing is allowed only when the concept itself uses a banned phrase; nothing is stored then.
            expect(error).toBeInstanceOf(DomainError);
            expect(aboutConcept).toBe(true);
            return;
          }
          expectClean(result.enforced.content, result.enforced.parts, banned);
          if (!aboutConcept) {
            // The concept survives: its longest word is still there.
            const key = words(concept).sort((a, b) => b.length - a.length)[0] as string;
            expect(result.enforced.content.toLowerCase(), `${format}: ${result.enforced.content}`).toContain(key);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: a model that echoes the instruction and cites its notes has neither stored", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WRITER_FORMAT_IDS),
        fc.uniqueArray(fc.constantFrom(...PHRASES), { minLength: 1, maxLength: 3 }),
        async (format, banned) => {
          const text = `Bread sells itself early [1]. We ${banned[0]} every day [2, 3].\n\nCustomers remember a bakery that shows up.`;
          const result = await finishOutput(format, text, {
            banned,
            title: "Bakery mornings",
            // The echo the issue saw: the instruction itself comes back as the text.
            rewrite: async (found) => `I've been thinking about ${rewriteInstruction(found)}\n\n${text}`,
          });
          expectClean(result.enforced.content, result.enforced.parts, banned);
          expect(result.enforced.content).toContain("Customers remember a bakery that shows up.");
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("cleaning a model's text", () => {
  it("strips citation markers but keeps Markdown links and reference links", () => {
    expect(stripCitationMarkers("Bread sells [1]. Twice [2, 3][4]; done [1-2].")).toBe("Bread sells. Twice; done.");
    expect(stripCitationMarkers("See [our shop](https://x.test) and [docs][1].\n\n[1]: https://y.test")).toBe(
      "See [our shop](https://x.test) and [docs][1].\n\n[1]: https://y.test",
    );
  });

  it("leaves code and the writer's own spacing alone: only the markers go", () => {
    expect(stripCitationMarkers("Use `matrix[0][1]` here [2].\n\n```\nrow = grid[3]\n```")).toBe(
      "Use `matrix[0][1]` here.\n\n```\nrow = grid[3]\n```",
    );
    // French puts a space before "!", "?", ":" and ";".
    expect(cleanModelText("Le pain frais : c'est la vie ! Vraiment ? Oui [1].")).toBe(
      "Le pain frais : c'est la vie ! Vraiment ? Oui.",
    );
  });

  it("drops a sentence that repeats the instructions, keeping the rest", () => {
    expect(cleanModelText(`Fresh bread daily. ${rewriteInstruction(["delve"])} Bread is good.`)).toBe(
      "Fresh bread daily. Bread is good.",
    );
  });
});
