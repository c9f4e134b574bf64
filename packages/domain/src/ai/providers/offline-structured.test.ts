import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ChatRequest } from "../ai.types.ts";
import { createOfflineProvider } from "./offline.ts";

const ai = createOfflineProvider({ embeddingDimensions: 1536 });
const ask = (content: string): ChatRequest => ({ messages: [{ role: "user", content }] });

const quiz = z.object({
  title: z.string().min(3).max(60),
  questions: z
    .array(
      z.object({
        question: z.string().min(10),
        options: z.array(z.string().min(1)).length(4),
        answerIndex: z.number().int().min(0).max(3),
        explanation: z.string(),
      }),
    )
    .min(1)
    .max(20),
  difficulty: z.enum(["easy", "medium", "hard"]),
});

const writerOutputs = z.object({
  linkedin: z.string().max(3000),
  thread: z.array(z.string().max(280)).min(3).max(10),
  hashtags: z.array(z.string().regex(/^[a-z0-9-]+$/)).max(5),
  tone: z.enum(["polished", "natural", "punchy"]),
  scheduledFor: z.iso.datetime().nullable(),
});

const studyGuide = z.object({
  id: z.uuid(),
  author: z.object({ email: z.email(), homepage: z.url().optional() }),
  sections: z.array(
    z.object({ heading: z.string(), keyPoints: z.array(z.string()).nonempty(), minutes: z.number().positive().max(120) }),
  ),
  scores: z.record(z.enum(["recall", "understanding"]), z.number().min(0).max(1)),
  range: z.tuple([z.number().int(), z.number().int()]),
  block: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("text"), body: z.string() }),
    z.object({ kind: z.literal("image"), url: z.url() }),
  ]),
  done: z.boolean(),
  price: z.number().multipleOf(5).min(10).max(100),
});

interface Outline {
  title: string;
  children: Outline[];
}
const outline: z.ZodType<Outline> = z.object({
  title: z.string(),
  get children() {
    return z.array(outline);
  },
});

describe("offline structured output", () => {
  it("fills Inkwell's schemas with content from the prompt, sized by its counts", async () => {
    const prompt =
      "Create 5 quiz questions about the water cycle.\nNotes:\n[1] Evaporation lifts water vapour from the oceans.\n[2] Condensation forms clouds.";
    const { value, model, usage } = await ai.structured(ask(prompt), quiz);
    expect(model).toBe("offline-text-v1");
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(value.title).toBe("The water cycle");
    expect(value.questions).toHaveLength(5);
    expect(value.questions[0]?.question).toContain("water cycle");
    expect(JSON.stringify(value)).toContain("[1]");
    expect((await ai.structured(ask(prompt), quiz)).value).toEqual(value);
  });

  it("meets formats, bounds, records, tuples, unions and recursion", async () => {
    for (const schema of [writerOutputs, studyGuide, outline] as z.ZodType[]) {
      const { value } = await ai.structured(ask("Write about composting at home"), schema);
      expect(schema.safeParse(value).success).toBe(true);
    }
  });

  it("satisfies random object schemas of strings, numbers, booleans, enums and arrays (property)", async () => {
    const leaf = fc.oneof(
      fc.record({ min: fc.nat(30), extra: fc.nat(200) }).map(({ min, extra }) =>
        z
          .string()
          .min(min)
          .max(min + extra),
      ),
      fc
        .record({ min: fc.integer({ min: -1000, max: 1000 }), span: fc.nat(500), int: fc.boolean() })
        .map(({ min, span, int }) => (int ? z.number().int() : z.number()).min(min).max(min + span)),
      fc.constant(z.boolean()),
      fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 5 }).map((values) => z.enum(values)),
    );
    const { node } = fc.letrec<{ node: z.ZodType }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.record({ min: fc.nat(4), extra: fc.nat(4), item: tie("node") }).map(({ min, extra, item }) =>
          z
            .array(item)
            .min(min)
            .max(min + extra),
        ),
        fc
          .dictionary(fc.stringMatching(/^[a-z][a-zA-Z]{0,10}$/), fc.tuple(tie("node"), fc.boolean()), { maxKeys: 5 })
          .map((shape) =>
            z.object(Object.fromEntries(Object.entries(shape).map(([k, [s, opt]]) => [k, opt ? s.optional() : s]))),
          ),
      ),
    }));
    await fc.assert(
      fc.asyncProperty(node, fc.string({ maxLength: 60 }), async (schema, topic) => {
        const { value } = await ai.structured(ask(`Make notes about ${topic}`), schema);
        expect(schema.safeParse(value).success).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("fails clearly when a schema cannot be met without a model", async () => {
    await expect(ai.structured(ask("anything"), z.object({ code: z.string().regex(/^[A-Z]{3}\d{4}$/) }))).rejects.toMatchObject({
      code: "UPSTREAM_FAILED",
      message: expect.stringContaining("offline provider cannot make a value"),
    });
  });
});
