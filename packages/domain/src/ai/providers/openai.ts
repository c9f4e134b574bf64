/**
 * The provider for OpenAI and any OpenAI-compatible server (Ollama, vLLM, LM Studio), through the
 * official SDK. The SDK already retries what is worth retrying (connection errors, timeouts, 408, 409,
 * 429, 5xx) with exponential backoff (0.5 s doubling to 8 s, jittered), honouring retry-after-ms and
 * Retry-After up to 60 s, so we only configure it (timeout per attempt, maxRetries) and map what is
 * left into DomainErrors.
 *
 * The SDK's timeout stops at the response headers for streams, so chatStream adds its own idle timer:
 * no chunk for timeoutMs → UPSTREAM_TIMEOUT.
 *
 * Tools: ToolDefinitions go out as function tools (`tools`, `tool_choice`); the reply's function
 * `tool_calls` come back as ToolCalls. Streamed tool calls arrive as fragments keyed by `index` (the id
 * and name in the first, the arguments JSON split across the rest); they are assembled and emitted as
 * whole "tool_call" events, in index order, after the stream ends and before "done".
 */
import OpenAI, { toFile } from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from "openai/resources/chat/completions";
import { DomainError } from "../../platform/errors.ts";
import type { OpenAiConfig } from "../ai.settings.ts";
import type {
  AiProvider,
  CallOptions,
  ChatMessage,
  ChatRequest,
  ChatResult,
  FinishReason,
  ImageGenerator,
  ToolCall,
  Usage,
} from "../ai.types.ts";
import { approxTokens, assertEmbeddable, msSince } from "../provider-utils.ts";
import { completeStructured } from "../structured.ts";
import { toDomainError } from "./openai-errors.ts";

export interface OpenAiProviderOptions {
  openai: OpenAiConfig;
  embeddingDimensions: number;
  embeddingBatchSize: number;
  /** The submit/poll image API; without it image calls say generation is not configured. */
  image?: ImageGenerator | undefined;
  /** The HTTP client; a user's own connection gets one that reaches only public addresses. */
  fetch?: typeof fetch | undefined;
}

const imageNotConfigured: ImageGenerator = {
  submit: () => Promise.reject(new DomainError("INVALID_INPUT", "image generation is not configured")),
  status: () => Promise.reject(new DomainError("INVALID_INPUT", "image generation is not configured")),
};

function finishReasonOf(reason: string | null | undefined): FinishReason {
  return reason === "stop" || reason === "length" || reason === "content_filter" || reason === "tool_calls" ? reason : "other";
}

/** Our messages in the wire format: tool results carry tool_call_id, assistant tool calls become function calls. */
export function toOpenAiMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    if (m.role === "tool") return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
    if (m.role === "assistant" && m.toolCalls?.length) {
      return {
        role: "assistant",
        // Some compatible servers refuse null content, others an empty string with tool calls; null is the spec.
        content: m.content || null,
        tool_calls: m.toolCalls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      };
    }
    return { role: m.role, content: m.content };
  });
}

function toolCallsOf(calls: ChatCompletionMessageToolCall[] | undefined): ToolCall[] {
  return (calls ?? []).flatMap((c) =>
    c.type === "function" ? [{ id: c.id, name: c.function.name, arguments: c.function.arguments }] : [],
  );
}

/** The server's counts; estimated (≈ 4 characters a token) only when a compatible server leaves them out. */
function usageOf(usage: ChatCompletion["usage"], inputText: string, text: string): Usage {
  if (usage) return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  return { inputTokens: approxTokens(inputText), outputTokens: approxTokens(text) };
}

const textOf = (request: ChatRequest) =>
  request.messages
    .map((m) =>
      m.role === "assistant" && m.toolCalls?.length ? [m.content, ...m.toolCalls.map((c) => c.arguments)].join("\n") : m.content,
    )
    .join("\n");

export function createOpenAiProvider(options: OpenAiProviderOptions): AiProvider {
  const cfg = options.openai;
  const client = new OpenAI({
    baseURL: cfg.baseUrl,
    apiKey: cfg.apiKey,
    // Explicit so the SDK does not fall back to OPENAI_* environment variables.
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    logLevel: "warn",
    timeout: cfg.timeoutMs,
    maxRetries: cfg.maxRetries,
    ...(options.fetch && { fetch: options.fetch }),
  });
  const host = new URL(cfg.baseUrl).host;

  async function call<T>(what: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDomainError(error, { what, host, timeoutMs: cfg.timeoutMs, maxRetries: cfg.maxRetries, signal });
    }
  }

  function chatParams(request: ChatRequest, jsonMode: boolean) {
    return {
      model: request.model ?? cfg.chatModel,
      messages: toOpenAiMessages(request.messages),
      ...(request.tools?.length && {
        tools: request.tools.map((t) => ({
          type: "function" as const,
          function: { name: t.name, description: t.description, parameters: t.parameters },
        })),
        ...(request.toolChoice && { tool_choice: request.toolChoice }),
      }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.maxTokens !== undefined && { [cfg.maxTokensField]: request.maxTokens }),
      ...(jsonMode && cfg.jsonMode && { response_format: { type: "json_object" as const } }),
    };
  }

  async function complete(
    params: ChatCompletionCreateParamsNonStreaming,
    inputText: string,
    signal: AbortSignal | undefined,
  ): Promise<ChatResult> {
    const started = performance.now();
    const completion = await call(`chat model "${params.model}"`, signal, () =>
      client.chat.completions.create(params, { signal }),
    );
    const choice = completion.choices[0];
    const text = choice?.message.content ?? "";
    const toolCalls = toolCallsOf(choice?.message.tool_calls);
    return {
      text,
      model: completion.model || params.model,
      usage: usageOf(completion.usage, inputText, text + toolCalls.map((c) => c.arguments).join("")),
      latencyMs: msSince(started),
      finishReason: finishReasonOf(choice?.finish_reason),
      toolCalls,
    };
  }

  async function* chatStream(request: ChatRequest, { signal: caller }: CallOptions = {}) {
    const started = performance.now();
    const params = chatParams(request, false);
    const what = `chat model "${params.model}"`;
    const idle = new AbortController();
    const signal = caller ? AbortSignal.any([caller, idle.signal]) : idle.signal;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => idle.abort(), cfg.timeoutMs);
    };
    const timedOut = () =>
      new DomainError(
        "UPSTREAM_TIMEOUT",
        `The AI service at ${host} sent nothing for ${cfg.timeoutMs} ms in the middle of a reply.`,
      );
    let text = "";
    let model = params.model;
    let usage: ChatCompletion["usage"];
    let finish: string | null | undefined;
    let firstTokenMs: number | undefined;
    // Tool call fragments by index: the first carries id and name, later ones more of the arguments.
    const calls = new Map<number, ToolCall>();
    try {
      const stream = await call(what, caller, () =>
        client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }, { signal }),
      );
      arm();
      for await (const chunk of stream) {
        // The timer measures the server, not the consumer: it is off while the caller handles a delta.
        clearTimeout(timer);
        model = chunk.model || model;
        usage = chunk.usage ?? usage;
        const choice = chunk.choices[0];
        finish = choice?.finish_reason ?? finish;
        const delta = choice?.delta?.content;
        if (delta) {
          firstTokenMs ??= msSince(started);
          text += delta;
          yield { type: "delta" as const, text: delta };
        }
        for (const part of choice?.delta?.tool_calls ?? []) {
          const call = calls.get(part.index) ?? { id: "", name: "", arguments: "" };
          if (part.id) call.id = part.id;
          if (part.function?.name) call.name += part.function.name;
          if (part.function?.arguments) call.arguments += part.function.arguments;
          calls.set(part.index, call);
        }
        arm();
      }
    } catch (error) {
      if (idle.signal.aborted && !caller?.aborted) throw timedOut();
      throw toDomainError(error, { what, host, timeoutMs: cfg.timeoutMs, maxRetries: cfg.maxRetries, signal: caller });
    } finally {
      clearTimeout(timer);
    }
    // An aborted SDK stream just ends, so a cut-short reply is told apart here.
    caller?.throwIfAborted();
    if (idle.signal.aborted) throw timedOut();
    const toolCalls = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({
        ...call,
        // A compatible server may leave the id out; the caller still needs one to answer the call.
        id: call.id || `call_${index}`,
      }));
    for (const call of toolCalls) yield { type: "tool_call" as const, ...call };
    const latencyMs = msSince(started);
    yield {
      type: "done" as const,
      model,
      usage: usageOf(usage, textOf(request), text + toolCalls.map((c) => c.arguments).join("")),
      latencyMs,
      timeToFirstTokenMs: firstTokenMs ?? latencyMs,
      finishReason: finishReasonOf(finish),
    };
  }

  return {
    name: "openai",
    offline: false,
    image: options.image ?? imageNotConfigured,

    chat: (request, { signal } = {}) => complete(chatParams(request, false), textOf(request), signal),

    chatStream,

    structured: (request, schema, { signal } = {}) =>
      completeStructured(
        (attempt, jsonMode) => complete(chatParams(attempt, jsonMode), textOf(attempt), signal),
        request,
        schema,
      ),

    async embed(texts, { signal } = {}) {
      assertEmbeddable(texts);
      const started = performance.now();
      const what = `embedding model "${cfg.embeddingModel}"`;
      const vectors: number[][] = [];
      let model = cfg.embeddingModel;
      let inputTokens = 0;
      // Sequential batches: a big document should not burst past the provider's rate limit.
      for (let start = 0; start < texts.length; start += options.embeddingBatchSize) {
        const input = texts.slice(start, start + options.embeddingBatchSize);
        // "float" explicitly: the SDK otherwise asks for base64, which not every compatible server speaks.
        const reply = await call(what, signal, () =>
          client.embeddings.create({ model: cfg.embeddingModel, input, encoding_format: "float" }, { signal }),
        );
        const data = [...reply.data].sort((a, b) => a.index - b.index);
        if (data.length !== input.length) {
          throw new DomainError("UPSTREAM_FAILED", `The ${what} returned ${data.length} vectors for ${input.length} texts.`);
        }
        for (const { embedding } of data) {
          if (embedding.length !== options.embeddingDimensions) {
            throw new DomainError(
              "UPSTREAM_FAILED",
              `The ${what} returns ${embedding.length} dimensions but ${options.embeddingDimensions} are configured; pick a matching model or setting.`,
            );
          }
          vectors.push(embedding);
        }
        model = reply.model || model;
        inputTokens += reply.usage?.prompt_tokens ?? approxTokens(input.join("\n"));
      }
      return {
        vectors,
        model,
        usage: { inputTokens, outputTokens: 0 },
        dimensions: options.embeddingDimensions,
        latencyMs: msSince(started),
      };
    },

    async describeImage(request, { signal } = {}) {
      const url =
        "imageUrl" in request
          ? request.imageUrl
          : `data:${request.mimeType};base64,${Buffer.from(request.bytes).toString("base64")}`;
      const messages: ChatCompletionMessageParam[] = [
        {
          role: "user",
          content: [
            { type: "text", text: request.prompt },
            { type: "image_url", image_url: { url } },
          ],
        },
      ];
      const { text, model, usage, latencyMs } = await complete({ model: cfg.visionModel, messages }, request.prompt, signal);
      return { text, model, usage, latencyMs };
    },

    async transcribe(request, { signal } = {}) {
      const started = performance.now();
      const file = await toFile(request.audio, request.filename, { type: request.mimeType });
      const reply = await call(`transcription model "${cfg.transcriptionModel}"`, signal, () =>
        client.audio.transcriptions.create({ file, model: cfg.transcriptionModel }, { signal }),
      );
      return { text: reply.text, model: cfg.transcriptionModel, latencyMs: msSince(started) };
    },
  };
}
