/**
 * The edge's table is derived from the router: each large-input procedure's `bodyLimit` meta, the
 * default for everything else, and the largest as the cap for a batch.
 */
import { initTRPC } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "../router.ts";
import { KiB, type Meta, MiB } from "../trpc/init.ts";
import { DEFAULT_BODY_LIMIT, procedureTable } from "./procedures.ts";

describe("the procedure table", () => {
  it("takes each procedure's body limit from its meta, the default otherwise", () => {
    const table = procedureTable(appRouter);
    const declared = Object.fromEntries(
      [...table.known].filter((p) => table.bodyLimit(p) !== DEFAULT_BODY_LIMIT).map((p) => [p, table.bodyLimit(p)]),
    );
    expect(declared).toEqual({
      "writer.knowledge.create": 256 * KiB,
      "writer.knowledge.update": 256 * KiB,
      "voice.addSample": 256 * KiB,
      "writer.sessions.editOutput": 2 * MiB,
      "stories.answers.submit": 1 * MiB,
      "stories.create": 1 * MiB,
      "stories.update": 1 * MiB,
      "storiesMedia.editTranscript": 1 * MiB,
      "publishing.posts.compose": 2 * MiB,
      "publishing.posts.update": 2 * MiB,
      "chat.addDocument": 8 * MiB,
      "publishing.posts.uploadMedia": 8 * MiB,
      "brand.uploadLogo": 8 * MiB,
    });
    expect(table.bodyLimit("chat.send")).toBe(64 * KiB);
    expect(table.maxBodyLimit).toBe(8 * MiB);
    expect(table.streams.has("chat.stream")).toBe(true);
  });

  it("picks up a new procedure's limit with no edit to the table, and refuses a nonsense one", () => {
    const t = initTRPC.meta<Meta>().create();
    const upload = t.procedure.meta({ access: "user" }).meta({ bodyLimit: 20 * MiB });
    const router = t.router({ big: upload.mutation(() => 1), small: t.procedure.query(() => 2) });
    const table = procedureTable(router);
    expect([table.bodyLimit("big"), table.bodyLimit("small"), table.maxBodyLimit]).toEqual([
      20 * MiB,
      DEFAULT_BODY_LIMIT,
      20 * MiB,
    ]);
    const broken = t.router({ bad: t.procedure.meta({ bodyLimit: -1 }).query(() => 0) });
    expect(() => procedureTable(broken)).toThrow(/bad: bodyLimit/);
  });
});

/** The longest single text field anywhere in a JSON schema (characters). */
function longestText(schema: unknown): number {
  if (schema === null || typeof schema !== "object") return 0;
  const own =
    (schema as { type?: unknown; maxLength?: unknown }).type === "string"
      ? Number((schema as { maxLength?: unknown }).maxLength ?? 0)
      : 0;
  return Math.max(own, ...Object.values(schema).map(longestText));
}

describe("every procedure's body limit", () => {
  it("fits the longest text its input accepts, so a field at its documented maximum is never refused as too large", () => {
    const table = procedureTable(appRouter);
    const tooSmall: string[] = [];
    for (const [path, p] of Object.entries(
      appRouter._def.procedures as unknown as Record<string, { _def: { inputs: z.ZodType[] } }>,
    )) {
      const longest = Math.max(
        0,
        ...p._def.inputs.map((input) => longestText(z.toJSONSchema(input, { io: "input", unrepresentable: "any" }))),
      );
      // Characters as UTF-8 bytes: at least one each, so this is the lower bound of what such a body weighs.
      if (longest > table.bodyLimit(path)) tooSmall.push(`${path}: ${longest} characters > ${table.bodyLimit(path)} bytes`);
    }
    expect(tooSmall).toEqual([]);
  });
});
