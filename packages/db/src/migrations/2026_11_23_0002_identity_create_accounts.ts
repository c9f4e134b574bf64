import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * One identity model for all five seeds: `users` (the account: e-mail, password hash, role, tier),
 * `profiles` (what the person shows: name, avatar, preferences), `sessions`, single-use `user_tokens`
 * (e-mail verification and password reset), `user_api_keys` (seed 002, encrypted) and `auth_throttles`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
      email_verified_at timestamptz,
      password_hash text NOT NULL,
      password_changed_at timestamptz NOT NULL DEFAULT now(),
      role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
      subscription_tier text NOT NULL DEFAULT 'free' CHECK (subscription_tier IN ('free', 'basic', 'pro', 'enterprise')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await touchUpdatedAt(db, "users");
  await enableRls(db, "users", {
    user: { select: "id", update: "id" },
    // A user may change their own password hash (after proving the old one); never role or tier.
    userColumnUpdates: ["password_hash", "password_changed_at", "email_verified_at"],
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });

  await sql`
    CREATE TABLE profiles (
      user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      display_name text CHECK (length(display_name) <= 80),
      avatar_url text CHECK (length(avatar_url) <= 2048),
      preferences jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(preferences) = 'object'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await touchUpdatedAt(db, "profiles");
  await enableRls(db, "profiles", {
    user: { select: "user_id", update: "user_id" },
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });

  await sql`
    CREATE TABLE sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      user_agent text CHECK (length(user_agent) <= 512),
      ip text CHECK (length(ip) <= 64),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      idle_expires_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`.execute(db);
  await sql`CREATE INDEX sessions_expires_idx ON sessions (idle_expires_at)`.execute(db);
  await touchUpdatedAt(db, "sessions");
  await enableRls(db, "sessions", {
    user: { select: "user_id", delete: "user_id" },
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });

  await sql`
    CREATE TABLE user_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX user_tokens_user_id_idx ON user_tokens (user_id, purpose)`.execute(db);
  await touchUpdatedAt(db, "user_tokens");
  // Tokens are redeemed without a session (the link in the e-mail), so only the system role touches them.
  await enableRls(db, "user_tokens", { system: ["SELECT", "INSERT", "UPDATE", "DELETE"] });

  await sql`
    CREATE TABLE user_api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      service text NOT NULL CHECK (service IN ('openai', 'elevenlabs', 'higgsfield', 'wavespeed', 'anthropic')),
      label text CHECK (length(label) <= 80),
      ciphertext text NOT NULL,
      key_id text NOT NULL,
      last4 text NOT NULL CHECK (length(last4) <= 4),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, service)
    )`.execute(db);
  await touchUpdatedAt(db, "user_api_keys");
  await enableRls(db, "user_api_keys", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
  });

  // Atomic counters for sign-in throttling, keyed by "ip:<ip>" and "email-ip:<email>|<ip>".
  await sql`
    CREATE TABLE auth_throttles (
      key text PRIMARY KEY CHECK (length(key) <= 400),
      window_started_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await touchUpdatedAt(db, "auth_throttles");
  await enableRls(db, "auth_throttles", { system: ["SELECT", "INSERT", "UPDATE", "DELETE"] });
}
