/**
 * Writer generations running in this process, keyed by output id: the text so far, an AbortController
 * (a deleted session stops its generations) and, per session, the subscribers of `writer.sessions.stream`.
 * Generation is decoupled from any request, as chat replies are (chat.live.ts): the browser may leave,
 * the output is still written.
 *
 * Subscribers get whole snapshots of one output at a time (text so far, then the stored version),
 * throttled to one per `SNAPSHOT_MS` per output while streaming, so a reconnect needs no offsets.
 * Single-instance, like chat's bus: a subscriber on another API instance polls the rows instead
 * (the draft is flushed to `writer_outputs.draft` as it streams).
 */
import type { WriterFormat } from "./writer-formats.ts";
import type { WriterStreamEvent } from "./writer-sessions.schemas.ts";

export const SNAPSHOT_MS = 60;

export interface LiveOutput {
  readonly outputId: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly format: WriterFormat;
  /** The version shown while this one streams (null for a first generation). */
  readonly previousVersionId: string | null;
  text: string;
  /**
   * What may be shown (and saved as the draft) of `text`: the banned phrases scrubbed once the voice is
   * known, so not even a draft holds one. The raw text is kept for the rules and the final check.
   */
  mask: (text: string) => string;
  readonly controller: AbortController;
  settled: boolean;
  /** Resolves once the output is settled in the database. */
  readonly done: Promise<void>;
}

type Internal = LiveOutput & { resolve(): void; timer: ReturnType<typeof setTimeout> | null };

const running = new Map<string, Internal>();
const listeners = new Map<string, Set<(event: WriterStreamEvent) => void>>();

export function startLive(
  outputId: string,
  sessionId: string,
  userId: string,
  format: WriterFormat,
  previousVersionId: string | null,
): LiveOutput {
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const live: Internal = {
    outputId,
    sessionId,
    userId,
    format,
    previousVersionId,
    text: "",
    mask: unmasked,
    controller: new AbortController(),
    settled: false,
    done,
    resolve,
    timer: null,
  };
  running.set(outputId, live);
  return live;
}

export const unmasked = (text: string) => text;

/** The text so far as subscribers and the draft get it. */
export const shownText = (live: LiveOutput) => live.mask(live.text);

export const getLive = (outputId: string): LiveOutput | undefined => running.get(outputId);

export function isOutputBusy(outputId: string): boolean {
  const live = running.get(outputId);
  return !!live && !live.settled;
}

export function snapshotOf(live: LiveOutput): WriterStreamEvent {
  return {
    outputId: live.outputId,
    format: live.format,
    versionId: live.previousVersionId,
    status: "streaming",
    content: shownText(live),
    parts: null,
    error: null,
  };
}

function publish(sessionId: string, event: WriterStreamEvent) {
  for (const listener of listeners.get(sessionId) ?? []) listener(event);
}

/** Adds streamed text; subscribers get a snapshot at most every SNAPSHOT_MS. */
export function appendText(live: LiveOutput, text: string) {
  const l = live as Internal;
  l.text += text;
  if (l.timer) return;
  l.timer = setTimeout(() => {
    l.timer = null;
    if (!l.settled) publish(l.sessionId, snapshotOf(l));
  }, SNAPSHOT_MS);
}

/** Replaces the text (a regeneration without banned phrases) and tells subscribers at once. */
export function replaceText(live: LiveOutput, text: string) {
  live.text = text;
  if (!live.settled) publish(live.sessionId, snapshotOf(live));
}

/** The output is settled in the database: send its final snapshot and forget it. */
export function settle(live: LiveOutput, final: WriterStreamEvent) {
  const l = live as Internal;
  if (l.timer) clearTimeout(l.timer);
  l.timer = null;
  l.settled = true;
  running.delete(l.outputId);
  publish(l.sessionId, final);
  l.resolve();
}

/** Forgets a generation refused before it started (nobody has seen it stream). */
export function discardLive(live: LiveOutput) {
  const l = live as Internal;
  l.settled = true;
  running.delete(l.outputId);
  l.resolve();
}

/** Sends an event about an output that is not generating (an edit or a restore) to the session's subscribers. */
export const announce = publish;

export function subscribe(sessionId: string, listener: (event: WriterStreamEvent) => void): () => void {
  let set = listeners.get(sessionId);
  if (!set) {
    set = new Set();
    listeners.set(sessionId, set);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (!set.size) listeners.delete(sessionId);
  };
}

export function abortSession(sessionId: string) {
  for (const live of running.values()) if (live.sessionId === sessionId) live.controller.abort();
}

/** Every running generation's settlement (graceful shutdown and tests). */
export function allDone(): Promise<void> {
  return Promise.all([...running.values()].map((l) => l.done)).then(() => undefined);
}
