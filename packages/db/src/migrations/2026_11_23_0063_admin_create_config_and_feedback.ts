import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Administration and feedback (seed 004 `admin_config`, `admin_notifications`, `bug_reports`, `user_feedback`).
 *
 * - `admin_config` and `announcements` (the seed's `admin_notifications`) are the installation's, not a user's:
 *   only the system role reaches them; the admin service checks the admin role before it uses that role, and
 *   the public `system.announcements` reads the enabled, unexpired rows through it.
 * - `bug_reports` and `user_feedback` are the user's own data (exported, and deleted with the account, hence
 *   CASCADE). A user inserts and reads their own rows and may see the status an administrator set, but not the
 *   administrator's notes: those are staff-internal, so the user role gets column grants without `admin_notes`
 *   (and cannot set `status` or `admin_notes` on insert). Administrators work through the system role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE admin_config (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      config_key text NOT NULL UNIQUE CHECK (char_length(config_key) BETWEEN 1 AND 64),
      config_value jsonb NOT NULL,
      updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await touchUpdatedAt(db, "admin_config");
  await enableRls(db, "admin_config", { system: ["SELECT", "INSERT", "UPDATE", "DELETE"] });

  await sql`
    CREATE TABLE announcements (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
      message text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 1000),
      enabled boolean NOT NULL DEFAULT false,
      expires_at timestamptz,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX announcements_active_idx ON announcements (created_at DESC) WHERE enabled`.execute(db);
  await touchUpdatedAt(db, "announcements");
  await enableRls(db, "announcements", { system: ["SELECT", "INSERT", "UPDATE", "DELETE"] });

  await sql`
    CREATE TABLE bug_reports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      preferred_name text NOT NULL CHECK (char_length(preferred_name) BETWEEN 1 AND 100),
      severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
      error_code text CHECK (char_length(error_code) <= 100),
      has_error_code boolean NOT NULL DEFAULT false,
      description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 5000),
      browser_info text CHECK (char_length(browser_info) <= 1000),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'resolved', 'closed')),
      admin_notes text CHECK (char_length(admin_notes) <= 5000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (has_error_code = (error_code IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX bug_reports_user_created_idx ON bug_reports (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX bug_reports_status_created_idx ON bug_reports (status, created_at DESC)`.execute(db);
  await touchUpdatedAt(db, "bug_reports");
  await enableRls(db, "bug_reports", {
    user: { select: "user_id", insert: "user_id" },
    system: ["SELECT", "UPDATE"],
  });
  await sql`REVOKE SELECT, INSERT ON bug_reports FROM inkwell_user`.execute(db);
  await sql`GRANT SELECT (id, user_id, preferred_name, severity, error_code, has_error_code, description, browser_info, status, created_at, updated_at)
    ON bug_reports TO inkwell_user`.execute(db);
  await sql`GRANT INSERT (user_id, preferred_name, severity, error_code, has_error_code, description, browser_info)
    ON bug_reports TO inkwell_user`.execute(db);

  await sql`
    CREATE TABLE user_feedback (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      preferred_name text NOT NULL CHECK (char_length(preferred_name) BETWEEN 1 AND 100),
      feedback_type text NOT NULL CHECK (feedback_type IN ('general', 'feature_request', 'improvement', 'other')),
      message text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 5000),
      rating integer CHECK (rating BETWEEN 1 AND 5),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'reviewed', 'implemented', 'closed')),
      admin_notes text CHECK (char_length(admin_notes) <= 5000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX user_feedback_user_created_idx ON user_feedback (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX user_feedback_status_created_idx ON user_feedback (status, created_at DESC)`.execute(db);
  await touchUpdatedAt(db, "user_feedback");
  await enableRls(db, "user_feedback", {
    user: { select: "user_id", insert: "user_id" },
    system: ["SELECT", "UPDATE"],
  });
  await sql`REVOKE SELECT, INSERT ON user_feedback FROM inkwell_user`.execute(db);
  await sql`GRANT SELECT (id, user_id, preferred_name, feedback_type, message, rating, status, created_at, updated_at)
    ON user_feedback TO inkwell_user`.execute(db);
  await sql`GRANT INSERT (user_id, preferred_name, feedback_type, message, rating) ON user_feedback TO inkwell_user`.execute(db);
}
