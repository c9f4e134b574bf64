/**
 * Bounds on concurrent work, so that one caller cannot queue up enough calls to delay everyone else:
 * a count of in-flight requests per key (a session, or an address for anonymous callers), and a
 * process-wide budget of body bytes being buffered.
 */

export interface Bound {
  key: string;
  max: number;
}

export class InFlight {
  readonly #counts = new Map<string, number>();

  /** Takes one slot under every bound, or none; the release function is idempotent. */
  tryAcquire(bounds: readonly Bound[]): (() => void) | null {
    if (bounds.some((b) => (this.#counts.get(b.key) ?? 0) >= b.max)) return null;
    for (const b of bounds) this.#counts.set(b.key, (this.#counts.get(b.key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const b of bounds) {
        const left = (this.#counts.get(b.key) ?? 1) - 1;
        if (left <= 0) this.#counts.delete(b.key);
        else this.#counts.set(b.key, left);
      }
    };
  }

  /** How many requests hold a slot under `key` (for tests and diagnostics). */
  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }
}

/**
 * A budget of bytes (bodies being buffered): reserve before reading, release when done. Each key (an
 * address) may hold at most `perKeyCapacity` of it, so that one address's uploads, announced at full
 * size and then sent slowly, cannot hold the whole budget and have everyone else's calls refused.
 */
export class ByteBudget {
  #used = 0;
  readonly #usedByKey = new Map<string, number>();
  constructor(
    readonly capacity: number,
    readonly perKeyCapacity = capacity,
  ) {}

  tryReserve(bytes: number, key = ""): (() => void) | null {
    const keyUsed = this.#usedByKey.get(key) ?? 0;
    if (this.#used + bytes > this.capacity || keyUsed + bytes > this.perKeyCapacity) return null;
    this.#used += bytes;
    this.#usedByKey.set(key, keyUsed + bytes);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= bytes;
      const left = (this.#usedByKey.get(key) ?? bytes) - bytes;
      if (left <= 0) this.#usedByKey.delete(key);
      else this.#usedByKey.set(key, left);
    };
  }
}

/**
 * The response with `release` called once its body has been sent, cancelled or failed (a streamed
 * answer, like a subscription or a jsonl batch, keeps its slot while it streams).
 */
export function releaseAfterBody(res: Response, release: () => void): Response {
  if (!res.body) {
    release();
    return res;
  }
  const reader = res.body.getReader();
  // After a cancel, a read that was pending still settles: the controller is closed by then.
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (cancelled) return;
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        release();
        if (!cancelled) controller.error(error);
      }
    },
    async cancel(reason) {
      cancelled = true;
      release();
      await reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
