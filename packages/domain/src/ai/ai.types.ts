/**
 * The one interface every AI feature goes through. Each call returns what metering needs (model,
 * token usage, latency), so credits and history can be built on top without knowing the provider.
 *
 * Failures are DomainErrors: UPSTREAM_TIMEOUT, RATE_LIMITED (with retryAfterSeconds), UPSTREAM_FAILED,
 * INVALID_INPUT. A call cancelled through its AbortSignal rejects with the signal's reason instead,
 * because the caller asked for it and it is not an upstream failure.
 */
import type { z } from "zod";

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Overrides the configured chat model for this call. */
  model?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Why generation stopped; "length" means the text was cut by maxTokens. */
export type FinishReason = "stop" | "length" | "content_filter" | "other";

export interface ChatResult {
  text: string;
  model: string;
  usage: Usage;
  latencyMs: number;
  finishReason: FinishReason;
}

export type ChatStreamEvent =
  | { type: "delta"; text: string }
  | {
      type: "done";
      model: string;
      usage: Usage;
      latencyMs: number;
      /** From the call until the first delta (the whole latency when there was no text). */
      timeToFirstTokenMs: number;
      finishReason: FinishReason;
    };

export interface StructuredResult<T> {
  value: T;
  model: string;
  /** Summed over every attempt, since every attempt is billed. */
  usage: Usage;
  latencyMs: number;
}

export interface EmbedResult {
  /** One vector per input text, in the same order. */
  vectors: number[][];
  model: string;
  usage: Usage;
  dimensions: number;
  latencyMs: number;
}

export interface ImageRequest {
  prompt: string;
  width: number;
  height: number;
  model?: string;
  seed?: number;
}

export type ImageJobStatus = "queued" | "in_progress" | "completed" | "failed" | "nsfw";

export interface ImageJob {
  status: ImageJobStatus;
  resultUrls: string[];
  error?: string;
}

/** Images are jobs: submit, store the id, poll status (from any process) until it settles. */
export interface ImageGenerator {
  submit(request: ImageRequest, options?: CallOptions): Promise<{ jobId: string }>;
  status(jobId: string, options?: CallOptions): Promise<ImageJob>;
}

export type DescribeImageRequest = { prompt: string } & ({ imageUrl: string } | { bytes: Uint8Array; mimeType: string });

export interface TextResult {
  text: string;
  model: string;
  usage: Usage;
  latencyMs: number;
}

export interface TranscribeRequest {
  audio: Uint8Array;
  mimeType: string;
  filename: string;
}

export interface TranscribeResult {
  text: string;
  model: string;
  latencyMs: number;
}

export interface AiProvider {
  readonly name: "openai" | "offline";
  /** True when output is made locally without a model; the UI labels it as such. */
  readonly offline: boolean;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /** Deltas as they arrive, then exactly one "done" event. */
  chatStream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatStreamEvent>;
  /** JSON validated by the schema; one retry with the validation error fed back, then UPSTREAM_FAILED. */
  structured<T>(request: ChatRequest, schema: z.ZodType<T>, options?: CallOptions): Promise<StructuredResult<T>>;
  embed(texts: string[], options?: CallOptions): Promise<EmbedResult>;
  readonly image: ImageGenerator;
  describeImage(request: DescribeImageRequest, options?: CallOptions): Promise<TextResult>;
  transcribe(request: TranscribeRequest, options?: CallOptions): Promise<TranscribeResult>;
}
