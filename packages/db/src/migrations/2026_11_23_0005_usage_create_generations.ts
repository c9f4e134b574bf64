import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Every AI call is recorded (seed 004 `generations`, seed 003 message metadata): what was asked, which
 * model, tokens in/out, latency, credits, outcome. `generation_rate_limits` is a sliding-window log of
 * generation starts per user and per IP (seed 004), pruned by the worker.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE generations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      operation text NOT NULL CHECK (length(operation) <= 64),
      topic text CHECK (length(topic) <= 500),
      provider text NOT NULL CHECK (length(provider) <= 32),
      model text CHECK (length(model) <= 128),
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
      input_tokens integer CHECK (input_tokens >= 0),
      output_tokens integer CHECK (output_tokens >= 0),
      latency_ms integer CHECK (latency_ms >= 0),
      credits integer NOT NULL DEFAULT 0 CHECK (credits >= 0),
      hold_id uuid REFERENCES credit_holds(id) ON DELETE SET NULL,
      error text CHECK (length(error) <= 1000),
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX generations_user_time_idx ON generations (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX generations_hold_idx ON generations (hold_id)`.execute(db);
  await touchUpdatedAt(db, "generations");
  await enableRls(db, "generations", {
    user: { select: "user_id", insert: "user_id", update: "user_id" },
    userColumnUpdates: ["status", "model", "input_tokens", "output_tokens", "latency_ms", "credits", "error", "completed_at"],
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });

  await sql`
    CREATE TABLE generation_rate_limits (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      bucket text NOT NULL CHECK (length(bucket) <= 200),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX generation_rate_limits_bucket_idx ON generation_rate_limits (bucket, created_at)`.execute(db);
  // Per-IP buckets span users (the window counts everyone behind one address), so only the system
  // role reads and writes this log; the service takes the bucket lock and counts there.
  await enableRls(db, "generation_rate_limits", { system: ["SELECT", "INSERT", "DELETE"] });
  await sql`GRANT USAGE ON SEQUENCE generation_rate_limits_id_seq TO inkwell_system`.execute(db);
}
