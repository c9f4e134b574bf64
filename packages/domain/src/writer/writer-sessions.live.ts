/**
 * Writer generations on the generation engine (../generation): one per output, grouped by session (a
 * deleted session stops its generations), with what writer keeps beside the text: the format, the
 * version shown meanwhile, and the mask that scrubs banned phrases from what is shown.
 *
 * Subscribers of a session's channel get whole snapshots of one output at a time (text so far, then
 * the stored version), throttled to one per `SNAPSHOT_MS` per output while streaming, so a reconnect
 * needs no offsets and a duplicate or a late snapshot is harmless.
 */
import type { Generation, GenerationEngine } from "../generation/index.ts";
import type { WriterFormat } from "./writer-formats.ts";
import type { WriterStreamEvent } from "./writer-sessions.schemas.ts";

export const SNAPSHOT_MS = 60;

export const channelOf = (sessionId: string) => `writer:${sessionId}`;

export interface LiveOutput extends Generation {
  readonly engine: GenerationEngine;
  readonly sessionId: string;
  readonly format: WriterFormat;
  /** The version shown while this one streams (null for a first generation). */
  readonly previousVersionId: string | null;
  /**
   * What may be shown (and saved as the draft) of `text`: the banned phrases scrubbed once the voice is
   * known, so not even a draft holds one. The raw text is kept for the rules and the final check.
   */
  mask: (text: string) => string;
  timer: ReturnType<typeof setTimeout> | null;
}

export const unmasked = (text: string) => text;

export function startLive(
  engine: GenerationEngine,
  outputId: string,
  sessionId: string,
  userId: string,
  format: WriterFormat,
  previousVersionId: string | null,
): LiveOutput {
  return engine.begin(outputId, sessionId, userId, {
    engine,
    sessionId,
    format,
    previousVersionId,
    mask: unmasked,
    timer: null as ReturnType<typeof setTimeout> | null,
  });
}

/** The text so far as subscribers and the draft get it. */
export const shownText = (live: LiveOutput) => live.mask(live.text);

export const getLive = (engine: GenerationEngine, outputId: string) => engine.get(outputId) as LiveOutput | undefined;

export function snapshotOf(live: LiveOutput): WriterStreamEvent {
  return {
    outputId: live.key,
    format: live.format,
    versionId: live.previousVersionId,
    status: "streaming",
    content: shownText(live),
    parts: null,
    error: null,
  };
}

/** Sends an event about an output to this process's subscribers of its session. */
export function announce(engine: GenerationEngine, sessionId: string, event: WriterStreamEvent) {
  engine.bus.publish(channelOf(sessionId), event);
}

/** Adds streamed text; subscribers get a snapshot at most every SNAPSHOT_MS. */
export function appendText(live: LiveOutput, text: string) {
  live.text += text;
  if (live.timer) return;
  live.timer = setTimeout(() => {
    live.timer = null;
    if (!live.settled) announce(live.engine, live.sessionId, snapshotOf(live));
  }, SNAPSHOT_MS);
}

/** Replaces the text (a regeneration without banned phrases) and tells subscribers at once. */
export function replaceText(live: LiveOutput, text: string) {
  live.text = text;
  if (!live.settled) announce(live.engine, live.sessionId, snapshotOf(live));
}

/** The output is settled in the database: send its final snapshot and forget it. */
export function settle(live: LiveOutput, final: WriterStreamEvent) {
  if (live.timer) clearTimeout(live.timer);
  live.timer = null;
  live.engine.end(live);
  announce(live.engine, live.sessionId, final);
}
