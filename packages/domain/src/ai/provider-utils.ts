/** Small pieces both providers share: metering arithmetic and the embedding input rule. */
import { DomainError } from "../platform/errors.ts";
import type { Usage } from "./ai.types.ts";

/**
 * Roughly four characters per token for English text. Only an estimate, used where no tokenizer ran
 * (the offline provider) or a server left usage out of its reply.
 */
export const approxTokens = (text: string): number => Math.ceil(text.length / 4);

export const addUsage = (a: Usage, b: Usage): Usage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});

/** Whole milliseconds since a `performance.now()` mark. */
export const msSince = (start: number): number => Math.round(performance.now() - start);

/** OpenAI refuses a batch containing an empty string; both providers refuse it the same way, up front. */
export function assertEmbeddable(texts: string[]): void {
  const blank = texts.findIndex((t) => t.trim() === "");
  if (blank >= 0) throw new DomainError("INVALID_INPUT", `cannot embed an empty text (item ${blank})`);
}
