/**
 * Structured output over plain chat: the zod schema is shown to the model as JSON Schema, the reply is
 * parsed and validated, and one retry feeds the problem back (models usually fix what they are told).
 * Works with any provider that can complete a chat, whether or not it supports a JSON mode.
 */
import { z } from "zod";
import { DomainError } from "../platform/errors.ts";
import type { ChatMessage, ChatRequest, ChatResult, StructuredResult } from "./ai.types.ts";
import { addUsage, msSince } from "./provider-utils.ts";

const ATTEMPTS = 2;

/** The schema as JSON Schema (input side, so transforms and defaults do not confuse the model). */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
}

/** Adds the JSON instruction to the (first) system message, or as one: some chat templates allow only one. */
function withInstruction(messages: ChatMessage[], jsonSchema: Record<string, unknown>): ChatMessage[] {
  const instruction = `Reply with one JSON value only (no prose, no code fences) that matches this JSON Schema:\n${JSON.stringify(jsonSchema)}`;
  const first = messages[0];
  if (first?.role === "system") return [{ role: "system", content: `${first.content}\n\n${instruction}` }, ...messages.slice(1)];
  return [{ role: "system", content: instruction }, ...messages];
}

/** Parses the reply, tolerating a code fence around it (common from models without a JSON mode). */
export function parseJsonReply<T>(text: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; problem: string } {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text);
  let json: unknown;
  try {
    json = JSON.parse(fenced ? (fenced[1] as string) : text);
  } catch (error) {
    return { ok: false, problem: `it was not valid JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: `it did not match the schema:\n${z.prettifyError(parsed.error).slice(0, 1000)}` };
}

export async function completeStructured<T>(
  complete: (request: ChatRequest, jsonMode: boolean) => Promise<ChatResult>,
  request: ChatRequest,
  schema: z.ZodType<T>,
): Promise<StructuredResult<T>> {
  const started = performance.now();
  const jsonSchema = toJsonSchema(schema);
  // json_object mode only promises an object, so it is asked for only when the schema is one.
  const jsonMode = jsonSchema.type === "object";
  const messages = withInstruction(request.messages, jsonSchema);
  let usage = { inputTokens: 0, outputTokens: 0 };
  let problem = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const result = await complete({ ...request, messages }, jsonMode);
    usage = addUsage(usage, result.usage);
    const parsed = parseJsonReply(result.text, schema);
    if (parsed.ok) return { value: parsed.value, model: result.model, usage, latencyMs: msSince(started) };
    problem = parsed.problem;
    messages.push(
      { role: "assistant", content: result.text },
      { role: "user", content: `That reply is not usable: ${problem}\nReply again with only the corrected JSON.` },
    );
  }
  throw new DomainError(
    "UPSTREAM_FAILED",
    `The AI reply did not have the expected format after ${ATTEMPTS} attempts: ${problem}`,
  );
}
