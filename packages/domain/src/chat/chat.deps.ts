/** What the chat services run with (kept apart so the reply and documents files share it without a cycle). */
import type { Database } from "@inkwell/db";
import type { AiProvider } from "../ai/index.ts";
import type { GenerationEngine } from "../generation/index.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import type { usage } from "../usage/index.ts";

export interface ChatDeps {
  db: Database;
  ai: AiProvider;
  enqueue: Enqueue;
  log: Logger;
  rateLimits?: Parameters<typeof usage.runMetered>[0]["rateLimits"];
  /** The model's input window; history beyond it (less room for the reply) is summarised. */
  contextTokens?: number;
  /** Streamed text is written to the row at least this often, or every `flushTokens` deltas. */
  flushMs?: number;
  flushTokens?: number;
  /** The process's generation engine (tests play two API instances with two). */
  engine?: GenerationEngine;
}
