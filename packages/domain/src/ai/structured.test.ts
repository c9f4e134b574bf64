import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseJsonReply, toJsonSchema } from "./structured.ts";

describe("structured replies", () => {
  const schema = z.object({ n: z.number().transform(String) });

  it("accepts bare or fenced JSON and applies the schema's transforms", () => {
    expect(parseJsonReply('{"n": 1}', schema)).toEqual({ ok: true, value: { n: "1" } });
    expect(parseJsonReply('```json\n{"n": 2}\n```', schema)).toEqual({ ok: true, value: { n: "2" } });
  });

  it("says what was wrong, for the retry and the final error", () => {
    expect(parseJsonReply("n is 1", schema)).toMatchObject({ ok: false, problem: expect.stringContaining("not valid JSON") });
    expect(parseJsonReply('{"n": "1"}', schema)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/did not match[\s\S]*n/),
    });
  });

  it("shows the model the input side of the schema", () => {
    expect(toJsonSchema(schema)).toEqual({
      type: "object",
      properties: { n: { type: "number" } },
      required: ["n"],
    });
  });
});
