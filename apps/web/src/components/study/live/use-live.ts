/**
 * Follows a live game over its tRPC subscription (SSE). The server sends the whole view on every change and
 * ends a stream after a while; a new one opens at once (its first message is the state then), until the
 * game is over. `offsetMs` is the server's clock minus ours, so countdowns agree with the server's.
 */
import { useEffect, useState } from "react";

export interface Subscribable<V> {
  subscribe(
    input: unknown,
    handlers: { onData(v: V): void; onError(e: unknown): void; onComplete(): void; onStarted?(): void },
  ): { unsubscribe(): void };
}

export function useLiveStream<V extends { status: string; serverNow: Date | string; me?: { kicked: boolean } }>(
  open: ((handlers: Parameters<Subscribable<V>["subscribe"]>[1]) => { unsubscribe(): void }) | null,
) {
  const [view, setView] = useState<V | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [offsetMs, setOffsetMs] = useState(0);
  useEffect(() => {
    if (!open) return;
    let closed = false;
    let over = false;
    let sub: { unsubscribe(): void } | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const start = () => {
      sub = open({
        onData: (v) => {
          setView(v);
          setError(null);
          setOffsetMs(new Date(v.serverNow).getTime() - Date.now());
          over = v.status === "finished" || v.me?.kicked === true;
        },
        onError: (e) => {
          setError(e);
          // A refusal (not found, too many views) will not change by asking again at once.
          if (!closed) retry = setTimeout(start, 5_000);
        },
        onComplete: () => {
          if (!closed && !over) start();
        },
      });
    };
    start();
    return () => {
      closed = true;
      clearTimeout(retry);
      sub?.unsubscribe();
    };
  }, [open]);
  return { view, error, offsetMs };
}

/** Seconds left until `closesAt` by the server's clock, ticking. */
export function useSecondsLeft(closesAt: Date | string | null | undefined, offsetMs: number): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!closesAt) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [closesAt]);
  if (!closesAt) return null;
  return Math.max(0, Math.ceil((new Date(closesAt).getTime() - (now + offsetMs)) / 1000));
}

export const SHAPES = ["▲", "◆", "●", "■", "★", "⬟"];
