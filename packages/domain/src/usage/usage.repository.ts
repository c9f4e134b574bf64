/** The only SQL of the usage module: generation history and the rate-limit log. */
import { callAsSystem, callAsUser, type Database, newestFirst, type Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { Generation, GenerationsInput } from "./usage.schemas.ts";

/**
 * Sliding-window check for several buckets at once, all or nothing, in ONE round trip as the system
 * role (app.take_rate_limit, migration 0067): each bucket is serialised by a transaction-scoped
 * advisory lock (taken in a fixed order, so two callers cannot deadlock), then counted; only if every
 * bucket has room is one start recorded in each. Exactly `limit` starts get through per window,
 * however many arrive together.
 */
export async function takeRateLimit(
  db: Database,
  userId: string | null,
  buckets: { key: string; limit: number; windowSeconds: number }[],
): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number; key: string }> {
  const sorted = [...buckets].sort((a, b) => a.key.localeCompare(b.key));
  const [rows] = await callAsSystem(db, "app.take_rate_limit", [
    [
      { uuid: userId },
      { texts: sorted.map((b) => b.key) },
      { ints: sorted.map((b) => b.limit) },
      { ints: sorted.map((b) => b.windowSeconds) },
    ],
  ]);
  const row = rows?.[0] as
    | { outcome: "taken" | "limited"; bucket: string | null; oldest: Date | null; window_seconds: number | null }
    | undefined;
  if (row?.outcome !== "limited") return { ok: true };
  const oldest = row.oldest ? new Date(row.oldest).getTime() : Date.now();
  const windowSeconds = row.window_seconds ?? 0;
  const retryAfterSeconds = Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - Date.now()) / 1000));
  return { ok: false, retryAfterSeconds, key: row.bucket ?? "" };
}

/** What app.start_generation answers: the hold's outcome (credits' HoldRow) and the generation's id. */
export interface StartRow {
  outcome: "free" | "held" | "replayed" | "conflict" | "insufficient" | "no_account";
  hold_id: string | null;
  amount: number;
  status: "held" | "captured" | "released" | null;
  available: number;
  generation_id: string | null;
}

/**
 * A metered call's start as its own transaction, as the user, in ONE round trip (migration 0067's
 * app.start_generation): the credit hold when `hold` is given (app.hold_credits, the credits module's
 * rules), then the `running` generation; nothing is written when the hold is refused or replayed.
 */
export async function startGeneration(
  db: Database,
  values: {
    userId: string;
    operation: string;
    topic: string | null;
    provider: string;
    hold: { amount: number; idempotencyKey: string; requestHash: string; ttlSeconds: number } | null;
  },
): Promise<StartRow | undefined> {
  const [rows] = await callAsUser(db, values.userId, "app.start_generation", [
    [
      { uuid: values.userId },
      { text: values.operation },
      { text: values.topic?.slice(0, 500) ?? null },
      { text: values.provider },
      { int: values.hold?.amount ?? 0 },
      { text: values.hold?.idempotencyKey ?? null },
      { text: values.hold?.requestHash ?? null },
      { int: values.hold?.ttlSeconds ?? null },
    ],
  ]);
  return rows?.[0] as StartRow | undefined;
}

export async function pruneRateLimits(tx: Tx, olderThanSeconds: number) {
  const r = await tx
    .deleteFrom("generation_rate_limits")
    .where("created_at", "<", sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function finishGeneration(
  tx: Tx,
  id: string,
  values: {
    status: "succeeded" | "failed";
    model?: string | null;
    inputTokens?: number | null;
    outputTokens?: number | null;
    latencyMs?: number | null;
    credits?: number;
    error?: string | null;
  },
) {
  await tx
    .updateTable("generations")
    .set({
      status: values.status,
      model: values.model ?? null,
      input_tokens: values.inputTokens ?? null,
      output_tokens: values.outputTokens ?? null,
      latency_ms: values.latencyMs ?? null,
      credits: values.credits ?? 0,
      error: values.error?.slice(0, 1000) ?? null,
      completed_at: sql<Date>`now()`,
    })
    .where("id", "=", id)
    .where("status", "=", "running")
    .execute();
}

const page = newestFirst("created_at", "id");

export async function listGenerations(tx: Tx, input: GenerationsInput): Promise<Generation[]> {
  let q = tx.selectFrom("generations").selectAll().orderBy(page.order, "desc").orderBy("id", "desc").limit(input.limit);
  if (input.operation) q = q.where("operation", "=", input.operation);
  if (input.status) q = q.where("status", "=", input.status);
  if (input.cursor) {
    q = q.where(page.before({ at: input.cursor.createdAt, id: input.cursor.id }));
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    operation: r.operation,
    topic: r.topic,
    provider: r.provider,
    model: r.model,
    status: r.status as Generation["status"],
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    latencyMs: r.latency_ms,
    credits: r.credits,
    error: r.error,
    createdAt: r.created_at,
    completedAt: r.completed_at,
  }));
}

/**
 * Generations left running by a job that died: those whose hold was released by expiry, and those
 * that never had a hold (a call on the user's own key, a free operation) once they are older than a
 * hold would live (`holdlessAfterSeconds`): without this they showed "running" forever.
 */
export async function failOrphaned(tx: Tx, holdlessAfterSeconds: number) {
  const r = await sql`
    UPDATE generations g SET status = 'failed', error = 'The job stopped before finishing; nothing was charged.',
           completed_at = now()
     WHERE g.status = 'running'
       AND (EXISTS (SELECT 1 FROM credit_holds h WHERE h.id = g.hold_id AND h.status = 'released')
            OR (g.hold_id IS NULL AND g.created_at < now() - make_interval(secs => ${holdlessAfterSeconds})))`.execute(tx);
  return Number(r.numAffectedRows ?? 0n);
}

export async function aggregateUsage(tx: Tx, from: Date | undefined, to: Date | undefined) {
  let q = tx
    .selectFrom("generations")
    .select([
      "operation",
      "status",
      sql<number>`count(*)::int`.as("count"),
      sql<number>`coalesce(sum(credits), 0)::int`.as("credits"),
      sql<number>`coalesce(sum(input_tokens), 0)::int`.as("inputTokens"),
      sql<number>`coalesce(sum(output_tokens), 0)::int`.as("outputTokens"),
      sql<number>`count(DISTINCT user_id)::int`.as("users"),
    ])
    .groupBy(["operation", "status"])
    .orderBy("operation");
  if (from) q = q.where("created_at", ">=", from);
  if (to) q = q.where("created_at", "<", to);
  return q.execute();
}

/** Generations per UTC day and operation over the last `days` days (the admin usage dashboard). */
export async function usageByDay(tx: Tx, days: number) {
  return tx
    .selectFrom("generations")
    .select([
      sql<string>`to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`.as("day"),
      "operation",
      sql<number>`count(*)::int`.as("count"),
      sql<number>`count(*) FILTER (WHERE status = 'failed')::int`.as("failed"),
      sql<number>`coalesce(sum(credits), 0)::int`.as("credits"),
      sql<number>`count(DISTINCT user_id)::int`.as("users"),
    ])
    .where(
      "created_at",
      ">=",
      sql<Date>`date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => ${days - 1})`,
    )
    .groupBy(["day", "operation"])
    .orderBy("day", "desc")
    .orderBy("operation")
    .execute();
}
