/**
 * Structured output without a model: the zod schema is walked as JSON Schema (zod's own export, so
 * objects, arrays, tuples, records, enums, literals, unions, nullables, string formats and numeric
 * bounds all arrive in one documented shape) and filled from the brief — titles from the topic,
 * questions and sentences from its keywords and cited snippets, array sizes from "5 questions". The
 * result is then validated by the schema itself; what cannot be met (a custom regex, a refine) fails
 * as UPSTREAM_FAILED rather than returning something invalid.
 */
import { z } from "zod";
import { DomainError } from "../../platform/errors.ts";
import { toJsonSchema } from "../structured.ts";
import { fnv1a } from "./fnv1a.ts";
import type { Brief } from "./offline-brief.ts";
import { capitalise, sentence } from "./offline-text.ts";

interface Node {
  type?: string | string[];
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  propertyNames?: Node;
  items?: Node | boolean;
  prefixItems?: Node[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Node[];
  oneOf?: Node[];
  allOf?: Node[];
  $ref?: string;
  $defs?: Record<string, Node>;
}

/** Optional properties are filled near the top only, and recursion (via $ref) bottoms out in empty arrays. */
const OPTIONAL_DEPTH = 2;
const RECURSION_DEPTH = 6;
const DEFAULT_ITEMS = 3;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "item";

export function buildStructured<T>(schema: z.ZodType<T>, brief: Brief): T {
  const root = toJsonSchema(schema) as Node;
  const hash = (path: string[], salt = "") => fnv1a(`${path.join(".")}${salt}`, brief.seed);
  const keyword = (i: number) => brief.keywords[i % Math.max(1, brief.keywords.length)] ?? brief.topic;
  const fieldOf = (path: string[]) => path.findLast((p) => !/^\d+$/.test(p))?.toLowerCase() ?? "";
  const indices = (path: string[]) => path.filter((p) => /^\d+$/.test(p)).map(Number);
  /** The item's place in its own array. */
  const indexOf = (path: string[]) => indices(path).at(-1) ?? 0;
  /** Varies with every enclosing array too, so the options of question 2 differ from those of question 1. */
  const variantOf = (path: string[]) => indices(path).reduce((a, b) => a + b, 0);

  const resolve = (ref: string): Node => (ref === "#" ? root : (root.$defs?.[ref.replace(/^#\/\$defs\//, "")] ?? ({} as Node)));

  function formatted(format: string | undefined, path: string[]): string | undefined {
    const hex = [1, 2, 3, 4].map((n) => hash(path, `#${n}`).toString(16).padStart(8, "0")).join("");
    switch (format) {
      case "email":
        return `${slug(keyword(variantOf(path)))}@example.com`;
      case "uuid":
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
      case "uri":
      case "url":
        return `https://example.com/${slug(keyword(variantOf(path)))}`;
      case "date-time":
        return "2024-01-01T00:00:00.000Z";
      case "date":
        return "2024-01-01";
      case "time":
        return "00:00:00";
      case "duration":
        return "P1D";
      case "ipv4":
        return "192.0.2.1";
      case "ipv6":
        return "2001:db8::1";
      default:
        return undefined;
    }
  }

  function text(path: string[]): string {
    const field = fieldOf(path);
    const i = variantOf(path);
    if (/title|name|heading|headline|label|subject|topic|term|front/.test(field)) {
      return i === 0 ? capitalise(brief.topic) : `${capitalise(keyword(i))} and ${keyword(i + 1)}`;
    }
    if (/question|prompt/.test(field)) return `What should you know about ${keyword(i)} in ${brief.topic}?`;
    if (/option|choice|distractor/.test(field)) return `${String.fromCharCode(65 + (indexOf(path) % 26))}: ${keyword(i)}`;
    if (/tag|keyword|category/.test(field)) return slug(keyword(i));
    if (/url|link|href|website/.test(field)) return `https://example.com/${slug(keyword(i))}`;
    if (/email/.test(field)) return `${slug(keyword(i))}@example.com`;
    if (/^(id|slug|key|code|handle)$/.test(field)) return `${slug(keyword(i))}-${i + 1}`;
    if (/colou?r/.test(field)) return `#${hash(path).toString(16).padStart(6, "0").slice(0, 6)}`;
    return sentence(brief, i);
  }

  function string(node: Node, path: string[]): string {
    let value = formatted(node.format, path) ?? text(path);
    const min = node.minLength ?? 0;
    // Padding adds at least two characters a round, so this ends.
    for (let j = 0; value.length < min; j++) value += ` ${keyword(j)}`;
    if (node.maxLength !== undefined && value.length > node.maxLength) {
      const head = value.slice(0, node.maxLength);
      const space = head.lastIndexOf(" ");
      value = space >= Math.max(min, 1) && space > node.maxLength / 2 ? head.slice(0, space) : head;
    }
    return value;
  }

  function number(node: Node, path: string[], integer: boolean): number {
    const step = integer ? 1 : 0;
    let lo = node.minimum ?? (node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + step : Number.NEGATIVE_INFINITY);
    let hi = node.maximum ?? (node.exclusiveMaximum !== undefined ? node.exclusiveMaximum - step : Number.POSITIVE_INFINITY);
    if (integer) [lo, hi] = [Math.ceil(lo), Math.floor(hi)];
    // Prefer small everyday numbers (0–100) inside the bounds.
    let a = Math.max(lo, 0);
    let b = Math.min(hi, a + 100);
    if (a > b) [a, b] = [Math.max(lo, hi - 100), hi];
    const fraction = hash(path) / 2 ** 32;
    if (node.multipleOf) {
      const first = Math.ceil(a / node.multipleOf) * node.multipleOf;
      const steps = Math.max(0, Math.floor((b - first) / node.multipleOf));
      return first + node.multipleOf * Math.floor(fraction * (steps + 1));
    }
    if (integer) return a + Math.floor(fraction * (b - a + 1));
    // Strictly inside, so exclusive bounds hold; two decimals when the range allows.
    const value = a + (b - a) * (0.1 + 0.8 * fraction);
    const rounded = Math.round(value * 100) / 100;
    return rounded > a && rounded < b ? rounded : value;
  }

  function array(node: Node, path: string[], depth: number): unknown[] {
    if (node.prefixItems) return node.prefixItems.map((item, i) => build(item, [...path, String(i)], depth + 1));
    const field = fieldOf(path).replace(/s$/, "");
    const hinted = [...brief.counts].find(([noun]) => {
      const n = noun.replace(/s$/, "");
      return field.length >= 3 && n.length >= 3 && (n.includes(field) || field.includes(n));
    })?.[1];
    const wanted = depth > RECURSION_DEPTH ? 0 : Math.min(hinted ?? DEFAULT_ITEMS, 50);
    const count = Math.min(Math.max(wanted, node.minItems ?? 0), node.maxItems ?? Number.POSITIVE_INFINITY);
    const item = typeof node.items === "object" ? node.items : {};
    return Array.from({ length: count }, (_, i) => build(item, [...path, String(i)], depth + 1));
  }

  function object(node: Node, path: string[], depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const required = new Set(node.required ?? []);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (required.has(key) || depth < OPTIONAL_DEPTH) out[key] = build(child, [...path, key], depth + 1);
    }
    // A record: every key of an enum-keyed one (zod wants them all), else one entry.
    if (typeof node.additionalProperties === "object" && !node.properties) {
      const keys = node.propertyNames?.enum ?? [slug(keyword(0))];
      for (const key of keys) out[String(key)] = build(node.additionalProperties, [...path, String(key)], depth + 1);
    }
    return out;
  }

  function build(node: Node, path: string[], depth: number): unknown {
    if (depth > RECURSION_DEPTH * 4) return null;
    if (node.$ref) return build(resolve(node.$ref), path, depth + 1);
    if ("const" in node) return node.const;
    if (node.enum) return node.enum[hash(path) % node.enum.length];
    const options = node.anyOf ?? node.oneOf;
    if (options) return build(options.find((o) => o.type !== "null") ?? options[0] ?? {}, path, depth);
    if (node.allOf) {
      // An intersection: one node with every part's constraints and properties.
      const merged: Node = { properties: {}, required: [] };
      for (const part of node.allOf) {
        const { properties, required, ...rest } = part;
        Object.assign(merged, rest);
        Object.assign(merged.properties as object, properties);
        merged.required?.push(...(required ?? []));
      }
      return build(merged, path, depth);
    }
    const type = Array.isArray(node.type) ? (node.type.find((t) => t !== "null") ?? "null") : node.type;
    switch (type) {
      case "object":
        return object(node, path, depth);
      case "array":
        return array(node, path, depth);
      case "integer":
      case "number":
        return number(node, path, type === "integer");
      case "boolean":
        return hash(path) % 2 === 0;
      case "null":
        return null;
      default:
        // Strings, and unconstrained values ("any"), get text.
        return string(node, path);
    }
  }

  const parsed = schema.safeParse(build(root, [], 0));
  if (parsed.success) return parsed.data;
  throw new DomainError(
    "UPSTREAM_FAILED",
    `The offline provider cannot make a value for this schema: ${z.prettifyError(parsed.error).slice(0, 500)}`,
  );
}
