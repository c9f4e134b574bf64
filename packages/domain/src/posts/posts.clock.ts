/**
 * The time scheduling reads: "now" for a picked time's "in the future" check and a publish-now post's
 * instant, the wait for a post's due instant, and when a retry or a reconciliation comes back. The
 * real clock by default; a test passes its own to compose at a minute of its choosing or to wait
 * without sleeping. Leases are not on it: they run on the process's monotonic clock against the
 * database's (see posts.publisher.config.ts), which a test shortens through the config instead.
 */
import { setTimeout as sleepFor } from "node:timers/promises";

export interface Clock {
  now(): Date;
  /** Resolves once the clock has passed `until` (at once if it already has). */
  sleepUntil(until: Date): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  async sleepUntil(until) {
    const wait = until.getTime() - Date.now();
    if (wait > 0) await sleepFor(wait);
  },
};

/** The clock a deps object names, or the real one. */
export const clockOf = (deps: { clock?: Clock }): Clock => deps.clock ?? systemClock;
