import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * The publishing queue (seed 000 `scheduled_posts`). Composing once to several connections makes one
 * row per connection (its own variant: parts of a thread, title, media), sharing a `group_id`.
 *
 * Time: `scheduled_at` is the instant; `time_zone` (IANA) and `scheduled_local` (the wall-clock time
 * the person picked, 'YYYY-MM-DDTHH:mm') say what was meant, so a daylight-saving change never shifts
 * a post and the row explains itself.
 *
 * Exactly once (see docs/ARCHITECTURE.md, "The life of a post"): a worker claims a row with a
 * conditional UPDATE pending → publishing that writes `claim_token`/`claimed_at`; the platform is called
 * outside any transaction; each published part's id is saved the moment the platform confirms it
 * (`part_ids`); an answer that never came leaves `unknown`, reconciled against the platform before any
 * new request. `schedule_version` is bumped by every (re)schedule, publish-now and retry: a queue job
 * carries the version it was made for, so a job for an older schedule does nothing.
 *
 * `connection_id` is set null when the connection is removed: history stays, and a post still waiting
 * fails with a message instead of vanishing. `writer_output_id` has no FK: the writer's table is its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE scheduled_posts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      group_id uuid NOT NULL,
      connection_id uuid REFERENCES social_connections(id) ON DELETE SET NULL,
      platform text NOT NULL CHECK (platform IN ('x', 'linkedin', 'threads', 'wordpress')),
      parts text[] NOT NULL CHECK (cardinality(parts) BETWEEN 1 AND 25),
      title text CHECK (length(title) <= 500),
      media_file_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(media_file_ids) <= 10),
      status text NOT NULL CHECK (status IN ('draft', 'pending', 'publishing', 'published', 'failed', 'cancelled', 'unknown')),
      scheduled_at timestamptz,
      time_zone text CHECK (length(time_zone) BETWEEN 1 AND 64),
      scheduled_local text CHECK (scheduled_local ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$'),
      schedule_version integer NOT NULL DEFAULT 0 CHECK (schedule_version >= 0),
      platform_post_id text CHECK (length(platform_post_id) <= 500),
      platform_url text CHECK (length(platform_url) <= 2000),
      -- Ids of the parts already on the platform, in order (a thread is published part by part).
      part_ids text[] NOT NULL DEFAULT '{}',
      published_at timestamptz,
      error text CHECK (length(error) <= 2000),
      attempt_count integer NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
      claim_token uuid,
      claimed_at timestamptz,
      writer_output_id uuid,
      -- The composer's idempotency key: a repeated compose returns the first group.
      compose_key text CHECK (length(compose_key) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, compose_key, connection_id),
      CHECK ((time_zone IS NULL) = (scheduled_local IS NULL)),
      CHECK (time_zone IS NULL OR scheduled_at IS NOT NULL),
      CHECK (cardinality(part_ids) <= cardinality(parts)),
      -- Legal combinations per status.
      CHECK (status <> 'pending' OR (scheduled_at IS NOT NULL AND claim_token IS NULL AND published_at IS NULL)),
      CHECK (status <> 'publishing' OR (claim_token IS NOT NULL AND claimed_at IS NOT NULL AND scheduled_at IS NOT NULL)),
      CHECK (status <> 'unknown' OR (scheduled_at IS NOT NULL AND error IS NOT NULL)),
      CHECK (status <> 'published' OR (platform_post_id IS NOT NULL AND published_at IS NOT NULL AND claim_token IS NULL)),
      CHECK (status <> 'failed' OR (error IS NOT NULL AND claim_token IS NULL AND published_at IS NULL)),
      CHECK (status NOT IN ('draft', 'cancelled') OR (claim_token IS NULL AND published_at IS NULL)),
      -- The root's id is known once the first part is out (a thread cut short keeps it).
      CHECK ((platform_post_id IS NULL) = (cardinality(part_ids) = 0))
    )`.execute(db);
  // Queue, calendar and history of one user, by time.
  await sql`CREATE INDEX scheduled_posts_user_time_idx ON scheduled_posts (user_id, (COALESCE(scheduled_at, created_at)) DESC, id DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX scheduled_posts_group_idx ON scheduled_posts (group_id)`.execute(db);
  await sql`CREATE INDEX scheduled_posts_connection_idx ON scheduled_posts (connection_id) WHERE connection_id IS NOT NULL`.execute(
    db,
  );
  // The sweeper: rows in flight for too long, and pending rows whose time passed without a job.
  await sql`CREATE INDEX scheduled_posts_inflight_idx ON scheduled_posts (claimed_at) WHERE status IN ('publishing', 'unknown')`.execute(
    db,
  );
  await sql`CREATE INDEX scheduled_posts_due_idx ON scheduled_posts (scheduled_at) WHERE status = 'pending'`.execute(db);
  await touchUpdatedAt(db, "scheduled_posts");
  await enableRls(db, "scheduled_posts", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    // The owner composes, edits, reschedules, cancels and retries; publishing columns are the worker's.
    userColumnUpdates: [
      "parts",
      "title",
      "media_file_ids",
      "status",
      "scheduled_at",
      "time_zone",
      "scheduled_local",
      "schedule_version",
      "error",
      "attempt_count",
    ],
    // The worker claims, publishes and reconciles posts of every user.
    system: ["SELECT", "UPDATE"],
  });

  await sql`
    CREATE TABLE post_attempts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      post_id uuid NOT NULL REFERENCES scheduled_posts(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('publish', 'reconcile')),
      started_at timestamptz NOT NULL,
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      -- What we asked, in a line (never a token): "POST part 2/3 (214 chars), key …#1".
      request text NOT NULL CHECK (length(request) <= 2000),
      status_code integer,
      response text CHECK (length(response) <= 2000),
      outcome text NOT NULL CHECK (outcome IN ('published', 'partial', 'retry', 'failed', 'unknown', 'found', 'not_found')),
      error_kind text CHECK (error_kind IN ('transient', 'auth', 'permanent', 'unknown')),
      error text CHECK (length(error) <= 2000),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX post_attempts_post_idx ON post_attempts (post_id, started_at)`.execute(db);
  await sql`CREATE INDEX post_attempts_user_idx ON post_attempts (user_id)`.execute(db);
  await enableRls(db, "post_attempts", {
    user: { select: "user_id" },
    // Attempts are written by the worker only.
    system: ["SELECT", "INSERT"],
  });
}
