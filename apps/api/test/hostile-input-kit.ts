/**
 * The hostile-input sweep (hostile-input.test.ts says what it sends and expects), shared by its three
 * files, one per way of calling: anonymous, a session cookie, a bearer token.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { identity } from "@inkwell/domain/identity";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "../src/router.ts";
import { SESSION_COOKIE } from "../src/trpc/context.ts";
import type { Meta } from "../src/trpc/init.ts";
import { type Harness, startHarness } from "./harness.ts";

type ProcedureType = "query" | "mutation" | "subscription";
export type AnyProcedure = { _def: { type: ProcedureType; inputs: z.ZodType[]; meta?: Meta } };
export const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;

/** Calls that end the caller's session: sent last, so the rest of the sweep runs signed in. */
const SESSION_ENDING = new Set(["auth.signOut", "auth.signOutEverywhere"]);
/** The test users' password differs from the one samples carry, so auth.changePassword never succeeds. */
const PASSWORD = "hostile sweep passphrase 42";
export const REQUEST_BOUND_MS = 5_000;
const CONCURRENCY = 4;

let h: Harness;
let server: ReturnType<typeof serve>;
export let base: string;
let cookieUser: { token: string };
let bearerAdmin: { token: string; me: { id: string } };

/**
 * What the administrator's samples published to everyone (announcements, site settings such as the
 * maintenance message), removed: the run's other files share this database and its banner. Only rows
 * this sweep's administrator made or last changed are touched.
 */
async function undoSiteWideChanges() {
  if (!bearerAdmin) return;
  await h.raw(sql`DELETE FROM announcements WHERE created_by = ${bearerAdmin.me.id}`);
  await h.raw(sql`DELETE FROM admin_config WHERE updated_by = ${bearerAdmin.me.id}`);
}
/** Serves the app on a real port and signs up the ordinary user and the administrator the sweeps send as. */
export function useHostileServer() {
  beforeAll(async () => {
    h = await startHarness();
    server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cookieUser = await h.signUp("hostile-cookie", PASSWORD);
    const admin = await h.signUp("hostile-admin", PASSWORD);
    await identity.grantAdmin(h.db, admin.email);
    bearerAdmin = admin;
  });
  afterAll(async () => {
    await undoSiteWideChanges();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.stop();
  });
}

// ---------------------------------------------------------------------------------------------------
// A valid-looking sample for each input, from the zod schema's JSON Schema (zod's own introspection).

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};

const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

function sampleOf(schema: JsonSchema, defs: Record<string, JsonSchema>, key: string, depth = 0): unknown {
  if (depth > 8) return null;
  if (schema.$ref) return sampleOf(defs[schema.$ref.split("/").pop() as string] ?? {}, defs, key, depth + 1);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const options = schema.anyOf ?? schema.oneOf;
  if (options) {
    const option = options.find((o) => o.type !== "null") ?? options[0] ?? {};
    return sampleOf(option, defs, key, depth + 1);
  }
  if (schema.allOf?.[0]) return sampleOf(schema.allOf[0], defs, key, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string":
      return stringSample(schema, key);
    case "integer":
    case "number":
      return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? Number.MAX_SAFE_INTEGER);
    case "boolean":
      return true;
    case "array":
      return Array.from({ length: Math.max(schema.minItems ?? 1, 1) }, () => sampleOf(schema.items ?? {}, defs, key, depth + 1));
    case "object": {
      if (schema.properties) {
        return Object.fromEntries(
          Object.entries(schema.properties).map(([k, s]) => [k, sampleOf(s, defs, k, depth + 1)] as const),
        );
      }
      if (typeof schema.additionalProperties === "object")
        return { key: sampleOf(schema.additionalProperties, defs, key, depth + 1) };
      return {};
    }
    case "null":
      return null;
    default:
      // Unrepresentable in JSON Schema (dates, custom types): an ISO time reads as a date, and as text.
      return "2030-01-01T09:00:00.000Z";
  }
}

function stringSample(schema: JsonSchema, key: string): string {
  if (schema.format === "uuid") return crypto.randomUUID();
  if (schema.format === "email" || /email/i.test(key)) return h.uniqueEmail("sample");
  // A private address: whatever stores or checks it, nothing is ever fetched from the internet.
  if (schema.format === "uri" || /url|site/i.test(key)) return "https://127.0.0.1/";
  if (schema.format === "date-time") return "2030-01-01T09:00:00.000Z";
  if (schema.pattern?.includes("\\d{4}-\\d{2}-\\d{2}T")) return "2030-01-01T09:00";
  if (/password/i.test(key)) return "sample passphrase that is long";
  if (/base64/i.test(key)) return PNG_BASE64;
  if (/timezone/i.test(key)) return "Europe/Paris";
  if (/filename/i.test(key)) return "sample.png";
  const text = "Sample text for the sweep";
  return text.padEnd(schema.minLength ?? 0, "x").slice(0, schema.maxLength ?? text.length);
}

export function inputSample(procedure: AnyProcedure): unknown {
  const schema = procedure._def.inputs[0];
  if (!schema) return undefined;
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return sampleOf(json, json.$defs ?? {}, "");
}

// ---------------------------------------------------------------------------------------------------
// Hostile variants of a sample: each field replaced in turn, and the input as a whole.

type Path = (string | number)[];
interface Slot {
  path: Path;
  value: unknown;
}

/** Every field of the sample (arrays: their first element), containers included. */
function slotsOf(value: unknown, path: Path = []): Slot[] {
  const slots: Slot[] = path.length > 0 ? [{ path, value }] : [];
  if (Array.isArray(value)) {
    if (value.length > 0) slots.push(...slotsOf(value[0], [...path, 0]));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) slots.push(...slotsOf(v, [...path, k]));
  }
  return slots;
}

function withValue(sample: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(sample);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return copy;
}

/** Deep nesting is spliced in as text: JSON.stringify itself recurses. */
const DEEP = "__hostile_deep__";
const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const encode = (input: unknown) =>
  input === undefined ? undefined : JSON.stringify(input).replace(`"${DEEP}"`, deepJson(10_000));

const HOSTILE_STRINGS: Record<string, string> = {
  nul: "a\u0000b\u0000",
  "lone surrogate": "x\ud800y",
  "1M characters": "x".repeat(1_000_000),
};

function wrongType(value: unknown): unknown {
  if (typeof value === "string") return 12345;
  if (typeof value === "number" || typeof value === "boolean") return "not a number";
  if (Array.isArray(value)) return { 0: "not an array" };
  return "not an object";
}

interface Variant {
  name: string;
  /** The JSON text of the input, or undefined for none; built when sent (some are megabytes). */
  json: () => string | undefined;
}

/** A huge array's element: the field's own first element when it is a plain value, else an empty object. */
const elementOf = (array: unknown[]) => (array[0] !== null && typeof array[0] === "object" ? {} : (array[0] ?? "x"));

/**
 * The variants of a procedure's input. `fieldByField` false gives only the whole-input ones: for a
 * caller refused before the schema runs (anonymous on a user procedure, a user on an admin one), what
 * is inside the fields makes no difference past the edge checks, which the whole-input ones exercise.
 */
export function variantsOf(sample: unknown, fieldByField = true): Variant[] {
  const variants: Variant[] = [
    { name: "the sample", json: () => encode(sample) },
    { name: "no input", json: () => undefined },
    { name: "null", json: () => "null" },
    { name: "a string", json: () => '"not an object"' },
    { name: "a number", json: () => "42" },
    { name: "an empty array", json: () => "[]" },
    { name: "10k-deep nesting", json: () => deepJson(10_000) },
    { name: "a 100k-element array", json: () => `[${"0,".repeat(99_999)}0]` },
  ];
  const slots = slotsOf(sample);
  if (!fieldByField) slots.length = 0;
  // Every string NUL-laden at once: the form a sloppy client would send.
  variants.push({
    name: "every string NUL-laden",
    json: () => {
      let allNul = sample;
      for (const slot of slots) if (typeof slot.value === "string") allNul = withValue(allNul, slot.path, HOSTILE_STRINGS.nul);
      return encode(allNul);
    },
  });
  for (const { path, value } of slots) {
    const at = path.join(".");
    if (typeof value === "string") {
      for (const [name, hostile] of Object.entries(HOSTILE_STRINGS)) {
        variants.push({ name: `${at}: ${name}`, json: () => encode(withValue(sample, path, hostile)) });
      }
    }
    variants.push({ name: `${at}: wrong type`, json: () => encode(withValue(sample, path, wrongType(value))) });
    variants.push({ name: `${at}: null`, json: () => encode(withValue(sample, path, null)) });
    if (Array.isArray(value)) {
      variants.push({
        name: `${at}: 100k elements`,
        json: () => encode(withValue(sample, path, new Array(100_000).fill(elementOf(value)))),
      });
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      variants.push({ name: `${at}: 10k-deep nesting`, json: () => encode(withValue(sample, path, DEEP)) });
    }
  }
  return variants;
}

// ---------------------------------------------------------------------------------------------------
// Sending, with a time bound; anything 5xx, timed out or failed is collected and reported together.

export type Auth = "anonymous" | "cookie" | "bearer";

function headersFor(auth: Auth, ip: string): Record<string, string> {
  const headers: Record<string, string> = { "x-forwarded-for": ip };
  if (auth === "cookie") {
    headers.cookie = `${SESSION_COOKIE}=${cookieUser.token}`;
    headers.origin = "http://app.test";
  }
  if (auth === "bearer") headers.authorization = `Bearer ${bearerAdmin.token}`;
  return headers;
}

interface Outcome {
  status: number;
  ms: number;
  problem: string | null;
}

/**
 * Node refuses a request line and headers over 16 KB (431) before any of our code runs, so a query
 * whose input makes the URL longer is not sent by the sweep; one such request is checked on its own.
 */
const MAX_URL = 12_000;

export const queryUrl = (path: string, json: string | undefined) =>
  `${base}/trpc/${path}${json === undefined ? "" : `?input=${encodeURIComponent(json)}`}`;

async function send(path: string, type: ProcedureType, json: string | undefined, auth: Auth, ip: string): Promise<Outcome> {
  const first = await sendOnce(path, type, json, auth, ip);
  // A keep-alive connection the server closed after its previous answer (Connection: close after a
  // refused body) can fail the next request on it: that is the client's race, so it is sent again.
  if (first.problem?.startsWith("failed:")) return sendOnce(path, type, json, auth, ip);
  return first;
}

async function sendOnce(path: string, type: ProcedureType, json: string | undefined, auth: Auth, ip: string): Promise<Outcome> {
  const started = performance.now();
  const headers = headersFor(auth, ip);
  const signal = AbortSignal.timeout(REQUEST_BOUND_MS);
  try {
    const res =
      type === "mutation"
        ? await fetch(`${base}/trpc/${path}`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            ...(json === undefined ? {} : { body: json }),
            signal,
          })
        : await fetch(queryUrl(path, json), {
            headers: type === "subscription" ? { ...headers, accept: "text/event-stream" } : headers,
            signal,
          });
    let problem: string | null = res.status >= 500 ? `answered ${res.status}: ${(await res.text()).slice(0, 300)}` : null;
    if (type === "subscription" && res.status === 200) {
      // A stream: its first events must not be an internal error (-32603 is tRPC's INTERNAL_SERVER_ERROR).
      const first = await readFor(res, 500);
      if (first.includes("-32603") || first.includes("INTERNAL_SERVER_ERROR"))
        problem = `streamed an internal error: ${first.slice(0, 300)}`;
    } else if (problem === null) {
      await res.arrayBuffer();
    }
    return { status: res.status, ms: performance.now() - started, problem };
  } catch (error) {
    const ms = performance.now() - started;
    return {
      status: 0,
      ms,
      problem: ms >= REQUEST_BOUND_MS - 50 ? `no answer within ${REQUEST_BOUND_MS} ms` : `failed: ${error}`,
    };
  }
}

/** What a response body streams within `ms`, then the stream is cancelled. */
async function readFor(res: Response, ms: number): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(deadline - Date.now(), 0))),
      ]);
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}

/** Runs the tasks with a few in flight at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await (tasks[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

interface Failure {
  procedure: string;
  auth: Auth;
  variant: string;
  problem: string;
}

async function sweep(
  auth: Auth,
  paths: string[],
): Promise<{ failures: Failure[]; requests: number; skipped: number; slowest: number; samplesAccepted: number }> {
  const ip = `10.66.${["anonymous", "cookie", "bearer"].indexOf(auth)}.${Math.floor(Math.random() * 250) + 1}`;
  const tasks: (() => Promise<Failure | null>)[] = [];
  for (const path of paths) {
    const procedure = procedures[path] as AnyProcedure;
    const access = procedure._def.meta?.access;
    const reachesSchema = access === "public" || (auth === "cookie" && access === "user") || auth === "bearer";
    for (const variant of variantsOf(inputSample(procedure), reachesSchema)) {
      tasks.push(async () => {
        const json = variant.json();
        if (procedure._def.type !== "mutation" && queryUrl(path, json).length > MAX_URL) {
          skipped++;
          return null;
        }
        const outcome = await send(path, procedure._def.type, json, auth, ip);
        slowest = Math.max(slowest, outcome.ms);
        // Past the schema: answered, and not as bad input (not found for the random ids is fine).
        if (variant.name === "the sample" && outcome.status < 500 && outcome.status !== 400) samplesAccepted++;
        return outcome.problem ? { procedure: path, auth, variant: variant.name, problem: outcome.problem } : null;
      });
    }
  }
  let slowest = 0;
  let skipped = 0;
  let samplesAccepted = 0;
  const results = await pool(tasks, CONCURRENCY);
  return {
    failures: results.filter((r): r is Failure => r !== null),
    requests: tasks.length - skipped,
    skipped,
    slowest,
    samplesAccepted,
  };
}

/** Every procedure, the session-ending ones last. */
export const ordered = [
  ...Object.keys(procedures).filter((p) => !SESSION_ENDING.has(p)),
  ...Object.keys(procedures).filter((p) => SESSION_ENDING.has(p)),
];

async function stillSignedIn(auth: "cookie" | "bearer") {
  const res = await fetch(`${base}/trpc/profile.get`, { headers: headersFor(auth, "10.66.9.9") });
  return res.status;
}

/**
 * Sends every procedure its variants as `auth`, the session-ending ones last: no answer may be a 5xx
 * or take longer than REQUEST_BOUND_MS. One file per `auth`, so the three sweeps run in parallel.
 */
export function itSweepsEveryProcedure(auth: Auth) {
  it(`never answers 5xx or hangs: ${auth}`, { timeout: 240_000 }, async () => {
    const started = performance.now();
    const main = await sweep(
      auth,
      ordered.filter((p) => !SESSION_ENDING.has(p)),
    );
    // The sweep really ran signed in: nothing in it ended the session.
    if (auth !== "anonymous") expect(await stillSignedIn(auth)).toBe(200);
    const last = await sweep(
      auth,
      ordered.filter((p) => SESSION_ENDING.has(p)),
    );
    const failures = [...main.failures, ...last.failures];
    console.info(
      `${auth}: ${main.requests + last.requests} requests (${main.skipped + last.skipped} queries too long for a URL not sent), ` +
        `${main.samplesAccepted} samples accepted, ` +
        `slowest ${Math.round(Math.max(main.slowest, last.slowest))} ms, ${Math.round(performance.now() - started)} ms in all`,
    );
    // The samples get past the schemas (78 of 89 when written), so field-by-field variants reach what lies behind them.
    if (auth === "bearer") expect(main.samplesAccepted).toBeGreaterThanOrEqual(70);
    expect(failures).toEqual([]);
    // The administrator's samples publish to everyone (an enabled announcement, the maintenance message);
    // the run's other files share this database, so nothing of the sweep's may stay on their banner.
    if (auth === "bearer") {
      await undoSiteWideChanges();
      const banner = JSON.stringify(await h.anon().system.announcements());
      expect(banner).not.toMatch(/Sample text|not an object|not a number/);
    }
  });
}
