/**
 * The stream a client follows (a tRPC subscription over SSE): what is stored first, then what the bus
 * brings, until the target is settled. Subscribed before the first read, so nothing that happens in
 * between is missed (a duplicate is the module's to drop: offsets, or whole snapshots). When the bus
 * says "refetch" (a notice too large, a gap) or nothing arrives for a while, the rows are read again:
 * that also follows a generation in another process when no notices arrive (the embedded database).
 */
import { setTimeout as delay } from "node:timers/promises";
import type { GenerationBus } from "./generation.bus.ts";

export interface Step<E> {
  events: E[];
  /** The target is settled: the stream ends after these events. */
  done: boolean;
}

export async function* follow<E>(options: {
  bus: GenerationBus;
  channel: string;
  signal?: AbortSignal;
  /** What the rows (and this process's running generations) say now, past what was already sent. */
  read: () => Promise<Step<E>>;
  /** What a bus event adds; "refetch" reads the rows instead. */
  receive: (event: unknown) => Step<E> | "refetch";
  /** How long to wait for the bus before reading the rows again. */
  pollMs: () => number;
}): AsyncGenerator<E> {
  const { bus, signal } = options;
  // One controller for the whole stream ends the bus subscription and the poll timer together.
  const local = new AbortController();
  const stop = () => local.abort();
  signal?.addEventListener("abort", stop, { once: true });
  const messages = bus.subscribe(options.channel, local.signal);
  const quietly = <T>(p: Promise<T>) => {
    p.catch(() => undefined);
    return p;
  };
  try {
    let step = await options.read();
    yield* step.events;
    if (step.done) return;
    let next = quietly(messages.next());
    // One timer at a time, kept across events (one per event would pile up with every token).
    let tick = quietly(delay(options.pollMs(), "poll" as const, { signal: local.signal }));
    for (;;) {
      const got = await Promise.race([next, tick]).catch(() => null);
      if (got === null || local.signal.aborted) return;
      if (got === "poll") {
        tick = quietly(delay(options.pollMs(), "poll" as const, { signal: local.signal }));
        step = await options.read();
      } else {
        if (got.done) return;
        next = quietly(messages.next());
        const received = options.receive((got.value as unknown[])[0]);
        step = received === "refetch" ? await options.read() : received;
      }
      yield* step.events;
      if (step.done) return;
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    local.abort();
  }
}
