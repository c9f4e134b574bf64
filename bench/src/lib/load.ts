/**
 * Closed-loop load: `concurrency` clients, each issuing its next operation as soon as the previous one
 * finished, until the time is up or `maxOps` have been issued (both bounds always apply). Plain data
 * in and out so it also runs inside the HTTP worker thread.
 */

export interface Limits {
  concurrency: number;
  durationMs: number;
  /** Hard cap on operations issued in this run. */
  maxOps: number;
}

export interface Sample {
  /** Operations that succeeded (latencies has one entry per success). */
  ops: number;
  errors: number;
  /** From the first issue to the last completion. */
  elapsedMs: number;
  /** Per-operation latency in milliseconds, in completion order. */
  latencies: Float64Array;
  firstError?: string;
}

/** A run gives up after this many failures: a broken variant should fail fast, not spin. */
const MAX_ERRORS = 50;

export function closedLoop(limits: Limits, op: (client: number, seq: number) => Promise<unknown>): Promise<Sample> {
  return timedLoop(limits, async (client, seq) => {
    const t0 = performance.now();
    await op(client, seq);
    return performance.now() - t0;
  });
}

/**
 * closedLoop where each operation measures itself: it resolves to the latency to record (e.g. time
 * to first token, while the operation goes on to read the whole reply before the client's next one).
 */
export async function timedLoop(limits: Limits, op: (client: number, seq: number) => Promise<number>): Promise<Sample> {
  const latencies = new Float64Array(limits.maxOps);
  let issued = 0;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + limits.durationMs;

  async function client(id: number) {
    while (issued < limits.maxOps && errors < MAX_ERRORS) {
      const t0 = performance.now();
      if (t0 >= end) break;
      const seq = issued++;
      try {
        const latency = await op(id, seq);
        latencies[ops++] = latency;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  }

  await Promise.all(Array.from({ length: limits.concurrency }, (_, i) => client(i)));
  const elapsedMs = performance.now() - start;
  return { ops, errors, elapsedMs, latencies: latencies.slice(0, ops), ...(firstError ? { firstError } : {}) };
}
