/**
 * The one interface every AI feature goes through. Each call returns what metering needs (model,
 * token usage, latency), so credits and history can be built on top without knowing the provider.
 *
 * Failures are DomainErrors: UPSTREAM_TIMEOUT, RATE_LIMITED (with retryAfterSeconds), UPSTREAM_FAILED,
 * INVALID_INPUT. A call cancelled through its AbortSignal rejects with the signal's reason instead,
 * because the caller asked for it and it is not an upstream failure.
 */
import type { z } from "zod";

export type ChatRole = "system" | "user" | "assistant" | "tool";

/** A function the model may call. `parameters` is a JSON Schema object ({ type: "object", properties, required }). */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A call the model asked for; `arguments` is JSON text (as the model wrote it, so parse it defensively). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** "auto": the model decides (the default when tools are given); "none": it must answer in text. */
export type ToolChoice = "auto" | "none";

export interface SystemOrUserMessage {
  role: "system" | "user";
  content: string;
}

export interface AssistantMessage {
  role: "assistant";
  /** May be empty when the assistant only called tools. */
  content: string;
  toolCalls?: ToolCall[];
}

/** The result of one tool call, sent back after the assistant message that asked for it. */
export interface ToolMessage {
  role: "tool";
  toolCallId: string;
  content: string;
}

export type ChatMessage = SystemOrUserMessage | AssistantMessage | ToolMessage;

export interface ChatRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Overrides the configured chat model for this call. */
  model?: string;
  /** Functions the model may call; results come back as `toolCalls` / "tool_call" events. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Why generation stopped; "length" means the text was cut by maxTokens, "tool_calls" that the model called tools. */
export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "other";

export interface ChatResult {
  text: string;
  model: string;
  usage: Usage;
  latencyMs: number;
  finishReason: FinishReason;
  /** The tools the model called (empty when it answered in text). */
  toolCalls: ToolCall[];
}

export type ChatStreamEvent =
  | { type: "delta"; text: string }
  /** One complete tool call, assembled from the streamed fragments; all of them come before "done". */
  | ({ type: "tool_call" } & ToolCall)
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
  /** `idempotencyKey`: the caller's, kept across its retries and crashes (a fresh one per call when omitted). */
  submit(request: ImageRequest, options?: CallOptions & { idempotencyKey?: string }): Promise<{ jobId: string }>;
  status(jobId: string, options?: CallOptions): Promise<ImageJob>;
  /**
   * Asks the API to stop a job (best effort: an API without it, like the offline renderer's, leaves
   * this out). `cancelled: false` when the job had already finished or is unknown there.
   */
  cancel?(jobId: string, options?: CallOptions): Promise<{ cancelled: boolean }>;
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
  /** Deltas as they arrive, then any "tool_call" events, then exactly one "done" event. */
  chatStream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatStreamEvent>;
  /** JSON validated by the schema; one retry with the validation error fed back, then UPSTREAM_FAILED. */
  structured<T>(request: ChatRequest, schema: z.ZodType<T>, options?: CallOptions): Promise<StructuredResult<T>>;
  embed(texts: string[], options?: CallOptions): Promise<EmbedResult>;
  readonly image: ImageGenerator;
  describeImage(request: DescribeImageRequest, options?: CallOptions): Promise<TextResult>;
  transcribe(request: TranscribeRequest, options?: CallOptions): Promise<TranscribeResult>;
}
