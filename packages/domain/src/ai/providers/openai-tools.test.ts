import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAiProvider } from "../ai.config.ts";
import type { AiProvider, ChatMessage, ChatStreamEvent, ToolDefinition } from "../ai.types.ts";
import { type ChatBody, type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "../testing/openai-compatible-server.ts";

let server: OpenAiCompatibleServer;
const provider = (): AiProvider =>
  createAiProvider({
    provider: "openai",
    openai: { baseUrl: server.url, apiKey: "sk-test-tools", chatModel: "test-chat", timeoutMs: 5000, maxRetries: 0 },
    embeddingDimensions: 8,
  });

const weather: ToolDefinition = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const ask: ChatMessage[] = [{ role: "user", content: "What's the weather in Lisbon?" }];

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

beforeAll(async () => {
  server = await startOpenAiCompatibleServer();
});
afterAll(() => server.stop());
afterEach(() => {
  server.requests.length = 0;
  server.setToolCall(null);
  server.setReply(null);
  server.setToolArgumentChunkSize(4);
});

describe("openai provider: tool calling", () => {
  it("sends tools and tool_choice, returns the call, then sends the result back and gets text", async () => {
    server.setToolCall({ name: "get_weather", arguments: { city: "Lisbon" }, id: "call_abc" });
    const ai = provider();
    const first = await ai.chat({ messages: ask, tools: [weather], toolChoice: "auto" });
    expect(first).toMatchObject({
      text: "",
      finishReason: "tool_calls",
      toolCalls: [{ id: "call_abc", name: "get_weather", arguments: '{"city":"Lisbon"}' }],
    });
    const sent = server.requests[0]?.body as ChatBody;
    expect(sent.tools).toEqual([
      {
        type: "function",
        function: { name: "get_weather", description: "Current weather for a city", parameters: weather.parameters },
      },
    ]);
    expect(sent.tool_choice).toBe("auto");

    const followUp: ChatMessage[] = [
      ...ask,
      { role: "assistant", content: first.text, toolCalls: first.toolCalls },
      { role: "tool", toolCallId: "call_abc", content: "21°C and sunny" },
    ];
    const second = await ai.chat({ messages: followUp, tools: [weather] });
    expect(second).toMatchObject({ text: "Tool result: 21°C and sunny", finishReason: "stop", toolCalls: [] });
    const back = (server.requests[1]!.body as ChatBody).messages;
    expect(back.slice(1)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_abc", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } }],
      },
      { role: "tool", tool_call_id: "call_abc", content: "21°C and sunny" },
    ]);
  });

  it("assembles streamed argument fragments into whole tool_call events before done", async () => {
    server.setToolArgumentChunkSize(3);
    server.setToolCall([
      { name: "get_weather", arguments: { city: "Lisbon", unit: "celsius" } },
      { name: "get_weather", arguments: { city: "Porto" } },
    ]);
    const events = await collect(provider().chatStream({ messages: ask, tools: [weather] }));
    expect(events.filter((e) => e.type === "delta")).toEqual([]);
    const calls = events.filter((e) => e.type === "tool_call");
    expect(calls).toMatchObject([
      { type: "tool_call", name: "get_weather", arguments: '{"city":"Lisbon","unit":"celsius"}' },
      { type: "tool_call", name: "get_weather", arguments: '{"city":"Porto"}' },
    ]);
    expect(calls[0]?.type === "tool_call" && calls[0].id).toMatch(/^call_/);
    expect(events.at(-1)).toMatchObject({ type: "done", finishReason: "tool_calls" });
    expect(events.findIndex((e) => e.type === "done")).toBe(events.length - 1);
    expect((server.requests[0]!.body as ChatBody).stream).toBe(true);
  });

  it("answers in text when no tool call is scripted, or the request says toolChoice none", async () => {
    const plain = await provider().chat({ messages: ask, tools: [weather] });
    expect(plain).toMatchObject({ text: "You said: What's the weather in Lisbon?", toolCalls: [], finishReason: "stop" });
    server.setToolCall({ name: "get_weather", arguments: "{}" });
    const none = await provider().chat({ messages: ask, tools: [weather], toolChoice: "none" });
    expect(none.toolCalls).toEqual([]);
    expect((server.requests[1]!.body as ChatBody).tool_choice).toBe("none");
  });

  it("leaves tools out of requests without them", async () => {
    await provider().chat({ messages: ask });
    expect(server.requests[0]?.body).not.toHaveProperty("tools");
    expect(server.requests[0]?.body).not.toHaveProperty("tool_choice");
  });
});
