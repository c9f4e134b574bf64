/**
 * The one way to parse untrusted bytes (PDFs today; images, audio and book PDFs next): off the request
 * thread, in a `workerpool` pool of child processes, under
 *   - a heap cap per process (`--max-old-space-size`): a parser that grows past it kills only its own
 *     process (a worker thread's `resourceLimits` is not enough: one large allocation past the cap
 *     aborts the whole process, API included);
 *   - a wall-clock timeout (the process running the task is killed, not merely abandoned);
 *   - a concurrency bound (at most UNTRUSTED_PROCESSES parses at once, UNTRUSTED_QUEUE more waiting;
 *     past that the caller gets RATE_LIMITED at once instead of work piling up).
 * The processes get no environment (no database URL, no keys) and are reused between tasks.
 * V8's heap cap does not count ArrayBuffers (inflated streams, decoded pixels), so each parser also caps
 * what it inflates or decodes itself and refuses over its own documented limits.
 *
 * A parser is a plain `.mjs` module of this folder whose default export takes the input and returns
 * `{ ok: true, value } | { ok: false, reason }` (reason: a sentence for the person who sent the file).
 * Plain JavaScript because the child processes run plain `node` (no tsx or vitest loader).
 */
import { randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import workerpool from "workerpool";
import { DomainError } from "../errors.ts";

/** Heap cap of one parse process (V8 old generation + the young generation's semi-spaces). */
export const UNTRUSTED_MAX_HEAP_MB = 256;
/**
 * Memory cap of one parse process, everything counted (heap, buffers, code): past it the process is
 * killed by its watchdog (untrusted.worker.mjs).
 */
export const UNTRUSTED_MAX_RSS_MB = 640;
/** Parses running at once, each in its own process (the machines have 2 cores). */
export const UNTRUSTED_PROCESSES = 2;
/** Parses waiting for a process; one more is refused with RATE_LIMITED. */
export const UNTRUSTED_QUEUE = 8;

export type ParseOutcome<O> = { ok: true; value: O } | { ok: false; reason: string };

export interface UntrustedParser<I, O> {
  /** For logs and errors: "pdf-text". */
  name: string;
  /** The `.mjs` module run in the worker. */
  file: URL;
  /** How the file is called in messages: "This PDF". */
  label: string;
  /** Wall-clock limit from submission (queueing included), after which the process is killed. */
  timeoutMs: number;
  /** Phantom: ties the input and output types to the parser. */
  readonly types?: { input: I; output: O };
}

export function defineUntrustedParser<I, O>(parser: Omit<UntrustedParser<I, O>, "types">): UntrustedParser<I, O> {
  return parser;
}

let pool: workerpool.Pool | undefined;

function getPool(): workerpool.Pool {
  pool ??= workerpool.pool(new URL("./untrusted.worker.mjs", import.meta.url).pathname, {
    workerType: "process",
    minWorkers: 0,
    maxWorkers: UNTRUSTED_PROCESSES,
    maxQueueSize: UNTRUSTED_QUEUE,
    // A timed-out parse is asked to stop, then killed this much later (a busy parser never hears the ask).
    workerTerminateTimeout: 200,
    forkOpts: {
      // Not the parent's execArgv (tsx, inspector): a plain node with the heap cap.
      execArgv: [`--max-old-space-size=${UNTRUSTED_MAX_HEAP_MB - 32}`, "--max-semi-space-size=16"],
      // No secrets in a process that reads hostile bytes.
      env: { NODE_ENV: process.env.NODE_ENV ?? "production", INKWELL_UNTRUSTED_MAX_RSS_MB: String(UNTRUSTED_MAX_RSS_MB) },
      // Structured clone over IPC, so bytes travel as bytes (the default JSON would inflate them ~4×).
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  });
  return pool;
}

/** Stops the pool's processes (tests, graceful shutdown). The next parse starts a new pool. */
export async function closeUntrustedPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.terminate(true);
}

/** Marks an input field that the worker entry reads back from a file (see untrusted.worker.mjs). */
const BYTES_FILE = "__untrustedBytesFile";

const errorName = (error: unknown) => (error instanceof Error ? error.name : "");
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs `parser` on `input` in the pool. Refusals and failures come back as DomainError: INVALID_INPUT
 * with a sentence naming the problem (`field` set when given), or RATE_LIMITED when the queue is full.
 * Byte fields of the input reach the child through a private temporary file, written off the event
 * loop (serialising megabytes over IPC would stall the loop for tens of milliseconds); the rest is
 * copied over IPC.
 */
export async function parseUntrusted<I, O>(
  parser: UntrustedParser<I, O>,
  input: I,
  options: { field?: string } = {},
): Promise<O> {
  const details = options.field ? { field: options.field } : {};
  const files: string[] = [];
  let outcome: ParseOutcome<O>;
  try {
    const sent: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
      if (!(value instanceof Uint8Array)) {
        sent[key] = value;
        continue;
      }
      const path = join(tmpdir(), `inkwell-untrusted-${randomUUID()}`);
      files.push(path);
      await writeFile(path, value, { mode: 0o600 });
      sent[key] = { [BYTES_FILE]: path };
    }
    outcome = (await getPool().exec("parse", [parser.file.href, sent]).timeout(parser.timeoutMs)) as ParseOutcome<O>;
  } catch (error) {
    const message = errorMessage(error);
    if (/max queue size/i.test(message))
      throw new DomainError("RATE_LIMITED", "Too many files are being read right now; try again in a few seconds", {
        retryAfterSeconds: 5,
      });
    if (errorName(error) === "TimeoutError")
      throw new DomainError("INVALID_INPUT", `${parser.label} took too long to read`, details);
    // V8 aborts a process out of heap (SIGABRT; the workerpool message carries the signal); the
    // watchdog (or the kernel's OOM killer) kills one past the whole-process cap (SIGKILL).
    if (/terminated unexpectedly/i.test(message) && /SIGABRT|SIGKILL|heap out of memory|exitCode: `134`/.test(message))
      throw new DomainError("INVALID_INPUT", `${parser.label} needs too much memory to read`, details);
    throw new DomainError("INVALID_INPUT", `${parser.label} could not be read (it may be damaged)`, details);
  } finally {
    await Promise.all(files.map((path) => rm(path, { force: true })));
  }
  if (!outcome.ok) throw new DomainError("INVALID_INPUT", outcome.reason, details);
  return outcome.value;
}
