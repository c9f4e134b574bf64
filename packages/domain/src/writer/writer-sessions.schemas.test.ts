/** Every limit of the writer sessions' inputs is refused with a message a person can act on (shown by the forms as is). */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  createSessionInput,
  editOutputInput,
  iterateInput,
  listProjectsInput,
  listSessionsInput,
  pinProjectInput,
  renameSessionInput,
  updateProjectInput,
} from "./writer-sessions.schemas.ts";

const id = "7b0e7d6a-3f56-4a53-9c1e-2d9a8f1b6c4e";
const messageOf = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  expect(r.success).toBe(false);
  return r.error?.issues[0]?.message;
};

describe("writer session inputs", () => {
  it("say what is wrong with each field over or under its limit", () => {
    const create = { concept: "Idea", formats: ["x_thread"], style: "natural", idempotencyKey: "key-12345" };
    expect(messageOf(createSessionInput, { ...create, concept: "x".repeat(5001) })).toBe("Keep the idea within 5000 characters");
    expect(messageOf(createSessionInput, { ...create, formats: [] })).toBe("Pick at least one format");
    expect(messageOf(createSessionInput, { ...create, idempotencyKey: "short" })).toBe(
      "The request key must be 8 to 100 characters",
    );
    expect(messageOf(iterateInput, { sessionId: id, instruction: "x".repeat(2001), idempotencyKey: "key-12345" })).toBe(
      "Keep it within 2000 characters",
    );
    expect(messageOf(editOutputInput, { outputId: id, content: "x".repeat(100_001) })).toBe(
      "Keep the text within 100,000 characters",
    );
    expect(messageOf(listSessionsInput, { query: "x".repeat(201) })).toBe("Keep the search within 200 characters");
    expect(messageOf(renameSessionInput, { sessionId: id, title: "x".repeat(201) })).toBe("Keep the title within 200 characters");
    expect(messageOf(pinProjectInput, { sessionId: id, name: "x".repeat(201) })).toBe("Keep the name within 200 characters");
    expect(messageOf(pinProjectInput, { sessionId: id, name: "P", description: "x".repeat(2001) })).toBe(
      "Keep the description within 2,000 characters",
    );
    expect(messageOf(pinProjectInput, { sessionId: id, name: "P", tags: ["x".repeat(41)] })).toBe(
      "Keep each tag within 40 characters",
    );
    expect(messageOf(pinProjectInput, { sessionId: id, name: "P", tags: Array(21).fill("t") })).toBe("At most 20 tags");
    expect(messageOf(updateProjectInput, { projectId: id, name: "x".repeat(201) })).toBe("Keep the name within 200 characters");
    expect(messageOf(listProjectsInput, { tag: "x".repeat(41) })).toBe("Keep each tag within 40 characters");
  });
});
