import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Image generations the worker tracks (issue 14.4; named apart from the usage log's `generations`).
 * A row is inserted `pending` with its credit hold and a fresh `submit_key` in the transaction that
 * enqueues its submit job; the worker then moves it submitting → queued → in_progress → a terminal
 * status, every step a conditional UPDATE on the status it expects, so two deliveries of one job (or
 * the user's cancel racing the worker) settle it once. `submit_key` is the Idempotency-Key sent to the
 * image API: a submit retried after a crash gets the same provider job back, never a second one.
 *
 * The foreign keys to `image_prompts` and `model_personas` (other streams' tables) are added by 0057.
 * The owner reads and writes their rows; the worker runs as the owner too (captures and stored files
 * are theirs), and the sweep, which looks across users for stuck rows, as the system role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE image_generations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      prompt_id uuid,
      persona_id uuid,
      prompt_text text NOT NULL CHECK (char_length(prompt_text) BETWEEN 1 AND 4000),
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'submitting', 'queued', 'in_progress', 'completed', 'failed', 'nsfw', 'cancelled')),
      provider text NOT NULL CHECK (char_length(provider) <= 40),
      -- Made by the offline renderer (a placeholder the UI labels).
      offline boolean NOT NULL DEFAULT false,
      provider_job_id text CHECK (char_length(provider_job_id) <= 4000),
      submit_key uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
      model text CHECK (char_length(model) <= 100),
      settings jsonb NOT NULL DEFAULT '{}',
      hold_id uuid REFERENCES credit_holds(id) ON DELETE SET NULL,
      result_file_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(result_file_ids) <= 8),
      -- Aligned with result_file_ids: the asset each result was saved as (NULL: not saved).
      saved_asset_ids uuid[] NOT NULL DEFAULT '{}',
      error_message text CHECK (char_length(error_message) <= 1000),
      poll_attempts integer NOT NULL DEFAULT 0 CHECK (poll_attempts >= 0),
      next_poll_at timestamptz,
      started_at timestamptz,
      completed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX image_generations_user_idx ON image_generations (user_id)`.execute(db);
  await sql`CREATE INDEX image_generations_user_status_idx ON image_generations (user_id, status)`.execute(db);
  await sql`CREATE INDEX image_generations_user_created_idx ON image_generations (user_id, created_at DESC, id DESC)`.execute(db);
  // The watch subscription asks "what changed since" per user.
  await sql`CREATE INDEX image_generations_user_updated_idx ON image_generations (user_id, updated_at)`.execute(db);
  // The sweep: rows still in flight, oldest due first (terminal rows are never in this index).
  await sql`CREATE INDEX image_generations_due_idx ON image_generations (next_poll_at)
             WHERE status IN ('pending', 'submitting', 'queued', 'in_progress')`.execute(db);
  await sql`CREATE INDEX image_generations_provider_job_idx ON image_generations (provider_job_id)
             WHERE provider_job_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX image_generations_hold_idx ON image_generations (hold_id) WHERE hold_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "image_generations");
  await enableRls(db, "image_generations", {
    user: { select: "user_id", insert: "user_id", update: "user_id" },
    userColumnUpdates: [
      "status",
      "provider_job_id",
      "result_file_ids",
      "saved_asset_ids",
      "error_message",
      "poll_attempts",
      "next_poll_at",
      "started_at",
      "completed_at",
      "offline",
    ],
    system: ["SELECT", "UPDATE"],
  });
}
