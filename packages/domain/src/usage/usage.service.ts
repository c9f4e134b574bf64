/**
 * Metering for every AI call: rate limit → reserve credits and record the generation → call the
 * provider with NO transaction open → capture what it cost (or release, if it failed) and record the
 * outcome. The first two are one round trip each (SQL functions, migration 0067): on the way to the
 * provider's request every trip is time to first token. A crash between the call and the settlement
 * leaves a hold that the worker releases when it expires, and the generation is then marked failed: a
 * failed or interrupted generation costs nothing.
 *
 * A user who saved their own key for what the operation needs (their AI connection for text, their
 * image API key for images) has the call made with it (ai/user-connection.ts): no credits are held or
 * charged (they pay their provider), the rate limits still apply, and the generation is recorded with
 * provider "own-key".
 */
import { asSystem, asUser, type Database, type Tx } from "@inkwell/db";
import { type AiProvider, OWN_KEY_PROVIDER, type OwnKeyUse, runWithCallerAi, userConnectionsOf } from "../ai/index.ts";
import { credits, HOLD_TTL_SECONDS, type Operation, priceOf } from "../credits/index.ts";
import { DomainError } from "../platform/errors.ts";
import * as repo from "./usage.repository.ts";
import { DEFAULT_RATE_LIMITS, type Generation, type GenerationsInput, type RateLimitRule } from "./usage.schemas.ts";

export interface UsageDeps {
  db: Database;
  rateLimits?: Record<string, { perUser: RateLimitRule; perIp: RateLimitRule }>;
  /**
   * The routing provider from createAiProvider: a user's own AI connection (saved in identity, bound
   * with identity.useSavedAiConnections) is then used for their calls.
   */
  ai?: AiProvider;
}

export interface Actor {
  userId: string;
  ip: string;
}

export interface MeteredRequest {
  operation: Operation;
  /** Chosen by the client per attempt: a retried request reuses it and is never charged twice. */
  idempotencyKey: string;
  /** What was asked (any JSON); the same key with a different request is refused. */
  request: unknown;
  topic?: string;
  provider: string;
  quantity?: number;
  /**
   * Set by a caller that itself calls a service outside the AI layer with a key the user saved (their
   * ElevenLabs key for voice.speak): true, nothing is held or charged and the generation is recorded as
   * own-key; false, the listed price. Unset, the user's saved AI connections decide (OWN_KEY_OPERATIONS).
   */
  ownKey?: boolean;
}

export interface MeteredOutcome<T> {
  result: T;
  model: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** Credits to capture (≤ the reservation); the full price when omitted. */
  credits?: number;
}

/** Takes a generation start from the user's and the IP's sliding windows, or throws RATE_LIMITED. */
export async function takeRateLimit(deps: UsageDeps, actor: Actor, operation: string) {
  const rules = { ...DEFAULT_RATE_LIMITS, ...deps.rateLimits };
  const rule = rules[operation] ?? rules["*"];
  if (!rule) return;
  // One round trip (the locks, counts and the recorded start are one SQL call as the system role).
  const outcome = await repo.takeRateLimit(deps.db, actor.userId, [
    { key: `user:${actor.userId}:${operation}`, ...rule.perUser },
    { key: `ip:${actor.ip}:${operation}`, ...rule.perIp },
  ]);
  if (!outcome.ok) {
    throw new DomainError("RATE_LIMITED", `You're generating faster than allowed. Try again in ${outcome.retryAfterSeconds} s.`, {
      retryAfterSeconds: outcome.retryAfterSeconds,
    });
  }
}

/**
 * `keep`, if given, stores what the generation produced in the same transaction as the capture, so
 * the charge and the saved result commit together: a crash or a failed save between them can neither
 * charge for a result that was lost nor keep a result that was not paid for (the hold is released).
 */
export async function runMetered<T, K = undefined>(
  deps: UsageDeps,
  actor: Actor,
  request: MeteredRequest,
  call: () => Promise<MeteredOutcome<T>>,
  keep?: (tx: Tx, generation: { generationId: string; result: T }) => Promise<K>,
): Promise<{ result: T; generationId: string; credits: number; kept: K }> {
  await takeRateLimit(deps, actor, request.operation);
  // Before any transaction: reading the saved connection is a short transaction of its own.
  const own = request.ownKey === undefined ? await ownProvider(deps, actor.userId, request.operation) : undefined;
  const onOwnKey = request.ownKey ?? Boolean(own);
  // A call on the user's own key costs no credits (they pay their provider); see ARCHITECTURE.md.
  const price = onOwnKey ? 0 : priceOf(request.operation, request.quantity);
  const started = await start(deps, actor, request, price, onOwnKey);
  const release = async (tx: Tx, reason: string) => {
    if (started.holdId) await credits.release(tx, actor.userId, started.holdId, reason);
  };

  let outcome: MeteredOutcome<T>;
  try {
    outcome = await runWithCallerAi(own, call);
  } catch (error) {
    await asUser(deps.db, actor.userId, async (tx) => {
      await repo.finishGeneration(tx, started.generationId, {
        status: "failed",
        error: error instanceof Error ? error.message : "failed",
      });
      await release(tx, "The generation failed");
    });
    throw error;
  }

  const cost = Math.min(price, Math.max(0, Math.round(outcome.credits ?? price)));
  let kept: K;
  try {
    kept = await asUser(deps.db, actor.userId, async (tx) => {
      const k = keep ? await keep(tx, { generationId: started.generationId, result: outcome.result }) : (undefined as K);
      await repo.finishGeneration(tx, started.generationId, {
        status: "succeeded",
        model: outcome.model,
        inputTokens: outcome.inputTokens,
        outputTokens: outcome.outputTokens,
        latencyMs: Math.round(outcome.latencyMs),
        credits: cost,
      });
      // Last before COMMIT: the account row the capture locks is then held across one trip, not two.
      if (started.holdId) await credits.capture(tx, actor.userId, started.holdId, cost);
      return k;
    });
  } catch (error) {
    if (!keep) throw error;
    // The result could not be kept: it is not charged either.
    await asUser(deps.db, actor.userId, async (tx) => {
      await repo.finishGeneration(tx, started.generationId, {
        status: "failed",
        error: error instanceof Error ? error.message : "failed",
      });
      await release(tx, "The result could not be saved");
    });
    throw error;
  }
  return { result: outcome.result, generationId: started.generationId, credits: cost, kept };
}

/**
 * The hold (when the call costs anything) and the `running` generation, committed together in ONE
 * round trip (app.start_generation runs app.hold_credits, then records the generation). A replayed
 * hold means this request already started once: it is not run twice.
 */
async function start(deps: UsageDeps, actor: Actor, request: MeteredRequest, price: number, onOwnKey: boolean) {
  const hold =
    price > 0
      ? credits.holdCall(actor.userId, {
          operation: request.operation,
          amount: price,
          idempotencyKey: request.idempotencyKey,
          request: request.request,
        })
      : null;
  const row = await repo.startGeneration(deps.db, {
    userId: actor.userId,
    operation: request.operation,
    topic: request.topic ?? null,
    provider: onOwnKey ? OWN_KEY_PROVIDER : request.provider,
    hold,
  });
  let holdId: string | null = null;
  if (hold) {
    const h = credits.holdResult(row, hold.amount);
    if (h.replayed) throw new DomainError("PRECONDITION_FAILED", "This request was already started; it will not run twice.");
    holdId = h.holdId;
  }
  if (!row?.generation_id) throw new Error("the generation was not recorded");
  return { holdId, generationId: row.generation_id };
}

/**
 * The operations whose model calls can go to a user's own keys, and which key each needs: text (chat,
 * structured output, image descriptions) their AI connection, image generation their image API key.
 * Anything else runs on the server's provider at its price.
 */
export const OWN_KEY_OPERATIONS: Readonly<Record<string, OwnKeyUse>> = {
  "chat.reply": "text",
  "writer.generate": "text",
  "writer.iterate": "text",
  "voice.analyze": "text",
  "image.describe": "text",
  "image.generate": "image",
  // Spoken by the studio's TTS client with the user's ElevenLabs key (it passes MeteredRequest.ownKey).
  "voice.speak": "voice",
};

/** The caller's own provider when they saved the key the operation needs and the deps can route to it. */
async function ownProvider(deps: UsageDeps, userId: string, operation: string): Promise<AiProvider | undefined> {
  const connections = deps.ai && userConnectionsOf(deps.ai);
  const use = OWN_KEY_OPERATIONS[operation];
  if (!connections || !use) return undefined;
  return connections.providerFor(userId, use);
}

/**
 * What `operation` (times `quantity`) costs this user: 0 when it would run on their own key, the
 * listed price otherwise. Reads their saved keys in a short transaction of its own: call it before
 * opening one (an up-front affordability check), never inside.
 */
export async function priceFor(deps: UsageDeps, userId: string, operation: Operation, quantity = 1): Promise<number> {
  return (await ownProvider(deps, userId, operation)) ? 0 : priceOf(operation, quantity);
}

/** The operations that cost this user nothing because their own keys run them (for the cost labels). */
export async function ownKeyOperations(deps: UsageDeps, userId: string): Promise<string[]> {
  const connections = deps.ai && userConnectionsOf(deps.ai);
  if (!connections) return [];
  const uses = await connections.usesOf(userId);
  return Object.entries(OWN_KEY_OPERATIONS).flatMap(([operation, use]) => (uses.has(use) ? [operation] : []));
}

export function listGenerations(tx: Tx, input: GenerationsInput): Promise<Generation[]> {
  return repo.listGenerations(tx, input);
}

export function adminUsage(db: Database, input: { from?: Date; to?: Date }) {
  return asSystem(db, (tx) => repo.aggregateUsage(tx, input.from, input.to));
}

export function pruneRateLimits(db: Database, olderThanSeconds = 24 * 3600) {
  return asSystem(db, (tx) => repo.pruneRateLimits(tx, olderThanSeconds));
}

/** A generation without a hold is given as long as a hold lives (HOLD_TTL_SECONDS) before it counts as orphaned. */
export function failOrphanedGenerations(db: Database, holdlessAfterSeconds = HOLD_TTL_SECONDS) {
  return asSystem(db, (tx) => repo.failOrphaned(tx, holdlessAfterSeconds));
}

/** Generations per day and operation, for the admin dashboard (as the system: every user's rows). */
export function adminUsageByDay(db: Database, input: { days: number }) {
  return asSystem(db, (tx) => repo.usageByDay(tx, input.days));
}
