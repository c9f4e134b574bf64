/**
 * Platform request slots per host, shared by every worker process on the database. A minute boundary
 * makes hundreds of posts due at once; each process already keeps at most maxInFlight requests in
 * flight (posts.publisher.throttle.ts), but N processes sent N times that to one host and overflowed
 * its accept queue (SYNs dropped, retried after 1, 3, 7 s). So a request also needs one of the host's
 * `perHost` slots, counted in Postgres:
 *
 * - A slot is a session advisory lock (host key, slot number) on one direct connection per process
 *   (its "session", never a transaction, never through a transaction pooler). A process that dies
 *   gives its slots back with its socket: nothing to expire, nothing to sweep.
 * - Waiting for slots costs one statement for all of a host's waiters (`trySlots`: the first free ones
 *   in one round trip); while the host is full the process asks again every `pollMs` (jittered), not in
 *   a loop. At most one question per host is out at a time, and it asks for no more slots than the
 *   process has request slots free (`room`): a waiter for a host holds none of the per-process cap
 *   (posts.publisher.throttle.ts takes that after the host's slot), so a host that is full elsewhere
 *   does not keep this process's requests to other hosts waiting, and no host slot sits taken here
 *   while every request slot is busy.
 * - A slot freed while this process has waiters goes straight to the next one (no round trip), unless
 *   it has been held `shareMs` already: then it goes back to the database and this process asks again
 *   on its next poll like everyone else, so a busy process cannot keep a host's slots from another one
 *   for longer than that. Frees made together go back as one statement.
 * - A statement on the session that fails or gets no answer within `timeoutMs` ends the session (a
 *   try may have taken locks it never reported, a free may not have freed): its end frees everything it
 *   held, and a new one is opened. A session that answers nothing cannot keep every request waiting.
 * - If the session cannot be had (the database is away, connections exhausted), requests go on under
 *   the per-process cap alone for a few seconds before it is tried again: the slots spare the
 *   platforms, they are not what keeps a post exactly once (the claim is).
 *
 * Not on the embedded database: PGlite is one backend shared by every connection, so every process's
 * locks are one session's (re-entrant, never released by a disconnect). `createHostSlots` notices (the
 * session and the pool reach the same backend) and shares nothing; the embedded default runs one
 * worker, for which the per-process cap is the whole limit.
 */
import type { Database } from "@inkwell/db";
import pg from "pg";
import type { Logger } from "../platform/queue.ts";
import type { PublishingRuntime } from "../platforms/index.ts";
import * as repo from "./posts.publisher.slots.repository.ts";

export interface HostSlotsOptions {
  /** A direct connection (DATABASE_DIRECT_URL): session locks do not survive a transaction pooler. */
  url: string;
  /** Requests in flight at once per platform host, across every process on this database. */
  perHost?: number;
  /** The process's pool: if it reaches the session's own backend (the embedded database), nothing is shared. */
  probe?: Database;
  log?: Logger;
  /** How often a process whose host is full asks again (±50% jitter). */
  pollMs?: number;
  /** A slot held this long goes back to the database when freed, not to this process's next waiter. */
  shareMs?: number;
  /** After the session could not be had, how long requests go by the per-process cap alone. */
  downMs?: number;
  /** Connecting, and each statement on the session, give up after this long (then the session is ended). */
  timeoutMs?: number;
}

export interface HostSlots {
  /** False when every process reaches one backend (embedded): then only the per-process cap applies. */
  readonly shared: boolean;
  readonly perHost: number;
  /**
   * Waits for a slot of `host`; call the returned function once the request is over. `room`: how many
   * requests this process could start now (its free request slots); slots are asked for only up to it.
   */
  acquire(host: string, room?: () => number): Promise<() => void>;
  /** Slots of `host` this process holds now. */
  held(host: string): number;
  close(): Promise<void>;
}

export const DEFAULT_SLOTS_PER_HOST = 256;

const noop = () => undefined;

interface Held {
  slot: number;
  /** When this process took it from the database (performance.now()). */
  since: number;
  session: pg.Client;
}

interface HostState {
  waiters: ((held: Held | null) => void)[];
  held: Set<number>;
  asking: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  timerAt: number;
  freed: Held[];
  room: (() => number) | undefined;
}

/** Every slot through the per-process cap only (the embedded database, or sharing turned off). */
export function localHostSlots(perHost = DEFAULT_SLOTS_PER_HOST): HostSlots {
  return { shared: false, perHost, acquire: async () => noop, held: () => 0, close: async () => undefined };
}

export async function createHostSlots(options: HostSlotsOptions): Promise<HostSlots> {
  const perHost = options.perHost ?? DEFAULT_SLOTS_PER_HOST;
  const pollMs = options.pollMs ?? 25;
  const shareMs = options.shareMs ?? 500;
  const downMs = options.downMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const log = options.log;
  const hosts = new Map<string, HostState>();
  let session: pg.Client | null = null;
  let connecting: Promise<pg.Client | null> | null = null;
  let downUntil = 0;
  let closed = false;

  const open = async (): Promise<pg.Client> => {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: "inkwell-publish-slots",
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    client.on("error", (err) => lost(client, err));
    client.on("end", () => lost(client));
    await client.connect();
    return client;
  };

  function lost(client: pg.Client, err?: unknown) {
    client.end().catch(() => undefined);
    if (session !== client) return;
    session = null;
    // Postgres released every lock of that session with it; holders' frees of them are dropped.
    for (const h of hosts.values()) h.held.clear();
    if (closed) return;
    log?.warn({ err }, "lost the publishing slots session; taking slots again on a new one");
    for (const [host, h] of hosts) if (h.waiters.length) askSoon(host, h, pollMs);
  }

  const first = await open();
  if (options.probe && (await repo.sessionPid(first)) === (await repo.poolPid(options.probe))) {
    await first.end().catch(() => undefined);
    log?.info({}, "publishing slots are per process here: every connection reaches one backend (embedded database)");
    return localHostSlots(perHost);
  }
  session = first;

  /** One statement at a time on the session, in the order asked (pg's own queueing of them is deprecated). */
  let turn: Promise<unknown> = Promise.resolve();
  function inTurn<T>(run: () => Promise<T>): Promise<T> {
    const next = turn.then(run);
    turn = next.catch(() => undefined);
    return next;
  }

  async function currentSession(): Promise<pg.Client | null> {
    if (session) return session;
    if (closed || Date.now() < downUntil) return null;
    connecting ??= open()
      .then((client) => {
        if (closed) {
          void client.end().catch(() => undefined);
          return null;
        }
        session = client;
        return client;
      })
      .catch((err: unknown) => {
        downUntil = Date.now() + downMs;
        log?.warn({ err }, "could not open the publishing slots session; the per-process cap alone applies for now");
        return null;
      })
      .finally(() => {
        connecting = null;
      });
    return connecting;
  }

  function stateOf(host: string): HostState {
    let h = hosts.get(host);
    if (!h) {
      h = { waiters: [], held: new Set(), asking: false, timer: undefined, timerAt: 0, freed: [], room: undefined };
      hosts.set(host, h);
    }
    return h;
  }

  /** Asks the database for this host's waiters after `ms` (0: once this turn's acquires have queued). */
  function askSoon(host: string, h: HostState, ms: number) {
    const at = performance.now() + ms;
    if (h.timer && h.timerAt <= at) return;
    clearTimeout(h.timer);
    h.timerAt = at;
    h.timer = setTimeout(() => {
      h.timer = undefined;
      void ask(host, h);
    }, ms);
  }

  async function ask(host: string, h: HostState) {
    if (h.asking || !h.waiters.length || closed) return;
    h.asking = true;
    let want = 0;
    let got: number[] = [];
    let s: pg.Client | null = null;
    try {
      s = await currentSession();
      if (!s) {
        // No session: let them through on the per-process cap (see the file's comment).
        for (const w of h.waiters.splice(0)) w(null);
        return;
      }
      want = Math.min(h.waiters.length, perHost - h.held.size, h.room ? Math.max(0, h.room()) : Number.POSITIVE_INFINITY);
      const held = [...h.held];
      const asked = s;
      if (want > 0) got = await inTurn(() => repo.trySlots(asked, host, perHost, held, want));
      if (session !== s) return; // lost meanwhile: those locks went with it
      const now = performance.now();
      for (const slot of got) {
        h.held.add(slot);
        const held = { slot, since: now, session: s };
        const next = h.waiters.shift();
        if (next) next(held);
        else free(host, h, held);
      }
    } catch (err) {
      log?.warn({ err, host }, "could not take publishing slots; asking again on a new session");
      if (s) lost(s, err); // what the try took is unknown: the session's end frees it
    } finally {
      h.asking = false;
      // All we asked for: more may have queued meanwhile, ask at once; fewer: the host is full, poll.
      if (h.waiters.length) askSoon(host, h, want > 0 && got.length === want ? 0 : pollMs * (0.5 + Math.random()));
    }
  }

  function free(host: string, h: HostState, held: Held) {
    if (held.session !== session || !h.held.has(held.slot)) return;
    if (h.waiters.length && performance.now() - held.since < shareMs) {
      (h.waiters.shift() as (held: Held) => void)(held);
      return;
    }
    h.held.delete(held.slot);
    h.freed.push(held);
    if (h.freed.length === 1) {
      setImmediate(() => {
        const slots = h.freed.splice(0).filter((f) => f.session === session);
        const s = session;
        if (s && slots.length)
          inTurn(() =>
            repo.releaseSlots(
              s,
              host,
              slots.map((f) => f.slot),
            ),
          ).catch((err: unknown) => {
            log?.warn({ err, host }, "could not free publishing slots; ending their session");
            lost(s, err); // or they would stay taken for as long as the session lives
          });
      });
    }
    // Our own waiters ask again on their next poll, with every other process's.
    if (h.waiters.length) askSoon(host, h, pollMs * (0.5 + Math.random()));
  }

  return {
    shared: true,
    perHost,
    acquire(host, room) {
      if (closed || (!session && Date.now() < downUntil)) return Promise.resolve(noop);
      const h = stateOf(host);
      h.room = room;
      return new Promise((resolve) => {
        h.waiters.push((held) => {
          let done = false;
          resolve(
            held
              ? () => {
                  if (done) return;
                  done = true;
                  free(host, h, held);
                }
              : noop,
          );
        });
        askSoon(host, h, 0);
      });
    },
    held: (host) => hosts.get(host)?.held.size ?? 0,
    async close() {
      closed = true;
      for (const h of hosts.values()) {
        clearTimeout(h.timer);
        for (const w of h.waiters.splice(0)) w(null);
      }
      const s = session;
      session = null;
      // The session's end frees every slot it held (not waited for past timeoutMs: a peer gone silent).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        void (s?.end() ?? Promise.resolve())
          .catch(() => undefined)
          .finally(() => {
            clearTimeout(timer);
            resolve();
          });
      });
    },
  };
}

/**
 * Each runtime's shared slots (a worker sets them up once; tests and benchmarks that build their own
 * runtime, and the API, go by the per-process cap alone).
 */
const byRuntime = new WeakMap<PublishingRuntime, HostSlots>();

export function shareHostSlots(publishing: PublishingRuntime, slots: HostSlots): void {
  byRuntime.set(publishing, slots);
}

export const hostSlotsOf = (publishing: PublishingRuntime): HostSlots | undefined => byRuntime.get(publishing);
