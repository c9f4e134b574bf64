/**
 * The machinery every detached generation shares (chat replies, writer outputs, and the ones to come:
 * study materials, story follow-ups, prompt variations). A generation runs in this process, decoupled
 * from the request that started it: it holds an AbortController (stop, delete), its text so far, and a
 * promise settled with it (shutdown and tests wait on it). Its text is written behind it in batches,
 * by time and by count, and repaired by one final write of the whole; the module owning the target
 * (its tables, its events) supplies those writes. No transaction is held across a model call.
 */
import { asSystem, type Database, type Tx } from "@inkwell/db";
import type { Logger } from "../platform/queue.ts";
import { GenerationBus, REFETCH } from "./generation.bus.ts";

export interface Generation {
  /** The target's id (message, output, ...): unique across modules. */
  readonly key: string;
  /** What a delete stops as a whole (a conversation, a session). */
  readonly group: string;
  readonly userId: string;
  readonly controller: AbortController;
  text: string;
  /** Set once the rate limit and credit hold are taken and the model call is under way. */
  started: boolean;
  /** Set once the target is settled in the database. */
  settled: boolean;
  /** Resolves once the target is settled (or the generation was refused before it started). */
  readonly done: Promise<void>;
}

type Internal = Generation & { resolve(): void };

/** What a launched generation's work gets: `started()` to call once its hold is taken, and its start time. */
export interface Launched {
  started(): void;
  startedAt: number;
}

export class GenerationEngine {
  private readonly running = new Map<string, Internal>();

  constructor(readonly bus: GenerationBus = new GenerationBus()) {}

  /** Registers a generation; `extra` carries what the owning module keeps with it (format, mask, ...). */
  begin<X extends object>(key: string, group: string, userId: string, extra: X): Generation & X {
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    const gen: Internal & X = {
      ...extra,
      key,
      group,
      userId,
      controller: new AbortController(),
      text: "",
      started: false,
      settled: false,
      done,
      resolve,
    };
    this.running.set(key, gen);
    return gen;
  }

  get(key: string): Generation | undefined {
    return this.running.get(key);
  }

  isBusy(key: string): boolean {
    const gen = this.running.get(key);
    return !!gen && !gen.settled;
  }

  isGroupBusy(group: string): boolean {
    for (const gen of this.running.values()) if (gen.group === group && !gen.settled) return true;
    return false;
  }

  abortGroup(group: string) {
    for (const gen of this.running.values()) if (gen.group === group) gen.controller.abort();
  }

  /** The target is settled (or never started): forget it and wake whoever waits on it. */
  end(gen: Generation) {
    gen.settled = true;
    this.running.delete(gen.key);
    (gen as Internal).resolve();
  }

  /**
   * Runs `work` detached from the caller. Resolves once `work` calls `started()` (the hold is taken);
   * if `work` fails before that, the generation is forgotten and the call rejects with the refusal
   * (PAYMENT_REQUIRED, TOO_MANY_REQUESTS). A failure after it is the module's to settle; anything
   * escaping is logged.
   */
  launch(gen: Generation, work: (launched: Launched) => Promise<void>, log: Logger): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const started = () => {
        gen.started = true;
        resolve();
      };
      work({ started, startedAt: performance.now() }).then(
        () => resolve(),
        (error) => {
          if (gen.started) {
            log.error({ err: error, key: gen.key }, "generation crashed");
            return;
          }
          this.end(gen);
          reject(error);
        },
      );
    });
  }

  /** Every running generation's settlement (graceful shutdown and tests). */
  allDone(): Promise<void> {
    return Promise.all([...this.running.values()].map((g) => g.done)).then(() => undefined);
  }
}

/** The process's engine (an API instance, or the worker); tests make their own to play two instances. */
export const defaultEngine = new GenerationEngine();

export interface WriteBehind {
  /** Adds streamed text; writes a batch once `flushDeltas` deltas or `flushMs` have passed. */
  add(text: string): void;
  /** Writes what is pending now (before a step that reads the row, and at the end). */
  flush(): void;
  /** Flushes and waits for every write: call it before the final write (one connection at a time). */
  drain(): Promise<void>;
}

/**
 * Batched writes of streamed text, chained so they land in order. A failed batch is logged and the
 * rest go on: the final write (the whole text) repairs the row.
 */
export function writeBehind(options: {
  flushMs: number;
  flushDeltas: number;
  write: (batch: string) => Promise<void>;
  log: Logger;
  key: string;
}): WriteBehind {
  let pending = "";
  let deltas = 0;
  let lastFlush = Date.now();
  let writes: Promise<void> = Promise.resolve();
  const flush = () => {
    if (!pending) return;
    const batch = pending;
    pending = "";
    deltas = 0;
    lastFlush = Date.now();
    writes = writes
      .then(() => options.write(batch))
      .catch((err) => options.log.warn({ err, key: options.key }, "could not save streamed text"));
  };
  return {
    add(text) {
      pending += text;
      deltas++;
      if (deltas >= options.flushDeltas || Date.now() - lastFlush >= options.flushMs) flush();
    },
    flush,
    async drain() {
      flush();
      await writes;
    },
  };
}

/**
 * The stale sweep: targets left generating by a process that died (no write for a while) are settled
 * as failed by `sweep` (the module's SQL, returning the channel of each), and each one's streams, on
 * any instance, are told in the same transaction to read the row again (and so see the end).
 */
export async function sweepStale(db: Database, bus: GenerationBus, sweep: (tx: Tx) => Promise<string[]>): Promise<number> {
  return asSystem(db, async (tx) => {
    const channels = await sweep(tx);
    for (const channel of channels) await bus.notify(tx, channel, REFETCH);
    return channels.length;
  });
}
