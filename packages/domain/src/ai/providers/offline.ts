/**
 * The zero-configuration provider: no model, no network, deterministic (the same request gives
 * byte-identical output). The UI labels its output as offline (`offline: true`).
 *
 * Text follows the instructions in the system and user messages (offline-brief.ts reads them):
 * - Format: "X thread" / "thread" (posts "1/n", each ≤ 280 characters), "tweet" / "X post",
 *   "LinkedIn" (hook, short paragraphs, a question, hashtags), "Instagram" / "caption",
 *   "email" / "newsletter" (a Subject line), "blog" / "article" (# title, ## Key points),
 *   "bullet list" (- lines), "numbered list" / "step by step" (1. lines); otherwise a paragraph.
 *   "bullet points" inside another format turns its points into a list.
 * - Length: a count of characters/chars/words with a cue — "max 300 characters", "under 1,000
 *   chars", "in 150 words", "a 500-word post", "200 words or less", "280 characters per post" (each
 *   post of a thread). A bare count ("a story with 3 characters") or "at least N" is not a limit.
 *   The output stays within every limit, and within about 4 characters per token of maxTokens
 *   (finishReason "length" when that bites).
 * - Style: "punchy" / "bold" / "snappy", "polished" / "professional" / "formal",
 *   "natural" / "conversational" / "casual" (the default).
 * - Topic: what follows "about" / "regarding" / "covering" …, else the first sentence of the last
 *   user message, minus the "write a … post" part.
 * - Grounding: lines "[1] …" anywhere, and the lines after a "Context:", "Sources:", "Snippets:",
 *   "References:" or "Notes:" header up to a blank line (numbered in order after the explicit
 *   numbers). Each snippet's key phrase (its first sentence, ≤ 20 words) is used, cited as "[n]".
 * - Voice: a `<voice> … </voice>` block (the voice module's guidance) is read apart from the brief;
 *   its "Voice tuning" line changes the draft measurably (offline-voice.ts), and nothing else in it
 *   sets format, style or limits.
 * Tools (offline-tools.ts): when tools are offered and the last user message mentions one (its name
 * or a trigger word from its name or description), the reply is a call to it with arguments filled
 * from its JSON Schema and the message; after a tool result the reply is text quoting the result.
 * Streaming yields the same text word by word. Usage is approximate: ceil(characters / 4) tokens.
 *
 * Structured output fills the schema from the same brief (offline-structured.ts); embeddings are
 * lexical (offline-embeddings.ts); images are PNG data URLs rendered here (offline-image.ts);
 * describing an image or transcribing audio says what is known without a model, marked "[offline]".
 */
import type { AiProvider, ChatRequest, DescribeImageRequest, FinishReason, ToolCall, Usage } from "../ai.types.ts";
import { approxTokens, assertEmbeddable, msSince } from "../provider-utils.ts";
import { readBrief } from "./offline-brief.ts";
import { lexicalEmbedding } from "./offline-embeddings.ts";
import { decodeJobId, encodeJobId, renderPng, sniffImage, toDataUrl } from "./offline-image.ts";
import { buildStructured } from "./offline-structured.ts";
import { writeOffline } from "./offline-text.ts";
import { offlineToolAnswer, offlineToolCall } from "./offline-tools.ts";

export interface OfflineProviderOptions {
  embeddingDimensions: number;
}

const MODELS = {
  text: "offline-text-v1",
  embedding: "offline-lexical-v1",
  vision: "offline-vision-v1",
  transcription: "offline-transcription-v1",
};

const inputTokens = (request: ChatRequest) => approxTokens(request.messages.map((m) => m.content).join("\n"));

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Everything the file itself tells; remote URLs are named (without their query, which may be a token), never fetched. */
function describeLocally(request: DescribeImageRequest): string {
  let bytes: Uint8Array | undefined;
  let mimeType: string | undefined;
  let source = "";
  if ("bytes" in request) {
    bytes = request.bytes;
    mimeType = request.mimeType;
  } else {
    const data = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(request.imageUrl);
    if (data) {
      mimeType = data[1];
      bytes = data[2] ? Buffer.from(data[3] as string, "base64") : Buffer.from(decodeURIComponent(data[3] as string));
    } else {
      const url = URL.parse(request.imageUrl);
      source = ` at ${url ? `${url.origin}${url.pathname}` : "an unreadable URL"}`;
    }
  }
  const info = bytes ? sniffImage(bytes) : {};
  const kind = info.format ?? mimeType ?? "unknown type";
  const what = info.width ? `a ${info.width}×${info.height} ${kind} image` : `an image (${kind})`;
  const size = bytes ? `, ${formatBytes(bytes.byteLength)}` : "";
  return `[offline] No vision model is configured, so this is only what the file says: ${what}${size}${source}. Request: "${request.prompt.slice(0, 200)}".`;
}

export function createOfflineProvider(options: OfflineProviderOptions): AiProvider {
  function write(request: ChatRequest): { text: string; finishReason: FinishReason; usage: Usage; toolCalls: ToolCall[] } {
    const call = offlineToolCall(request);
    if (call) {
      const usage = { inputTokens: inputTokens(request), outputTokens: approxTokens(call.name + call.arguments) };
      return { text: "", finishReason: "tool_calls", usage, toolCalls: [call] };
    }
    const answer = offlineToolAnswer(request.messages);
    let text: string;
    let finishReason: FinishReason = "stop";
    if (answer !== null) {
      text = answer;
      if (request.maxTokens !== undefined && text.length > request.maxTokens * 4) {
        text = text.slice(0, request.maxTokens * 4);
        finishReason = "length";
      }
    } else {
      ({ text, finishReason } = writeOffline(readBrief(request.messages), request.maxTokens));
    }
    return { text, finishReason, usage: { inputTokens: inputTokens(request), outputTokens: approxTokens(text) }, toolCalls: [] };
  }

  return {
    name: "offline",
    offline: true,

    async chat(request, { signal } = {}) {
      const started = performance.now();
      signal?.throwIfAborted();
      const { text, finishReason, usage, toolCalls } = write(request);
      return { text, model: MODELS.text, usage, latencyMs: msSince(started), finishReason, toolCalls };
    },

    async *chatStream(request, { signal } = {}) {
      const started = performance.now();
      const { text, finishReason, usage, toolCalls } = write(request);
      let firstTokenMs: number | undefined;
      for (const word of text.split(/(?<=\s)(?=\S)/).filter(Boolean)) {
        // A macrotask between words, as over a network, so an abort can land mid-stream.
        await new Promise((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
        firstTokenMs ??= msSince(started);
        yield { type: "delta" as const, text: word };
      }
      signal?.throwIfAborted();
      for (const call of toolCalls) yield { type: "tool_call" as const, ...call };
      const latencyMs = msSince(started);
      yield {
        type: "done" as const,
        model: MODELS.text,
        usage,
        latencyMs,
        timeToFirstTokenMs: firstTokenMs ?? latencyMs,
        finishReason,
      };
    },

    async structured(request, schema, { signal } = {}) {
      const started = performance.now();
      signal?.throwIfAborted();
      const value = buildStructured(schema, readBrief(request.messages));
      const usage = { inputTokens: inputTokens(request), outputTokens: approxTokens(JSON.stringify(value) ?? "") };
      return { value, model: MODELS.text, usage, latencyMs: msSince(started) };
    },

    async embed(texts, { signal } = {}) {
      const started = performance.now();
      signal?.throwIfAborted();
      assertEmbeddable(texts);
      return {
        vectors: texts.map((text) => lexicalEmbedding(text, options.embeddingDimensions)),
        model: MODELS.embedding,
        usage: { inputTokens: approxTokens(texts.join("\n")), outputTokens: 0 },
        dimensions: options.embeddingDimensions,
        latencyMs: msSince(started),
      };
    },

    image: {
      submit: async (request) => ({ jobId: encodeJobId(request) }),
      async status(jobId) {
        return { status: "completed", resultUrls: [toDataUrl(renderPng(decodeJobId(jobId)))] };
      },
    },

    async describeImage(request, { signal } = {}) {
      const started = performance.now();
      signal?.throwIfAborted();
      const text = describeLocally(request);
      return {
        text,
        model: MODELS.vision,
        usage: { inputTokens: approxTokens(request.prompt), outputTokens: approxTokens(text) },
        latencyMs: msSince(started),
      };
    },

    async transcribe(request, { signal } = {}) {
      const started = performance.now();
      signal?.throwIfAborted();
      return {
        text: `[offline] No transcription model is configured; received ${request.filename} (${request.mimeType}, ${formatBytes(request.audio.byteLength)}).`,
        model: MODELS.transcription,
        latencyMs: msSince(started),
      };
    },
  };
}
