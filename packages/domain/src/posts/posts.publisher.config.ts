/** The publisher's settings and dependencies, and the claim's lease (see posts.publisher.ts). */
import { asSystem, type Database } from "@inkwell/db";
import type { Storage } from "../files/index.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import type { KeyRing } from "../platform/secret-box.ts";
import type { PublishingRuntime } from "../platforms/index.ts";
import type { Clock } from "./posts.clock.ts";
import * as repo from "./posts.repository.ts";

export interface PublisherConfig {
  /** A job that arrives earlier than this before the due time leaves it to a later one. */
  maxEarlyMs: number;
  /**
   * A claim not refreshed for this long belongs to a dead worker (default: the longest platform call
   * + 10 s; never less than the longest call + 1 s, see callBudgetMs).
   */
  claimLeaseMs?: number;
  /** Publish attempts (transient failures) before the post is marked failed. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt (with jitter), at least the platform's Retry-After. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** After an unknown outcome, how long to give the platform before looking for the post. */
  reconcileDelayMs: number;
  /** The sweeper re-enqueues pending posts this far past due, and unknown ones idle this long. */
  overdueMs: number;
  /**
   * Platform requests in flight at once per process. A minute boundary makes hundreds of posts due
   * together; opening hundreds of connections at once overflows a server's accept queue (SYNs dropped,
   * retried after 1, 3, 7 s…), so they take turns on kept-alive connections instead.
   */
  maxInFlight: number;
}

export const DEFAULT_PUBLISHER_CONFIG: PublisherConfig = {
  maxEarlyMs: 10_000,
  maxAttempts: 5,
  retryBaseMs: 5_000,
  retryMaxMs: 15 * 60_000,
  reconcileDelayMs: 2_000,
  overdueMs: 60_000,
  maxInFlight: 256,
};

export interface PublisherDeps {
  db: Database;
  log: Logger;
  keyRing: KeyRing;
  publishing: PublishingRuntime;
  enqueue: Enqueue;
  /** Where uploaded images are read from (posts with images fail without it). */
  storage?: Storage;
  config?: Partial<PublisherConfig>;
  /** When a claimed post is due and when a retry comes back (the real clock by default). */
  clock?: Clock;
}

export type PublishOutcome =
  | "gone"
  | "stale"
  | "early"
  | "lost"
  | "busy"
  | "published"
  | "retry"
  | "failed"
  | "unknown"
  | "aborted";

/**
 * The longest one publish call (one part) can take: Threads makes up to three requests per part
 * (container, publish, permalink), each bounded by the platform timeout. A claim is renewed before any
 * call that could outlive its lease, and the lease is never shorter than one call, so a second worker
 * can never take a post over while our publish request is still in flight. (A look on the platform may
 * read several pages and outlast the lease; it only reads, and the publish after it renews or stops.)
 */
const callBudgetMs = (timeoutMs: number) => 3 * timeoutMs + 500;

export function configOf(deps: PublisherDeps): PublisherConfig & { claimLeaseMs: number; callBudgetMs: number } {
  const config = { ...DEFAULT_PUBLISHER_CONFIG, ...deps.config };
  const budget = callBudgetMs(Math.max(...Object.values(deps.publishing.platforms).map((p) => p.timeoutMs)));
  return {
    ...config,
    callBudgetMs: budget,
    claimLeaseMs: Math.max(config.claimLeaseMs ?? budget + 10_000, budget + 1_000),
  };
}

/** How long a claim stays a live worker's (after it, the post may be taken over and reconciled). */
export const claimLeaseMsOf = (deps: Pick<PublisherDeps, "publishing" | "config">): number =>
  configOf(deps as PublisherDeps).claimLeaseMs;

/** Where our claim's lease ends, on this process's monotonic clock (conservatively early). */
export interface Lease {
  until: number;
}

export class LeaseLost extends Error {}

/**
 * Before a platform call: if the lease could run out while the call is in flight (a long wait for a
 * request slot or for credentials being renewed elsewhere), renew it first; if the claim is no longer
 * ours (taken over after its lease), throw LeaseLost and send nothing.
 */
export async function holdLease(
  deps: PublisherDeps,
  config: ReturnType<typeof configOf>,
  row: repo.PostRow,
  token: string,
  lease: Lease,
): Promise<void> {
  if (performance.now() + config.callBudgetMs <= lease.until) return;
  const sent = performance.now();
  if (!(await asSystem(deps.db, (tx) => repo.renewClaim(tx, row.id, token)))) throw new LeaseLost();
  lease.until = sent + config.claimLeaseMs;
}
