/**
 * Chat replies on the generation engine (../generation), keyed by the assistant message id and grouped
 * by conversation (a delete stops its replies). Subscribers of a reply's channel get its deltas with
 * their offsets, then its final event: offsets make a duplicate or an overlap harmless and show a gap
 * (then the row is read again). In this process every token is published at once; other instances
 * get the batches as they are written to the row (NOTIFY in the same transaction).
 */
import type { Generation, GenerationEngine } from "../generation/index.ts";
import type { MessageMetadata, MessageStatus } from "./chat.schemas.ts";

export type LiveEvent =
  | { type: "delta"; offset: number; text: string }
  | {
      type: "final";
      status: Exclude<MessageStatus, "streaming">;
      length: number;
      metadata: MessageMetadata;
      error: string | null;
    };

export type FinalEvent = Extract<LiveEvent, { type: "final" }>;

export const channelOf = (messageId: string) => `chat:${messageId}`;

export interface LiveReply extends Generation {
  readonly engine: GenerationEngine;
  readonly conversationId: string;
  /** Set once the reply is settled in the database. */
  final: FinalEvent | null;
}

export function startLive(engine: GenerationEngine, messageId: string, userId: string, conversationId: string): LiveReply {
  return engine.begin(messageId, conversationId, userId, { engine, conversationId, final: null as FinalEvent | null });
}

export const getLive = (engine: GenerationEngine, messageId: string) => engine.get(messageId) as LiveReply | undefined;

export function emitDelta(live: LiveReply, text: string) {
  const offset = live.text.length;
  live.text += text;
  live.engine.bus.publish(channelOf(live.key), { type: "delta", offset, text } satisfies LiveEvent);
}

export function emitFinal(live: LiveReply, final: FinalEvent) {
  live.final = final;
  live.engine.end(live);
  live.engine.bus.publish(channelOf(live.key), final);
}
