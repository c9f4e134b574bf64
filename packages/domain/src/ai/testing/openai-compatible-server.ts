/**
 * A local OpenAI-compatible server (node:http on 127.0.0.1, a free port) for tests and benchmarks:
 * /v1/chat/completions (whole, or SSE chunks ending in `data: [DONE]`, with a usage chunk when
 * stream_options.include_usage), /v1/embeddings (float or base64) and /v1/audio/transcriptions
 * (multipart). Replies are deterministic: chat echoes the last user message (as {"echo": …} in JSON
 * mode) unless setReply says otherwise, embeddings are the offline lexical vectors. Faults, stream
 * timing and the request log come from http-kit.ts.
 *
 * Tool calling is scripted: setToolCall({ name, arguments }) makes the next completion that offers
 * tools (and does not say tool_choice "none") answer with that call (finish_reason "tool_calls"; when
 * streamed, the id and name in one chunk and the arguments in fragments of a few characters, as
 * OpenAI does). It is used once: the following request, which carries the tool result, gets a text
 * reply — setReply's, or by default "Tool result: <content of the last tool message>" when the last
 * message is a tool result. Every request body is in `requests` to check what was sent back.
 */
import type { ServerResponse } from "node:http";
import { approxTokens } from "../provider-utils.ts";
import { lexicalEmbedding } from "../providers/offline-embeddings.ts";
import { type RecordedRequest, type Sandbox, sendJson, startSandbox } from "./http-kit.ts";

type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

export interface WireToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatBody {
  model: string;
  messages: { role: string; content: string | ContentPart[] | null; tool_calls?: WireToolCall[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  response_format?: { type: string };
}

export interface OpenAiCompatibleServer extends Sandbox {
  /** Delay before the first streamed token (the headers go out at once, as real servers do). */
  setFirstTokenDelayMs(ms: number): void;
  setTokenDelayMs(ms: number): void;
  /** Replaces the echo: a fixed text, or one computed from the request (e.g. a counter). null restores the echo. */
  setReply(reply: string | ((body: ChatBody) => string) | null): void;
  /**
   * The next completion that offers tools answers with these tool call(s) instead of text (once).
   * `arguments` may be an object (sent as its JSON) or JSON text; ids default to "call_<n>". null clears it.
   */
  setToolCall(call: ScriptedToolCall | ScriptedToolCall[] | null): void;
  /** Characters per streamed fragment of tool call arguments (default 4). */
  setToolArgumentChunkSize(chars: number): void;
  /**
   * Holds every streaming text reply before its next token until `resume()`: a test can then act in the
   * middle of a reply (reload, stop) however slow the machine, instead of racing the reply's end.
   */
  pause(): void;
  resume(): void;
}

export interface ScriptedToolCall {
  name: string;
  arguments: string | Record<string, unknown>;
  id?: string;
}

const textOf = (content: string | ContentPart[] | null) =>
  content === null
    ? ""
    : typeof content === "string"
      ? content
      : content.flatMap((p) => (p.type === "text" ? [p.text] : [])).join(" ");

function echo(body: ChatBody): string {
  const lastMessage = body.messages.at(-1);
  if (lastMessage?.role === "tool") return `Tool result: ${textOf(lastMessage.content)}`;
  const last = body.messages.findLast((m) => m.role === "user");
  const said = last ? textOf(last.content) : "";
  const images = Array.isArray(last?.content) ? last.content.filter((p) => p.type === "image_url").length : 0;
  const reply = `You said: ${said}${images ? ` (with ${images} image${images > 1 ? "s" : ""})` : ""}`;
  return body.response_format?.type === "json_object" ? JSON.stringify({ echo: reply }) : reply;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startOpenAiCompatibleServer(
  options: { embeddingDimensions?: number } = {},
): Promise<OpenAiCompatibleServer> {
  let firstTokenDelayMs = 0;
  let tokenDelayMs = 0;
  let reply: ((body: ChatBody) => string) | null = null;
  let scripted: WireToolCall[] | null = null;
  let toolCallCount = 0;
  let argumentChunk = 4;
  let paused: { promise: Promise<void>; resume: () => void } | null = null;

  async function toolCallReply(res: ServerResponse, body: ChatBody, id: string, created: number, calls: WireToolCall[]) {
    const usage = {
      prompt_tokens: approxTokens(body.messages.map((m) => textOf(m.content)).join("\n")),
      completion_tokens: approxTokens(calls.map((c) => c.function.name + c.function.arguments).join("")),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const finish_reason = "tool_calls";
    if (!body.stream) {
      const message = { role: "assistant", content: null, tool_calls: calls };
      return sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [{ index: 0, message, finish_reason }],
        usage,
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (choices: unknown[], extra = {}) =>
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices, ...extra })}\n\n`,
      );
    let first = true;
    for (const [index, call] of calls.entries()) {
      await sleep(first ? firstTokenDelayMs : tokenDelayMs);
      if (res.destroyed) return;
      const head = { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } };
      send([
        { index: 0, delta: { ...(first && { role: "assistant", content: null }), tool_calls: [head] }, finish_reason: null },
      ]);
      first = false;
      const args = call.function.arguments;
      for (let at = 0; at < args.length; at += argumentChunk) {
        await sleep(tokenDelayMs);
        if (res.destroyed) return;
        const part = { index, function: { arguments: args.slice(at, at + argumentChunk) } };
        send([{ index: 0, delta: { tool_calls: [part] }, finish_reason: null }]);
      }
    }
    send([{ index: 0, delta: {}, finish_reason }]);
    if (body.stream_options?.include_usage) send([], { usage });
    res.end("data: [DONE]\n\n");
  }

  async function chat(res: ServerResponse, record: RecordedRequest, body: ChatBody) {
    const id = `chatcmpl-${record.at}`;
    const created = Math.floor(Date.now() / 1000);
    if (scripted && body.tools?.length && body.tool_choice !== "none") {
      const calls = scripted;
      scripted = null;
      return toolCallReply(res, body, id, created, calls);
    }
    const limit = body.max_completion_tokens ?? body.max_tokens;
    const words = (reply ?? echo)(body).split(/(?<=\s)(?=\S)/);
    const tokens = limit === undefined ? words : words.slice(0, limit);
    const finish_reason = tokens.length < words.length ? "length" : "stop";
    const usage = {
      prompt_tokens: approxTokens(body.messages.map((m) => textOf(m.content)).join("\n")),
      completion_tokens: tokens.length,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!body.stream) {
      const message = { role: "assistant", content: tokens.join("") };
      return sendJson(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [{ index: 0, message, finish_reason }],
        usage,
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (choices: unknown[], extra = {}) =>
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices, ...extra })}\n\n`,
      );
    for (const [i, token] of tokens.entries()) {
      await sleep(i === 0 ? firstTokenDelayMs : tokenDelayMs);
      if (paused) await paused.promise;
      if (res.destroyed) return;
      send([{ index: 0, delta: i === 0 ? { role: "assistant", content: token } : { content: token }, finish_reason: null }]);
    }
    send([{ index: 0, delta: {}, finish_reason }]);
    if (body.stream_options?.include_usage) send([], { usage });
    res.end("data: [DONE]\n\n");
  }

  function embeddings(
    res: ServerResponse,
    body: { model: string; input: string | string[]; encoding_format?: string; dimensions?: number },
  ) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dimensions = body.dimensions ?? options.embeddingDimensions ?? 1536;
    const data = inputs.map((text, index) => {
      const vector = lexicalEmbedding(text, dimensions);
      const embedding =
        body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
      return { object: "embedding", index, embedding };
    });
    const prompt_tokens = approxTokens(inputs.join("\n"));
    sendJson(res, 200, { object: "list", data, model: body.model, usage: { prompt_tokens, total_tokens: prompt_tokens } });
  }

  const sandbox = await startSandbox(async (req, res, record, raw) => {
    const route = `${record.method} ${record.path}`;
    if (route === "POST /v1/chat/completions") return chat(res, record, record.body as ChatBody);
    if (route === "POST /v1/embeddings") return embeddings(res, record.body as Parameters<typeof embeddings>[1]);
    if (route === "POST /v1/audio/transcriptions") {
      const form = await new Request("http://sandbox/", {
        method: "POST",
        headers: { "content-type": req.headers["content-type"] ?? "" },
        body: new Uint8Array(raw),
      }).formData();
      const file = form.get("file");
      if (!(file instanceof File)) return sendJson(res, 400, { error: { message: "file is required" } });
      record.body = { model: form.get("model"), filename: file.name, type: file.type, size: file.size };
      return sendJson(res, 200, { text: `Transcript of ${file.name} (${file.type}, ${file.size} bytes).` });
    }
    sendJson(res, 404, { error: { message: `Unknown route ${route}`, type: "invalid_request_error" } });
  }, "/v1");

  return {
    ...sandbox,
    setFirstTokenDelayMs: (ms) => {
      firstTokenDelayMs = ms;
    },
    setTokenDelayMs: (ms) => {
      tokenDelayMs = ms;
    },
    pause: () => {
      if (paused) return;
      let resume = () => {};
      const promise = new Promise<void>((r) => {
        resume = r;
      });
      paused = { promise, resume };
    },
    resume: () => {
      paused?.resume();
      paused = null;
    },
    setReply: (next) => {
      reply = typeof next === "string" ? () => next : next;
    },
    setToolCall: (next) => {
      if (next === null) {
        scripted = null;
        return;
      }
      scripted = (Array.isArray(next) ? next : [next]).map((c) => ({
        id: c.id ?? `call_${++toolCallCount}`,
        type: "function" as const,
        function: { name: c.name, arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments) },
      }));
    },
    setToolArgumentChunkSize: (chars) => {
      argumentChunk = Math.max(1, Math.floor(chars));
    },
  };
}
