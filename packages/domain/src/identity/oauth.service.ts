/**
 * Sign-in with other accounts (Clever, Google): one flow for both, through oauth4webapi.
 *
 * Start: a random state (only its SHA-256 is stored), a PKCE verifier (sealed with the secret box) and,
 * for OpenID Connect, a nonce; the row lives ten minutes and is consumed by the callback, so a replayed
 * or late callback finds nothing. Callback: the state row is consumed first, the response checked
 * (oauth4webapi), the code exchanged with the client secret and the verifier, the profile read; then,
 * in one short system transaction (no HTTP call inside it), the provider account is found, or linked
 * to the account that started a link from settings, or linked to an existing account whose e-mail the
 * provider verified, or a new account is made. The session is identity's own (issueSession).
 */
import { asSystem, type SessionAuth, type Tx } from "@inkwell/db";
import * as oauth from "oauth4webapi";
import { credits } from "../credits/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import { type KeyRing, open, seal } from "../platform/secret-box.ts";
import { hashToken } from "../platform/tokens.ts";
import * as repo from "./identity.repository.ts";
import { type IdentityDeps, type IssuedSession, issueSession, type RequestMeta } from "./identity.service.ts";
import {
  authorizationServer,
  callbackUrl,
  cleverProfile,
  insecureOption,
  type OAuthProvider,
  type OAuthSignInRuntime,
  type ProviderProfile,
  scopesOf,
} from "./oauth.providers.ts";
import * as oauthRepo from "./oauth.repository.ts";

export const SIGN_IN_STATE_TTL_SECONDS = 10 * 60;

/** What an account made or signed in through a provider holds instead of a password hash (never verifies). */
const NO_PASSWORD = "!no-password:signed-up-with-another-account";

export interface OAuthSignInDeps extends IdentityDeps {
  oauth: OAuthSignInRuntime;
  /**
   * Runs in the sign-in transaction once the provider account is linked to a user (the API wires the
   * classrooms module here: a Clever sign-in records the user's Clever role and claims their roster rows).
   */
  afterLink?: (tx: Tx, link: { userId: string; provider: OAuthProvider; profile: ProviderProfile }) => Promise<void>;
}

/** A path on our own origin to return to; anything else (another origin, `//host`, `/\host`) becomes "/". */
export function safeRedirect(to: string | null | undefined): string {
  if (!to?.startsWith("/") || to.startsWith("//") || to.startsWith("/\\") || to.length > 500) return "/";
  // A control character (a header-splitting attempt, or a tab the browser strips into `//`) voids it.
  if ([...to].some((ch) => ch.charCodeAt(0) < 0x20)) return "/";
  // Returned as a URL parser normalises it: dot segments, `%2e` and backslashes can spell `//host`
  // (`/.//host`, `/a/..//host`, `/x/..\\host`), which the callback's own parsing would then produce.
  const base = "http://inkwell.invalid";
  let url: URL;
  try {
    url = new URL(to, base);
  } catch {
    return "/";
  }
  if (url.origin !== base || url.pathname.startsWith("//")) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.length > 500 ? "/" : path;
}

const verifierAad = (stateHash: Buffer) => `oauth_sign_in_states:${stateHash.toString("hex")}`;
const tokenAad = (userId: string, provider: OAuthProvider, kind: "access" | "refresh") =>
  `oauth_accounts:${userId}:${provider}:${kind}`;

const client = (runtime: OAuthSignInRuntime, provider: OAuthProvider): oauth.Client => ({
  client_id: runtime.providers[provider].clientId,
});

/** The provider's authorization URL for a new sign-in (or, with `linkUserId`, for linking to that account). */
export async function startSignIn(
  deps: OAuthSignInDeps,
  provider: OAuthProvider,
  options: { redirectTo?: string | null; linkUserId?: string | null; loginHint?: string | null; ip?: string },
): Promise<{ url: string; state: string }> {
  const as = await authorizationServer(deps.oauth, provider);
  if (!as.authorization_endpoint) throw new DomainError("UPSTREAM_FAILED", "The sign-in provider has no authorization endpoint.");
  const state = oauth.generateRandomState();
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const nonce = provider === "google" ? oauth.generateRandomNonce() : null;
  const stateHash = hashToken(state);
  const sealed = seal(deps.config.keyRing, verifier, verifierAad(stateHash));
  await asSystem(deps.db, async (tx) => {
    // Anyone may start a sign-in and each start stores a row for ten minutes: counted per address, as
    // password sign-ins are, so a loop cannot fill the table.
    const rule = deps.config.throttle.signInPerIp;
    const { attempts, retryAfterSeconds } = await repo.hitThrottle(
      tx,
      `oauth-start:${options.ip ?? "unknown"}`,
      rule.windowSeconds,
    );
    if (attempts > rule.limit)
      throw new DomainError("RATE_LIMITED", "Too many attempts. Please wait and try again.", { retryAfterSeconds });
    await oauthRepo.insertState(tx, {
      stateHash,
      provider,
      verifierSealed: sealed.ciphertext,
      keyId: sealed.keyId,
      nonce,
      redirectTo: safeRedirect(options.redirectTo),
      linkUserId: options.linkUserId ?? null,
      ttlSeconds: SIGN_IN_STATE_TTL_SECONDS,
    });
  });
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("client_id", deps.oauth.providers[provider].clientId);
  url.searchParams.set("redirect_uri", callbackUrl(deps.oauth, provider));
  url.searchParams.set("response_type", "code");
  const scope = scopesOf(provider);
  if (scope) url.searchParams.set("scope", scope);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (nonce) url.searchParams.set("nonce", nonce);
  if (options.loginHint) url.searchParams.set("login_hint", options.loginHint.slice(0, 200));
  return { url: url.toString(), state };
}

const START_AGAIN = "This sign-in has expired or was already used. Please start again.";

function providerError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof oauth.AuthorizationResponseError) {
    return new DomainError(
      "INVALID_INPUT",
      error.error === "access_denied" ? "Sign-in was cancelled." : "The sign-in provider refused the sign-in. Please try again.",
    );
  }
  if (error instanceof oauth.ResponseBodyError) {
    return new DomainError("INVALID_INPUT", "The sign-in provider refused the sign-in. Please try again.");
  }
  return new DomainError("UPSTREAM_FAILED", "The sign-in provider could not be reached. Please try again.");
}

export interface FinishedSignIn {
  session: IssuedSession | null;
  userId: string;
  redirectTo: string;
  /** "linked": attached to the account that started a link; "created": a new account. */
  outcome: "signed_in" | "linked" | "created";
}

/** A started sign-in, taken from its state row (which is gone once read: single use). */
export interface StartedSignIn {
  provider: OAuthProvider;
  state: string;
  verifier: string;
  nonce: string | null;
  redirectTo: string;
  /** Set when the person started a link from Settings: a failure goes back there, not to sign-in. */
  linkUserId: string | null;
}

/** Consumes the sign-in's state (callback step one); TOKEN_INVALID when unknown, used, expired or another provider's. */
export async function consumeSignIn(
  deps: OAuthSignInDeps,
  provider: OAuthProvider,
  params: URLSearchParams,
): Promise<StartedSignIn> {
  const state = params.get("state");
  if (!state || state.length > 200) throw new DomainError("TOKEN_INVALID", START_AGAIN);
  const stateHash = hashToken(state);
  const row = await asSystem(deps.db, (tx) => oauthRepo.consumeState(tx, stateHash));
  if (!row?.live || row.provider !== provider) throw new DomainError("TOKEN_INVALID", START_AGAIN);
  return {
    provider,
    state,
    verifier: open(deps.config.keyRing, { keyId: row.key_id, ciphertext: row.code_verifier_sealed }, verifierAad(stateHash)),
    nonce: row.nonce,
    redirectTo: row.redirect_to,
    linkUserId: row.link_user_id,
  };
}

/** Completes a sign-in from the provider's callback parameters (code, state, or error). */
export async function finishSignIn(
  deps: OAuthSignInDeps,
  provider: OAuthProvider,
  params: URLSearchParams,
  meta: RequestMeta,
): Promise<FinishedSignIn> {
  return completeSignIn(deps, await consumeSignIn(deps, provider, params), params, meta);
}

/** Callback step two: checks the provider's answer, exchanges the code, reads the profile, links or signs in. */
export async function completeSignIn(
  deps: OAuthSignInDeps,
  started: StartedSignIn,
  params: URLSearchParams,
  meta: RequestMeta,
): Promise<FinishedSignIn> {
  const { provider, state, verifier } = started;

  let profile: ProviderProfile;
  let tokens: oauth.TokenEndpointResponse;
  try {
    const as = await authorizationServer(deps.oauth, provider);
    const c = client(deps.oauth, provider);
    const checked = oauth.validateAuthResponse(as, c, params, state);
    const settings = deps.oauth.providers[provider];
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      c,
      oauth.ClientSecretBasic(settings.clientSecret),
      checked,
      callbackUrl(deps.oauth, provider),
      verifier,
      { signal: AbortSignal.timeout(10_000), ...insecureOption(settings.issuer) },
    );
    tokens = await oauth.processAuthorizationCodeResponse(as, c, response, {
      ...(started.nonce ? { expectedNonce: started.nonce, requireIdToken: true } : {}),
    });
    if (provider === "google") {
      const claims = oauth.getValidatedIdTokenClaims(tokens);
      if (!claims) throw new DomainError("UPSTREAM_FAILED", "The sign-in provider sent no identity.");
      const info = await oauth.processUserInfoResponse(
        as,
        c,
        claims.sub,
        await oauth.userInfoRequest(as, c, tokens.access_token, {
          signal: AbortSignal.timeout(10_000),
          ...insecureOption(settings.issuer),
        }),
      );
      profile = {
        id: info.sub,
        email: typeof info.email === "string" ? info.email.toLowerCase() : null,
        emailVerified: info.email_verified === true,
        name: typeof info.name === "string" ? info.name : null,
      };
    } else {
      profile = await cleverProfile(deps.oauth.cleverApiUrl, tokens.access_token);
    }
  } catch (error) {
    throw providerError(error);
  }

  return asSystem(deps.db, async (tx) => {
    const known = await oauthRepo.findAccount(tx, provider, profile.id);
    let userId: string;
    let outcome: FinishedSignIn["outcome"] = "signed_in";
    if (started.linkUserId) {
      if (known && known.user_id !== started.linkUserId)
        throw new DomainError("CONFLICT", "That account already signs in to another Inkwell account.");
      userId = started.linkUserId;
      outcome = "linked";
    } else if (known) {
      userId = known.user_id;
    } else {
      const email = profile.email;
      const existing = email ? await oauthRepo.findUserByEmail(tx, email) : undefined;
      if (existing) {
        // Linking by e-mail only when the provider checked the address: otherwise whoever controls a
        // provider record with someone's address would walk into their account. And only into an account
        // that proved the address itself: an unverified sign-up may be a squatter's, whose password
        // would then open the account the address's owner goes on to use (pre-account hijacking).
        if (!profile.emailVerified || !existing.email_verified_at)
          throw new DomainError(
            "CONFLICT",
            "An account with this e-mail already exists. Sign in with your password, then link this account in Settings.",
          );
        userId = existing.id;
      } else {
        userId = await createUser(tx, provider, profile);
        outcome = "created";
      }
    }
    await oauthRepo.upsertAccount(tx, {
      userId,
      provider,
      providerAccountId: profile.id,
      email: profile.email,
      emailVerified: profile.emailVerified,
      scopes: tokens.scope ?? null,
      ...sealTokens(deps.config.keyRing, userId, provider, tokens),
    });
    await deps.afterLink?.(tx, { userId, provider, profile });
    const session = outcome === "linked" ? null : await issueSession(deps, tx, userId, meta);
    return { session, userId, redirectTo: started.redirectTo, outcome };
  });
}

async function createUser(tx: Tx, provider: OAuthProvider, profile: ProviderProfile): Promise<string> {
  // Roster records without an address (younger students, often) still need the unique e-mail column:
  // an address that can receive nothing, which says where the account came from.
  const email =
    profile.email ??
    `${provider}.${profile.id
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, "-")
      .slice(0, 180)}@accounts.invalid`;
  const id = await repo.insertUser(tx, { email, passwordHash: NO_PASSWORD, displayName: profile.name?.slice(0, 80) ?? null });
  if (!id)
    throw new DomainError(
      "CONFLICT",
      "An account with this e-mail already exists. Sign in with your password, then link this account in Settings.",
    );
  if (profile.emailVerified) await repo.markEmailVerified(tx, id);
  await credits.grantSignup(tx, id);
  return id;
}

/**
 * Only Clever's tokens are kept (the roster sync calls Clever's API as the teacher), sealed; Google's
 * are not needed after sign-in and are dropped.
 */
function sealTokens(keyRing: KeyRing, userId: string, provider: OAuthProvider, tokens: oauth.TokenEndpointResponse) {
  if (provider !== "clever") {
    return { accessTokenSealed: null, refreshTokenSealed: null, tokenKeyId: null, tokenExpiresAt: null };
  }
  const access = seal(keyRing, tokens.access_token, tokenAad(userId, provider, "access"));
  const refresh = tokens.refresh_token ? seal(keyRing, tokens.refresh_token, tokenAad(userId, provider, "refresh")) : null;
  return {
    accessTokenSealed: access.ciphertext,
    refreshTokenSealed: refresh?.ciphertext ?? null,
    tokenKeyId: access.keyId,
    tokenExpiresAt: tokens.expires_in ? new Date(Date.now() + tokens.expires_in * 1000) : null,
  };
}

/** The user's stored provider access token, opened (server side only: the roster sync). */
export async function providerAccessToken(
  keyRing: KeyRing,
  tx: Tx,
  userId: string,
  provider: OAuthProvider,
): Promise<string | null> {
  const row = await oauthRepo.findAccountOfUser(tx, userId, provider);
  if (!row?.access_token_sealed || !row.token_key_id) return null;
  return open(keyRing, { keyId: row.token_key_id, ciphertext: row.access_token_sealed }, tokenAad(userId, provider, "access"));
}

export interface LinkedAccount {
  id: string;
  provider: OAuthProvider;
  email: string | null;
  createdAt: Date;
  lastSignInAt: Date;
}

export async function listLinked(tx: Tx): Promise<{ accounts: LinkedAccount[] }> {
  const rows = await oauthRepo.listAccounts(tx);
  return {
    accounts: rows.map((r) => ({
      id: r.id,
      provider: r.provider as OAuthProvider,
      email: r.email,
      createdAt: r.created_at,
      lastSignInAt: r.last_sign_in_at,
    })),
  };
}

/**
 * Unlinks one of the caller's accounts, unless it is their last way to sign in (no password, no other
 * link). `afterUnlink` runs in the same transaction (the API wires classrooms: unlinking Clever releases
 * the roster rows it claimed).
 */
export async function unlink(
  tx: Tx,
  auth: SessionAuth,
  id: string,
  afterUnlink?: (tx: Tx, link: { userId: string; provider: OAuthProvider; providerAccountId: string }) => Promise<void>,
): Promise<void> {
  const mine = (await oauthRepo.listAccounts(tx)).find((a) => a.id === id);
  if (!mine) throw notFound("Linked account");
  const others = (await oauthRepo.countAccounts(tx, auth.userId)) - 1;
  if (others < 1 && !(await oauthRepo.hasPassword(tx, auth.userId)))
    throw new DomainError(
      "PRECONDITION_FAILED",
      "This is your only way to sign in. Set a password first (Forgot password on the sign-in page), then unlink it.",
    );
  const gone = await oauthRepo.deleteAccount(tx, id);
  if (!gone) throw notFound("Linked account");
  await afterUnlink?.(tx, {
    userId: auth.userId,
    provider: gone.provider as OAuthProvider,
    providerAccountId: gone.provider_account_id,
  });
}
