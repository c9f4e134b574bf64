/**
 * How the publisher spares the platforms and the database, per runtime (so tests and benchmarks with
 * their own sandboxes do not share): at most maxInFlight platform calls at once (and, in a worker,
 * a host's shared slot each: posts.publisher.slots.ts), and claims and finishes made within a couple
 * of milliseconds gathered into one statement.
 */
import { asSystem } from "@inkwell/db";
import type { PublishingRuntime } from "../platforms/index.ts";
import type { PublisherConfig, PublisherDeps } from "./posts.publisher.config.ts";
import { hostSlotsOf } from "./posts.publisher.slots.ts";
import * as repo from "./posts.repository.ts";

/** Per runtime (so tests and benchmarks with their own sandboxes do not share): request slots and the batchers. */
interface Shared {
  slots: { free: number; waiting: (() => void)[] };
  batchers?: ReturnType<typeof createBatchers>;
}
const shared = new WeakMap<PublishingRuntime, Shared>();
function sharedOf(deps: PublisherDeps, config: PublisherConfig): Shared {
  let s = shared.get(deps.publishing);
  if (!s) {
    s = { slots: { free: config.maxInFlight, waiting: [] } };
    shared.set(deps.publishing, s);
  }
  return s;
}

/**
 * Runs a platform call to `host` once one of this process's maxInFlight slots is free and, when the
 * worker shares slots with other processes (posts.publisher.slots.ts), one of the host's. The host's
 * slot comes first and its wait holds none of this process's slots: waiters for a host that is full
 * elsewhere would otherwise fill them, and requests to idle hosts would wait behind them. The host's
 * slots are asked for only up to this process's free ones, so none sits taken while all are busy.
 */
export async function limited<T>(deps: PublisherDeps, config: PublisherConfig, host: string, call: () => Promise<T>): Promise<T> {
  const { slots } = sharedOf(deps, config);
  const hostSlots = hostSlotsOf(deps.publishing);
  const release = hostSlots?.shared ? await hostSlots.acquire(host, () => slots.free) : undefined;
  try {
    if (slots.free > 0) slots.free--;
    else await new Promise<void>((resolve) => slots.waiting.push(resolve));
    try {
      return await call();
    } finally {
      const next = slots.waiting.shift();
      if (next) next();
      else slots.free++;
    }
  } finally {
    release?.();
  }
}

/**
 * Collects calls made within a couple of milliseconds (a batch of jobs fetched together, or posts due
 * at the same instant) into one database statement.
 */
function createBatcher<I, R>(run: (items: I[]) => Promise<R[]>, maxSize = 500) {
  type Entry = { item: I; resolve: (r: R) => void; reject: (e: unknown) => void };
  let queue: Entry[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    const entries = queue;
    queue = [];
    if (!entries.length) return;
    try {
      const results = await run(entries.map((e) => e.item));
      entries.forEach((e, i) => void e.resolve(results[i] as R));
    } catch (error) {
      for (const e of entries) e.reject(error);
    }
  };
  return (item: I): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (queue.length >= maxSize) void flush();
      else timer ??= setTimeout(() => void flush(), 2);
    });
}

function createBatchers(deps: PublisherDeps, config: PublisherConfig) {
  return {
    claim: createBatcher(async (items: { postId: string; version: number; token: string }[]) => {
      const rows = await asSystem(deps.db, (tx) => repo.claimPendingMany(tx, items, config.maxEarlyMs));
      // Two copies of one job can share a batch: the UPDATE claims the post once, under one of their
      // tokens, and only that copy owns it (matching on the post id alone let both publish).
      const byClaim = new Map(rows.map((r) => [`${r.id}:${r.claim_token}`, r]));
      return items.map((i) => byClaim.get(`${i.postId}:${i.token}`));
    }),
    finish: createBatcher(async (items: repo.FinishItem[]) => {
      const done = await asSystem(deps.db, (tx) => repo.finishMany(tx, items));
      return items.map((i) => done.has(`${i.id}:${i.token}`));
    }),
  };
}

export function batchersOf(deps: PublisherDeps, config: PublisherConfig) {
  const s = sharedOf(deps, config);
  s.batchers ??= createBatchers(deps, config);
  return s.batchers;
}
