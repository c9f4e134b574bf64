import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Publishing connections (seed 000 `social_connections`, seed 002 `threads_accounts`): the accounts a
 * user connected on X, LinkedIn, Threads (OAuth 2.0) and WordPress (site URL + application password),
 * several per platform. Secrets are sealed by the application (AES-256-GCM key ring, "keyId:ciphertext",
 * bound to the row and purpose) and never selected for the browser.
 *
 * Token refresh is serialised per connection by a lease (`refresh_lease_id` / `refresh_lease_until`),
 * not a row lock: the platform call must not run inside a transaction, yet two refreshes of a rotating
 * refresh token must never both reach the platform (the second would be refused and, under OAuth 2.1
 * reuse detection, revoke the grant).
 *
 * `oauth_states` carries an authorization in progress: the state (only its SHA-256), the PKCE verifier
 * (sealed), where the browser returns, and for a reconnect the connection it renews. Single use, 10 min.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE social_connections (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      platform text NOT NULL CHECK (platform IN ('x', 'linkedin', 'threads', 'wordpress')),
      -- The platform's user id (WordPress: site URL + user id, since ids repeat across sites).
      platform_account_id text NOT NULL CHECK (length(platform_account_id) BETWEEN 1 AND 2200),
      username text NOT NULL CHECK (length(username) BETWEEN 1 AND 320),
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 320),
      avatar_url text CHECK (length(avatar_url) <= 2000),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth')),
      scopes text[] NOT NULL DEFAULT '{}',
      access_token_sealed text CHECK (length(access_token_sealed) <= 20000),
      refresh_token_sealed text CHECK (length(refresh_token_sealed) <= 20000),
      access_expires_at timestamptz,
      -- Bumped on every credential write: the reauth notification is once per credential generation.
      token_version integer NOT NULL DEFAULT 1 CHECK (token_version >= 1),
      last_refreshed_at timestamptz,
      last_error text CHECK (length(last_error) <= 2000),
      last_error_at timestamptz,
      refresh_lease_id uuid,
      refresh_lease_until timestamptz,
      site_url text CHECK (length(site_url) <= 2000),
      site_username text CHECK (length(site_username) <= 320),
      app_password_sealed text CHECK (length(app_password_sealed) <= 4000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, platform, platform_account_id),
      CHECK (platform <> 'wordpress' OR (site_url IS NOT NULL AND site_username IS NOT NULL AND app_password_sealed IS NOT NULL)),
      CHECK (platform = 'wordpress' OR access_token_sealed IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX social_connections_user_idx ON social_connections (user_id, created_at, id)`.execute(db);
  // The refresh sweep: active OAuth connections by expiry.
  await sql`CREATE INDEX social_connections_expiry_idx ON social_connections (access_expires_at) WHERE status = 'active' AND platform <> 'wordpress'`.execute(
    db,
  );
  await touchUpdatedAt(db, "social_connections");
  await enableRls(db, "social_connections", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    // The worker refreshes tokens and the publisher reads credentials across users.
    system: ["SELECT", "UPDATE"],
  });

  await sql`
    CREATE TABLE oauth_states (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      state_hash bytea NOT NULL UNIQUE CHECK (length(state_hash) = 32),
      platform text NOT NULL CHECK (platform IN ('x', 'linkedin', 'threads')),
      code_verifier_sealed text NOT NULL CHECK (length(code_verifier_sealed) <= 2000),
      redirect_uri text NOT NULL CHECK (length(redirect_uri) <= 2000),
      reconnect_id uuid REFERENCES social_connections(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX oauth_states_user_idx ON oauth_states (user_id, created_at)`.execute(db);
  await sql`CREATE INDEX oauth_states_expiry_idx ON oauth_states (expires_at)`.execute(db);
  await enableRls(db, "oauth_states", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    userColumnUpdates: ["used_at"],
    // The sweep deletes expired states of every user.
    system: ["SELECT", "DELETE"],
  });
}
