import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Sign-in with other accounts (seed 004 `accounts`): `oauth_accounts` links a provider's account
 * (Clever, Google) to a user, unique per (provider, provider_account_id). Tokens are kept only where a
 * later job needs them (Clever's, for the roster sync), sealed with the secret box (`key_id` names the
 * key); the user may see and unlink their own links, never read the ciphertext's meaning.
 *
 * `oauth_sign_in_states` holds a started sign-in for ten minutes: only the SHA-256 of the state travels
 * back, the PKCE verifier is sealed, and the callback consumes the row (single use). Nobody is signed
 * in yet when they are read, so only the system role touches them. (Publishing's `oauth_states` is for
 * social connections of a signed-in user and is a different thing.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE oauth_accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN ('clever', 'google')),
      provider_account_id text NOT NULL CHECK (char_length(provider_account_id) BETWEEN 1 AND 255),
      email text CHECK (char_length(email) <= 254),
      email_verified boolean NOT NULL DEFAULT false,
      scopes text CHECK (char_length(scopes) <= 1000),
      access_token_sealed text,
      refresh_token_sealed text,
      token_key_id text,
      token_expires_at timestamptz,
      last_sign_in_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (provider, provider_account_id),
      UNIQUE (user_id, provider)
    )`.execute(db);
  await touchUpdatedAt(db, "oauth_accounts");
  await enableRls(db, "oauth_accounts", {
    user: { select: "user_id", delete: "user_id" },
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });

  await sql`
    CREATE TABLE oauth_sign_in_states (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      state_hash bytea NOT NULL UNIQUE CHECK (length(state_hash) = 32),
      provider text NOT NULL CHECK (provider IN ('clever', 'google')),
      code_verifier_sealed text NOT NULL,
      key_id text NOT NULL,
      nonce text CHECK (char_length(nonce) <= 200),
      redirect_to text NOT NULL DEFAULT '/' CHECK (char_length(redirect_to) <= 500 AND left(redirect_to, 1) = '/'),
      link_user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX oauth_sign_in_states_expires_idx ON oauth_sign_in_states (expires_at)`.execute(db);
  await touchUpdatedAt(db, "oauth_sign_in_states");
  await enableRls(db, "oauth_sign_in_states", { system: ["SELECT", "INSERT", "DELETE"] });
}
