/**
 * Offline tool calling: a fixed rule instead of a model, so tests and keyless development can drive the
 * whole tool loop (request → tool call → tool result → answer).
 *
 * When does it call a tool? Only when the request offers tools, toolChoice is not "none", and the last
 * message is the user's. The tools are tried in the order given; the first one the message mentions is
 * called (one call per turn). A tool is mentioned when the message contains, as whole words and
 * ignoring case and a plural "s":
 * - its name, as written ("get_weather") or as words ("get weather"), or
 * - a trigger word: a part of its name ("weather"), or a word of its description, of at least 4
 *   letters that is not a common word (TOO_COMMON: generic verbs such as get/find/search/return and
 *   filler such as "the", "current", "given", "user").
 *
 * Arguments come from the tool's JSON Schema, for the required properties only (and any with a default):
 * `default` if given, else the first `enum` value; strings are filled from the message — a quoted phrase
 * ("…" or '…') if there is one; for location-like names (city, location, place, country, where) the
 * capitalised words after "in" / "for" / "at"; else the whole message (trimmed, at most 200 characters);
 * numbers/integers take the first number in the message (else the minimum, else 1); booleans false;
 * arrays []; objects are filled recursively. The call id is "call_" + a hash of the tool and message.
 *
 * After a tool result (the last message has role "tool") the answer is text built from the result(s):
 * "Here is what <tool> returned: <content>" for each result since the assistant's tool calls.
 */
import type { ChatMessage, ChatRequest, ToolCall, ToolDefinition } from "../ai.types.ts";
import { fnv1a } from "./fnv1a.ts";

const TOO_COMMON = new Set(
  (
    "about above after again all also and any are based been before being both but call calls can " +
    "check create current data delete does each fetch find for from get gets given have help into " +
    "its just list look lookup make more most must need only other over query read remove return " +
    "returns run search set should show some such than that the their them then there these they " +
    "this those tool update use used user users using very want what when where which while will " +
    "with within would write your"
  ).split(" "),
);

const singular = (word: string) => (word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word);

const words = (text: string) =>
  text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9']+/)
    .map((w) => w.replace(/^'+|'+$/g, "").replace(/'s$/, ""))
    .filter(Boolean);

/** The words of a tool that make a message mention it (see the module comment). */
export function toolTriggers(tool: ToolDefinition): string[] {
  const fromName = words(tool.name).filter((w) => w.length >= 3 && !TOO_COMMON.has(w));
  const fromDescription = words(tool.description).filter((w) => w.length >= 4 && !TOO_COMMON.has(w));
  return [...new Set([...fromName, ...fromDescription].map(singular))];
}

export function mentionsTool(message: string, tool: ToolDefinition): boolean {
  const lower = message.toLowerCase();
  const name = tool.name.toLowerCase();
  const asWords = words(tool.name).join(" ");
  const said = new Set(words(message).map(singular));
  const phrase = (p: string) =>
    p !== "" && new RegExp(`(^|[^a-z0-9_])${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^a-z0-9_])`).test(lower);
  return phrase(name) || phrase(asWords) || toolTriggers(tool).some((t) => said.has(t));
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  items?: Schema;
};

const LOCATION = /^(city|location|place|country|where|town|region)$/i;

function stringFrom(message: string, field: string): string {
  const quoted = /"([^"]+)"|“([^”]+)”|'([^']{2,})'/.exec(message);
  if (quoted) return (quoted[1] ?? quoted[2] ?? quoted[3]) as string;
  if (LOCATION.test(field)) {
    const place = /\b(?:in|for|at)\s+((?:[A-Z][\p{L}'-]*)(?:\s+[A-Z][\p{L}'-]*)*)/u.exec(message);
    if (place) return place[1] as string;
  }
  return message.trim().slice(0, 200);
}

function valueFor(schema: Schema, field: string, message: string): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "number":
    case "integer": {
      const n = /-?\d+(?:\.\d+)?/.exec(message);
      const value = n ? Number(n[0]) : (schema.minimum ?? 1);
      return type === "integer" ? Math.trunc(value) : value;
    }
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return objectFor(schema, message);
    case "null":
      return null;
    default:
      return stringFrom(message, field);
  }
}

function objectFor(schema: Schema, message: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    if (required.has(field) || property.default !== undefined) out[field] = valueFor(property, field, message);
  }
  return out;
}

/** The arguments (as an object) the offline rule fills for this tool from this message. */
export function argumentsFor(tool: ToolDefinition, message: string): Record<string, unknown> {
  return objectFor(tool.parameters as Schema, message);
}

/** The tool call the offline rule makes for this request, or null to answer in text. */
export function offlineToolCall(request: ChatRequest): ToolCall | null {
  if (!request.tools?.length || request.toolChoice === "none") return null;
  const last = request.messages.at(-1);
  if (last?.role !== "user") return null;
  const tool = request.tools.find((t) => mentionsTool(last.content, t));
  if (!tool) return null;
  return {
    id: `call_${fnv1a(`${tool.name}\n${last.content}`).toString(36)}`,
    name: tool.name,
    arguments: JSON.stringify(argumentsFor(tool, last.content)),
  };
}

/** When the last message is a tool result: text that uses every result since the assistant's calls. */
export function offlineToolAnswer(messages: ChatMessage[]): string | null {
  if (messages.at(-1)?.role !== "tool") return null;
  const start = messages.findLastIndex((m) => m.role !== "tool");
  const asker = messages[start];
  const names = new Map((asker?.role === "assistant" ? (asker.toolCalls ?? []) : []).map((c) => [c.id, c.name]));
  return messages
    .slice(start + 1)
    .flatMap((m) =>
      m.role === "tool" ? [`Here is what ${names.get(m.toolCallId) ?? "the tool"} returned: ${m.content.trim()}`] : [],
    )
    .join("\n\n");
}
