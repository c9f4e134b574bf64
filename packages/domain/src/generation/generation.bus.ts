/**
 * The live bus: what a generation publishes (deltas, snapshots, its end) reaches the streams that follow
 * it. In this process an event goes straight to the subscribers; to other processes (API instances, and
 * the worker's stale sweep) it goes through Postgres NOTIFY, sent inside the transaction that wrote the
 * row, so a listener that reads the row after the notice always finds what the notice speaks of.
 *
 * One Postgres channel carries every generation's notices ({origin, channel, event}); a process listens
 * on one dedicated connection (outside the pool, opened at startup, never inside a transaction) and
 * hands each notice to the subscribers of its channel, skipping its own (they had them directly).
 * A payload over NOTIFY's 8000-byte limit goes as a `refetch` notice: the subscriber re-reads the row.
 *
 * Not on the embedded database: PGlite is one backend shared by every connection, and its socket
 * server only answers a connection during its own turn, so a notice would never reach a listener. The
 * embedded default runs one API process, for which the in-process delivery is the whole bus.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter, on } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import type { Database, Tx } from "@inkwell/db";
import { sql } from "kysely";
import pg from "pg";
import type { Logger } from "../platform/queue.ts";

export const NOTIFY_CHANNEL = "inkwell_generation";
/** Postgres refuses a payload of 8000 bytes or more. */
export const MAX_NOTIFY_BYTES = 7999;

/** Sent instead of an event too large for a notice: re-read the row. */
export const REFETCH = { type: "refetch" } as const;
export type Refetch = typeof REFETCH;

export class GenerationBus {
  /** Tells this process's own notices apart when they come back from Postgres. */
  readonly origin = randomUUID();
  private readonly emitter = new EventEmitter();
  private client: pg.Client | null = null;
  private closing = false;

  constructor() {
    // Every open stream is a listener; there is no sensible cap.
    this.emitter.setMaxListeners(0);
  }

  /** True while notices from other processes arrive (streams then need no fast polling). */
  get listening(): boolean {
    return this.client !== null;
  }

  /** Delivers `event` to this process's subscribers of `channel`, now. */
  publish(channel: string, event: unknown) {
    this.emitter.emit(channel, event);
  }

  /** Sends `event` to other processes' subscribers of `channel` when `tx` commits. */
  async notify(tx: Tx | Database, channel: string, event: unknown) {
    let payload = JSON.stringify({ o: this.origin, c: channel, e: event });
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) payload = JSON.stringify({ o: this.origin, c: channel, e: REFETCH });
    await sql`select pg_notify(${NOTIFY_CHANNEL}, ${payload})`.execute(tx);
  }

  /**
   * The events of `channel` from now on, until `signal` aborts (Node's `events.on`: it queues what
   * arrives between reads, and removes its listeners when the signal aborts).
   */
  subscribe(channel: string, signal: AbortSignal): AsyncIterator<unknown[]> {
    return on(this.emitter, channel, { signal });
  }

  /**
   * Starts hearing other processes' notices on a connection of its own; true once they arrive. With
   * `probe` (the pool), a notice is first sent from another connection and must come back within a
   * couple of seconds: the embedded database never delivers it, and then this stays in-process only.
   * Reconnects after a lost connection (streams poll meanwhile, so nothing is lost, only slower).
   */
  async listen(connectionString: string, options: { log?: Logger; probe?: Database } = {}): Promise<boolean> {
    const { log, probe } = options;
    this.closing = false;
    const client = new pg.Client({ connectionString, application_name: "inkwell-bus", keepAlive: true });
    const probeId = `probe:${randomUUID()}`;
    let heard: () => void = () => undefined;
    const probed = new Promise<void>((resolve) => {
      heard = resolve;
    });
    client.on("notification", (msg) => {
      if (msg.channel !== NOTIFY_CHANNEL || !msg.payload) return;
      try {
        const { o, c, e } = JSON.parse(msg.payload) as { o: string; c: string; e: unknown };
        if (c === probeId) heard();
        else if (o !== this.origin) this.emitter.emit(c, e);
      } catch (err) {
        log?.warn({ err }, "ignored a malformed generation notice");
      }
    });
    const lost = (err?: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => undefined);
      if (this.closing) return;
      log?.warn({ err }, "lost the generation bus connection; reconnecting");
      void this.reconnect(connectionString, log);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    if (probe) {
      await this.notify(probe, probeId, null);
      const ok = await Promise.race([probed.then(() => true), delay(2000, false)]);
      if (!ok) {
        // The embedded database's one session keeps a LISTEN for every connection: take it back.
        await client.query(`UNLISTEN ${NOTIFY_CHANNEL}`).catch(() => undefined);
        await client.end().catch(() => undefined);
        log?.info({}, "generation notices do not arrive on this database (embedded?): streams follow other processes by polling");
        return false;
      }
    }
    this.client = client;
    return true;
  }

  private async reconnect(connectionString: string, log?: Logger) {
    for (let wait = 500; !this.closing && !this.client; wait = Math.min(wait * 2, 10_000)) {
      await delay(wait);
      if (this.closing) return;
      await this.listen(connectionString, { log }).catch((err) => log?.warn({ err }, "could not reconnect the generation bus"));
    }
  }

  async close() {
    this.closing = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
