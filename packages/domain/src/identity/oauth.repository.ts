/** The SQL of sign-in with other accounts (oauth_accounts, oauth_sign_in_states). Transaction first. */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { OAuthProvider } from "./oauth.providers.ts";

export async function insertState(
  tx: Tx,
  values: {
    stateHash: Buffer;
    provider: OAuthProvider;
    verifierSealed: string;
    keyId: string;
    nonce: string | null;
    redirectTo: string;
    linkUserId: string | null;
    ttlSeconds: number;
  },
) {
  // Abandoned sign-ins leave rows behind; the expired ones go as new ones come (indexed on expires_at).
  await tx.deleteFrom("oauth_sign_in_states").where("expires_at", "<", sql<Date>`now()`).execute();
  await tx
    .insertInto("oauth_sign_in_states")
    .values({
      state_hash: values.stateHash,
      provider: values.provider,
      code_verifier_sealed: values.verifierSealed,
      key_id: values.keyId,
      nonce: values.nonce,
      redirect_to: values.redirectTo,
      link_user_id: values.linkUserId,
      expires_at: sql<Date>`now() + make_interval(secs => ${values.ttlSeconds})`,
    })
    .execute();
}

/** Deletes the state row (single use) and says whether it was still live; undefined when unknown or used. */
export async function consumeState(tx: Tx, stateHash: Buffer) {
  return tx
    .deleteFrom("oauth_sign_in_states")
    .where("state_hash", "=", stateHash)
    .returning([
      "provider",
      "code_verifier_sealed",
      "key_id",
      "nonce",
      "redirect_to",
      "link_user_id",
      sql<boolean>`expires_at > now()`.as("live"),
    ])
    .executeTakeFirst();
}

export async function findAccount(tx: Tx, provider: OAuthProvider, providerAccountId: string) {
  return tx
    .selectFrom("oauth_accounts")
    .select(["id", "user_id"])
    .where("provider", "=", provider)
    .where("provider_account_id", "=", providerAccountId)
    .executeTakeFirst();
}

export async function findAccountOfUser(tx: Tx, userId: string, provider: OAuthProvider) {
  return tx
    .selectFrom("oauth_accounts")
    .select(["id", "provider_account_id", "access_token_sealed", "refresh_token_sealed", "token_key_id"])
    .where("user_id", "=", userId)
    .where("provider", "=", provider)
    .executeTakeFirst();
}

export async function findUserByEmail(tx: Tx, email: string) {
  return tx.selectFrom("users").select(["id", "email_verified_at"]).where("email", "=", email).executeTakeFirst();
}

export async function upsertAccount(
  tx: Tx,
  values: {
    userId: string;
    provider: OAuthProvider;
    providerAccountId: string;
    email: string | null;
    emailVerified: boolean;
    scopes: string | null;
    accessTokenSealed: string | null;
    refreshTokenSealed: string | null;
    tokenKeyId: string | null;
    tokenExpiresAt: Date | null;
  },
) {
  return tx
    .insertInto("oauth_accounts")
    .values({
      user_id: values.userId,
      provider: values.provider,
      provider_account_id: values.providerAccountId,
      email: values.email,
      email_verified: values.emailVerified,
      scopes: values.scopes,
      access_token_sealed: values.accessTokenSealed,
      refresh_token_sealed: values.refreshTokenSealed,
      token_key_id: values.tokenKeyId,
      token_expires_at: values.tokenExpiresAt,
    })
    .onConflict((oc) =>
      oc.columns(["provider", "provider_account_id"]).doUpdateSet((eb) => ({
        email: eb.ref("excluded.email"),
        email_verified: eb.ref("excluded.email_verified"),
        scopes: eb.ref("excluded.scopes"),
        access_token_sealed: eb.ref("excluded.access_token_sealed"),
        refresh_token_sealed: eb.ref("excluded.refresh_token_sealed"),
        token_key_id: eb.ref("excluded.token_key_id"),
        token_expires_at: eb.ref("excluded.token_expires_at"),
        last_sign_in_at: sql<Date>`now()`,
      })),
    )
    .returning(["id", "user_id"])
    .executeTakeFirstOrThrow();
}

/** The caller's links (RLS: their own rows). */
export async function listAccounts(tx: Tx) {
  return tx
    .selectFrom("oauth_accounts")
    .select(["id", "provider", "email", "created_at", "last_sign_in_at"])
    .orderBy("provider")
    .execute();
}

/** Whether the user can sign in with a password (an OAuth-made account holds no usable hash until reset). */
export async function hasPassword(tx: Tx, userId: string) {
  const row = await tx.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirst();
  return row?.password_hash.startsWith("$argon2") === true;
}

export async function countAccounts(tx: Tx, userId: string) {
  const row = await tx
    .selectFrom("oauth_accounts")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function deleteAccount(tx: Tx, id: string) {
  return tx.deleteFrom("oauth_accounts").where("id", "=", id).returning(["provider", "provider_account_id"]).executeTakeFirst();
}
