/**
 * The one way to parse untrusted bytes (PDFs today; images, audio and book PDFs next): off the request
 * thread, in a `piscina` worker-thread pool, under
 *   - a heap cap per worker (`resourceLimits`; a parser that grows past it kills only its worker),
 *   - a wall-clock timeout (the worker running the task is terminated, not merely abandoned),
 *   - a concurrency bound (at most UNTRUSTED_THREADS parses at once, UNTRUSTED_QUEUE more waiting;
 *     past that the caller gets RATE_LIMITED at once instead of work piling up).
 * V8's heap cap does not count ArrayBuffers (inflated streams, decoded pixels), so each parser also caps
 * what it inflates or decodes itself and refuses over its own documented limits.
 *
 * A parser is a plain `.mjs` module whose default export takes the input and returns
 * `{ ok: true, value } | { ok: false, reason }` (reason: a sentence for the person who sent the file).
 * Plain JavaScript because worker threads do not go through vitest's or tsx's TypeScript loaders in every
 * way the project runs (vitest forks, `tsx src/main.ts`), and a worker that fails to load is an outage.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { DomainError } from "../errors.ts";

/** Heap cap of one parse worker (V8 old + young generation). */
export const UNTRUSTED_MAX_HEAP_MB = 256;
const MAX_YOUNG_MB = 32;
/** Parses running at once (each on its own thread; the machines have 2 cores). */
export const UNTRUSTED_THREADS = Math.max(1, Math.min(2, availableParallelism() - 1));
/** Parses waiting for a thread; one more is refused with RATE_LIMITED. */
export const UNTRUSTED_QUEUE = 8;

export type ParseOutcome<O> = { ok: true; value: O } | { ok: false; reason: string };

export interface UntrustedParser<I, O> {
  /** For logs and errors: "pdf-text". */
  name: string;
  /** The `.mjs` module run in the worker. */
  file: URL;
  /** How the file is called in messages: "This PDF". */
  label: string;
  /** Wall-clock limit from submission (queueing included), after which the worker is terminated. */
  timeoutMs: number;
  /** Phantom: ties the input and output types to the parser. */
  readonly types?: { input: I; output: O };
}

export function defineUntrustedParser<I, O>(parser: Omit<UntrustedParser<I, O>, "types">): UntrustedParser<I, O> {
  return parser;
}

let pool: Piscina | undefined;

function getPool(): Piscina {
  pool ??= new Piscina({
    minThreads: 0,
    maxThreads: UNTRUSTED_THREADS,
    maxQueue: UNTRUSTED_QUEUE,
    // Idle workers go away: an API that parsed one PDF an hour ago should not keep a thread and its heap.
    idleTimeout: 30_000,
    resourceLimits: {
      maxOldGenerationSizeMb: UNTRUSTED_MAX_HEAP_MB - MAX_YOUNG_MB,
      maxYoungGenerationSizeMb: MAX_YOUNG_MB,
      stackSizeMb: 4,
    },
    // A worker inherits process.execArgv (e.g. tsx's loader under `pnpm start`): harmless for .mjs parsers.
  });
  return pool;
}

/** Stops the pool's workers (tests, graceful shutdown). The next parse starts a new pool. */
export async function closeUntrustedPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
}

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";
const isOutOfMemory = (error: unknown) =>
  error instanceof Error && (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
const isQueueFull = (error: unknown) =>
  error instanceof Error && /task queue is at limit|no task queue available/i.test(error.message);

/**
 * Runs `parser` on `input` in the pool. Refusals and failures come back as DomainError: INVALID_INPUT
 * with a sentence naming the problem (`field` set when given), or RATE_LIMITED when the queue is full.
 * Uint8Array inputs are copied to the worker (at most a few MB: the callers cap upload sizes first).
 */
export async function parseUntrusted<I, O>(
  parser: UntrustedParser<I, O>,
  input: I,
  options: { field?: string } = {},
): Promise<O> {
  const details = options.field ? { field: options.field } : {};
  let outcome: ParseOutcome<O>;
  try {
    outcome = await getPool().run(input, {
      filename: fileURLToPath(parser.file),
      signal: AbortSignal.timeout(parser.timeoutMs),
    });
  } catch (error) {
    if (isQueueFull(error))
      throw new DomainError("RATE_LIMITED", "Too many files are being read right now; try again in a few seconds", {
        retryAfterSeconds: 5,
      });
    if (isAbort(error)) throw new DomainError("INVALID_INPUT", `${parser.label} took too long to read`, details);
    if (isOutOfMemory(error)) throw new DomainError("INVALID_INPUT", `${parser.label} needs too much memory to read`, details);
    throw new DomainError("INVALID_INPUT", `${parser.label} could not be read (it may be damaged)`, details);
  }
  if (!outcome.ok) throw new DomainError("INVALID_INPUT", outcome.reason, details);
  return outcome.value;
}
