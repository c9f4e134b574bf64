import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest, ChatStreamEvent, ToolDefinition } from "../ai.types.ts";
import { createOfflineProvider } from "./offline.ts";
import { argumentsFor, mentionsTool, toolTriggers } from "./offline-tools.ts";

const ai = createOfflineProvider({ embeddingDimensions: 8 });

const weather: ToolDefinition = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: {
    type: "object",
    properties: {
      city: { type: "string" },
      unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      days: { type: "integer" },
    },
    required: ["city", "unit"],
  },
};
const notes: ToolDefinition = {
  name: "searchNotes",
  description: "Search the user's saved notes",
  parameters: {
    type: "object",
    properties: { query: { type: "string" }, limit: { type: "integer", default: 5 } },
    required: ["query"],
  },
};

const user = (content: string, tools = [weather, notes]): ChatRequest => ({ messages: [{ role: "user", content }], tools });

async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("offline provider: tool calling", () => {
  it("reads trigger words from the name and description", () => {
    expect(toolTriggers(weather)).toEqual(["weather", "city"]);
    expect(toolTriggers(notes)).toEqual(["note", "saved"]);
    expect(mentionsTool("call get_weather please", weather)).toBe(true);
    expect(mentionsTool("Is it raining?", weather)).toBe(false);
    expect(mentionsTool("find my NOTES on sourdough", notes)).toBe(true);
  });

  it("calls the mentioned tool with arguments from its schema and the message", async () => {
    const result = await ai.chat(user("What's the weather in Lisbon today?"));
    expect(result.finishReason).toBe("tool_calls");
    expect(result.text).toBe("");
    expect(result.toolCalls).toHaveLength(1);
    const [call] = result.toolCalls;
    expect(call?.name).toBe("get_weather");
    expect(call?.id).toMatch(/^call_[0-9a-z]+$/);
    expect(JSON.parse(call?.arguments ?? "")).toEqual({ city: "Lisbon", unit: "celsius" });
    expect((await ai.chat(user("What's the weather in Lisbon today?"))).toolCalls).toEqual(result.toolCalls);
  });

  it("fills strings from a quoted phrase, else the message; defaults and numbers from the schema", () => {
    expect(argumentsFor(notes, 'Look through my notes for "sourdough starter"')).toEqual({
      query: "sourdough starter",
      limit: 5,
    });
    expect(argumentsFor(notes, "  check my notes about bees ")).toEqual({ query: "check my notes about bees", limit: 5 });
    const numeric: ToolDefinition = {
      name: "roll",
      description: "Roll dice",
      parameters: {
        type: "object",
        properties: { sides: { type: "integer", minimum: 2 }, loud: { type: "boolean" } },
        required: ["sides", "loud"],
      },
    };
    expect(argumentsFor(numeric, "roll a 20 sided die")).toEqual({ sides: 20, loud: false });
    expect(argumentsFor(numeric, "roll please")).toEqual({ sides: 2, loud: false });
  });

  it("answers in text when no tool is mentioned, tools are off, or toolChoice is none", async () => {
    const plain = await ai.chat(user("Write a tweet about sourdough"));
    expect(plain).toMatchObject({ finishReason: "stop", toolCalls: [] });
    expect(plain.text.length).toBeGreaterThan(10);
    expect((await ai.chat({ ...user("weather in Lisbon?"), toolChoice: "none" })).toolCalls).toEqual([]);
    expect((await ai.chat({ messages: [{ role: "user", content: "weather in Lisbon?" }] })).toolCalls).toEqual([]);
  });

  it("uses the tool result after a tool message", async () => {
    const first = await ai.chat(user("weather in Lisbon?"));
    const messages: ChatMessage[] = [
      { role: "user", content: "weather in Lisbon?" },
      { role: "assistant", content: "", toolCalls: first.toolCalls },
      { role: "tool", toolCallId: first.toolCalls[0]?.id ?? "", content: "21°C and sunny" },
    ];
    const answer = await ai.chat({ messages, tools: [weather] });
    expect(answer).toMatchObject({
      text: "Here is what get_weather returned: 21°C and sunny",
      toolCalls: [],
      finishReason: "stop",
    });
  });

  it("streams a tool call as one tool_call event before done, and the answer word by word", async () => {
    const events = await collect(ai.chatStream(user("weather in Lisbon?")));
    expect(events.map((e) => e.type)).toEqual(["tool_call", "done"]);
    expect(events[0]).toMatchObject({ name: "get_weather" });
    expect(events[1]).toMatchObject({ finishReason: "tool_calls" });
    const call = events[0] as Extract<ChatStreamEvent, { type: "tool_call" }>;
    const after = await collect(
      ai.chatStream({
        messages: [
          { role: "user", content: "weather in Lisbon?" },
          { role: "assistant", content: "", toolCalls: [{ id: call.id, name: call.name, arguments: call.arguments }] },
          { role: "tool", toolCallId: call.id, content: "rain" },
        ],
      }),
    );
    expect(after.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("")).toBe("Here is what get_weather returned: rain");
  });
});
