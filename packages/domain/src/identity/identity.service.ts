/**
 * Identity rules: accounts, sessions, e-mail verification, password reset, profile, API keys, admin.
 *
 * Flows that hash a password never hold a transaction open while argon2 runs (tens of milliseconds
 * of CPU): they read in one short transaction, hash or verify outside, and write in another.
 */
import { asSession, asSystem, asUser, type Database, type SessionAuth, type Tx } from "@inkwell/db";
import { type AiProvider, checkBaseUrl, OPENAI_BASE_URL, type SavedAiConnections, userConnectionsOf } from "../ai/index.ts";
import { credits } from "../credits/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue } from "../platform/queue.ts";
import { type KeyRing, open, seal } from "../platform/secret-box.ts";
import { hashToken, newToken } from "../platform/tokens.ts";
import { passwordResetMailJob, sendEmailJob, signUpMailJob } from "./identity.jobs.ts";
import { linkMail } from "./identity.mail.ts";
import * as repo from "./identity.repository.ts";
import type {
  AdminListUsersInput,
  AiConnectionTest,
  ApiKeySummary,
  Me,
  SaveApiKeyInput,
  SessionSummary,
  SignInInput,
  SignUpInput,
  TestAiConnectionInput,
  UpdateProfileInput,
} from "./identity.schemas.ts";
import { dummyPasswordHash, hashPassword, isCommonPassword, needsRehash, verifyPassword } from "./passwords.ts";

export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

export interface IdentityConfig {
  /** Public base URL of the web app, for links in e-mails. */
  appUrl: string;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  verifyEmailTtlSeconds: number;
  resetPasswordTtlSeconds: number;
  keyRing: KeyRing;
  throttle: {
    signInPerEmailIp: ThrottleRule;
    signInPerIp: ThrottleRule;
    signUpPerIp: ThrottleRule;
    resetPerIp: ThrottleRule;
    changePasswordPerUser: ThrottleRule;
    changePasswordPerIp: ThrottleRule;
  };
}

export const defaultIdentitySettings = {
  sessionIdleSeconds: 7 * 24 * 3600,
  sessionAbsoluteSeconds: 30 * 24 * 3600,
  verifyEmailTtlSeconds: 48 * 3600,
  resetPasswordTtlSeconds: 3600,
  throttle: {
    signInPerEmailIp: { limit: 10, windowSeconds: 15 * 60 },
    signInPerIp: { limit: 100, windowSeconds: 15 * 60 },
    signUpPerIp: { limit: 20, windowSeconds: 3600 },
    resetPerIp: { limit: 20, windowSeconds: 3600 },
    changePasswordPerUser: { limit: 10, windowSeconds: 15 * 60 },
    changePasswordPerIp: { limit: 100, windowSeconds: 15 * 60 },
  },
} satisfies Omit<IdentityConfig, "appUrl" | "keyRing">;

export interface IdentityDeps {
  db: Database;
  config: IdentityConfig;
  enqueue: Enqueue;
}

export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

export interface IssuedSession {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

function assertPasswordAllowed(password: string) {
  if (isCommonPassword(password)) {
    throw new DomainError("INVALID_INPUT", "This password is too common. Choose one that is harder to guess.", {
      field: "password",
    });
  }
}

async function throttle(tx: Tx, key: string, rule: ThrottleRule) {
  const { attempts, retryAfterSeconds } = await repo.hitThrottle(tx, key, rule.windowSeconds);
  if (attempts > rule.limit) {
    throw new DomainError("RATE_LIMITED", "Too many attempts. Please wait and try again.", { retryAfterSeconds });
  }
}

/** Also used by sign-in with other accounts (oauth.service.ts): one way a session is made. */
export async function issueSession(deps: IdentityDeps, tx: Tx, userId: string, meta: RequestMeta): Promise<IssuedSession> {
  const { token, hash } = newToken();
  const row = await repo.insertSession(tx, {
    userId,
    tokenHash: hash,
    userAgent: meta.userAgent,
    ip: meta.ip,
    idleSeconds: deps.config.sessionIdleSeconds,
    absoluteSeconds: deps.config.sessionAbsoluteSeconds,
  });
  return { token, sessionId: row.id, expiresAt: row.expires_at };
}

/** For a signed-in person, whose address is known to have an account: the link is made here. */
async function sendVerification(deps: IdentityDeps, tx: Tx, userId: string, email: string) {
  const mail = await linkMail(tx, {
    userId,
    purpose: "verify_email",
    appUrl: deps.config.appUrl,
    ttlSeconds: deps.config.verifyEmailTtlSeconds,
  });
  await deps.enqueue(tx, sendEmailJob, { to: email, ...mail });
}

/**
 * Answers and works the same whether or not the address already has an account, so sign-up cannot be
 * used to find out who has one: the password is hashed either way, one job is enqueued either way (in
 * the same transaction), and nobody is signed in by the answer. The job mails a new account its
 * confirmation link and an existing account's holder a note that someone tried. A new account exists
 * (with its welcome credits) once this returns, so the person who made it can sign in at once.
 */
export async function signUp(deps: IdentityDeps, input: SignUpInput, meta: RequestMeta): Promise<void> {
  assertPasswordAllowed(input.password);
  await asSystem(deps.db, (tx) => throttle(tx, `signup-ip:${meta.ip}`, deps.config.throttle.signUpPerIp));
  const passwordHash = await hashPassword(input.password);
  await asSystem(deps.db, async (tx) => {
    // The same statements run for a new and a taken address (granting and creating the profile only for
    // new accounts made a taken address answer measurably sooner): the insert creates account and profile
    // in one statement or does nothing, the account is read back either way, and the welcome grant (seed
    // 004: 5,000 credits) runs either way; for a taken address it finds its idempotency key used, since the
    // holder got it at their own sign-up.
    const created = await repo.insertUser(tx, { email: input.email, passwordHash, displayName: input.displayName ?? null });
    const userId = (await repo.findUserByEmail(tx, input.email))?.id;
    if (userId) await credits.grantSignup(tx, userId);
    await deps.enqueue(tx, signUpMailJob, {
      email: input.email,
      newAccount: created !== undefined,
      appUrl: deps.config.appUrl,
      ttlSeconds: deps.config.verifyEmailTtlSeconds,
    });
  });
}

const INVALID_CREDENTIALS = "Wrong e-mail or password.";

export async function signIn(deps: IdentityDeps, input: SignInInput, meta: RequestMeta) {
  const emailIpKey = `signin-email-ip:${input.email}|${meta.ip}`;
  // Counted before the password is checked, in its own committed transaction, so concurrent guesses
  // cannot all slip under the limit. Per e-mail+IP (a guesser cannot lock the owner out from another
  // network) and per IP (one network cannot spray many accounts).
  await asSystem(deps.db, async (tx) => {
    await throttle(tx, emailIpKey, deps.config.throttle.signInPerEmailIp);
    await throttle(tx, `signin-ip:${meta.ip}`, deps.config.throttle.signInPerIp);
  });
  const user = await asSystem(deps.db, (tx) => repo.findUserByEmail(tx, input.email));
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok) throw new DomainError("INVALID_CREDENTIALS", INVALID_CREDENTIALS);
  const rehash = needsRehash(user.password_hash) ? await hashPassword(input.password) : undefined;
  return asSystem(deps.db, async (tx) => {
    if (rehash) await repo.updatePasswordHash(tx, user.id, rehash, { changed: false });
    await repo.clearThrottle(tx, emailIpKey);
    const session = await issueSession(deps, tx, user.id, meta);
    const me = await repo.getMe(tx, user.id);
    if (!me) throw new Error("user vanished");
    return { session, me };
  });
}

export async function signOut(tx: Tx, auth: SessionAuth) {
  await repo.deleteSession(tx, auth.sessionId);
}

export async function signOutEverywhere(tx: Tx, auth: SessionAuth) {
  await repo.deleteSessionsOfUser(tx, auth.userId);
}

/**
 * The account behind a session token, or null when the token names no live session: the web asks this
 * first to decide which screen to show. The session's idle expiry is extended as with any request.
 */
export function meForSession(db: Database, tokenHash: Buffer, idleSeconds: number): Promise<Me | null> {
  return asSession(db, tokenHash, idleSeconds, async (tx, auth) => (auth ? getMe(tx, auth) : null));
}

export async function getMe(tx: Tx, auth: SessionAuth): Promise<Me> {
  const me = await repo.getMe(tx, auth.userId);
  if (!me) throw notFound("Account");
  return me;
}

export async function verifyEmail(deps: IdentityDeps, token: string) {
  await asSystem(deps.db, async (tx) => {
    const userId = await repo.consumeUserToken(tx, "verify_email", hashToken(token));
    if (!userId) throw new DomainError("TOKEN_INVALID", "This confirmation link is invalid, used or expired. Ask for a new one.");
    await repo.markEmailVerified(tx, userId);
  });
}

export async function resendVerification(deps: IdentityDeps, auth: SessionAuth) {
  if (auth.emailVerified) return { alreadyVerified: true };
  await asSystem(deps.db, async (tx) => {
    await throttle(tx, `verify-resend:${auth.userId}`, { limit: 5, windowSeconds: 3600 });
    await sendVerification(deps, tx, auth.userId, auth.email);
  });
  return { alreadyVerified: false };
}

/**
 * Answers and works the same whether or not the e-mail has an account: it only enqueues a job with the
 * address; the worker looks the account up, makes the link and mails it (a lookup and a token insert
 * here made the answer measurably slower for existing accounts).
 */
export async function requestPasswordReset(deps: IdentityDeps, email: string, meta: RequestMeta) {
  await asSystem(deps.db, async (tx) => {
    await throttle(tx, `reset-ip:${meta.ip}`, deps.config.throttle.resetPerIp);
    await deps.enqueue(tx, passwordResetMailJob, {
      email,
      requestedAt: new Date().toISOString(),
      appUrl: deps.config.appUrl,
      ttlSeconds: deps.config.resetPasswordTtlSeconds,
    });
  });
}

const RESET_LINK_INVALID = "This reset link is invalid, used or expired. Ask for a new one.";

export async function resetPassword(deps: IdentityDeps, token: string, password: string) {
  assertPasswordAllowed(password);
  // The link is checked before the password is hashed: anyone may call this, unthrottled, and a hash
  // costs ~19 MB and tens of ms of a libuv thread, so made-up tokens (25 to a batch) would otherwise
  // queue hashes ahead of everyone's sign-in. Consuming it still decides, after the hash.
  const tokenHash = hashToken(token);
  if (!(await asSystem(deps.db, (tx) => repo.isLiveUserToken(tx, "reset_password", tokenHash))))
    throw new DomainError("TOKEN_INVALID", RESET_LINK_INVALID);
  const passwordHash = await hashPassword(password);
  await asSystem(deps.db, async (tx) => {
    const userId = await repo.consumeUserToken(tx, "reset_password", tokenHash);
    if (!userId) throw new DomainError("TOKEN_INVALID", RESET_LINK_INVALID);
    await repo.updatePasswordHash(tx, userId, passwordHash, { changed: true });
    await repo.voidUserTokens(tx, userId, "reset_password");
    // Following the link proved the mailbox is theirs.
    await repo.markEmailVerified(tx, userId);
    await repo.deleteSessionsOfUser(tx, userId);
  });
}

/**
 * Changing the password ends every session (including this one), voids outstanding reset links and
 * issues a fresh session.
 */
export async function changePassword(
  deps: IdentityDeps,
  auth: SessionAuth,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<IssuedSession> {
  assertPasswordAllowed(input.newPassword);
  // A stolen session must not become an unlimited password oracle: guesses at the current password
  // are counted like sign-in attempts, before the check and in their own committed transaction, per
  // account (whatever the network) and per IP.
  const userKey = `change-password-user:${auth.userId}`;
  await asSystem(deps.db, async (tx) => {
    await throttle(tx, userKey, deps.config.throttle.changePasswordPerUser);
    await throttle(tx, `change-password-ip:${meta.ip}`, deps.config.throttle.changePasswordPerIp);
  });
  const current = await asSystem(deps.db, (tx) => repo.findPasswordHash(tx, auth.userId));
  if (!current || !(await verifyPassword(current, input.currentPassword))) {
    throw new DomainError("INVALID_INPUT", "Your current password is not correct.", { field: "currentPassword" });
  }
  const passwordHash = await hashPassword(input.newPassword);
  return asSystem(deps.db, async (tx) => {
    await repo.updatePasswordHash(tx, auth.userId, passwordHash, { changed: true });
    await repo.clearThrottle(tx, userKey);
    // A reset link mailed before the change would otherwise still set a password (and end the new
    // session): whoever asked for it no longer needs it, and whoever intercepted it must not use it.
    await repo.voidUserTokens(tx, auth.userId, "reset_password");
    await repo.deleteSessionsOfUser(tx, auth.userId);
    return issueSession(deps, tx, auth.userId, meta);
  });
}

export async function updateProfile(tx: Tx, auth: SessionAuth, input: UpdateProfileInput): Promise<Me> {
  await repo.updateProfile(tx, auth.userId, {
    ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
    ...(input.avatarUrl !== undefined ? { avatar_url: input.avatarUrl } : {}),
    ...(input.preferences !== undefined ? { preferences: input.preferences } : {}),
  });
  return getMe(tx, auth);
}

export function listSessions(tx: Tx, auth: SessionAuth): Promise<SessionSummary[]> {
  return repo.listSessions(tx, auth.sessionId);
}

export async function revokeSession(tx: Tx, id: string) {
  if (!(await repo.deleteSession(tx, id))) throw notFound("Session");
}

const apiKeyAad = (userId: string, service: string) => `user_api_keys:${userId}:${service}`;

export function listApiKeys(tx: Tx): Promise<ApiKeySummary[]> {
  return repo.listApiKeys(tx);
}

/** What a keyless AI connection sends: local servers (Ollama) ignore the key, but the protocol wants one. */
const NO_KEY = "no-key";

const originOf = (baseUrl: string | null) => {
  try {
    return new URL(baseUrl ?? OPENAI_BASE_URL).origin;
  } catch {
    return null;
  }
};

/**
 * A saved key goes only to the address it was saved for. The key is write-only: were a new address
 * allowed to reuse it, saving or testing the connection with another server (a stolen session's) would
 * send that server the key. A new address needs the key typed again.
 */
function assertSavedKeyStays(saved: { baseUrl: string | null; keyless: boolean }, baseUrl: string | null) {
  if (saved.keyless || originOf(saved.baseUrl) === originOf(baseUrl)) return;
  throw new DomainError("INVALID_INPUT", "Enter the key again: a saved key is sent only to the address it was saved with.", {
    field: "key",
  });
}

/**
 * Seals the key with the current encryption key; only its last four characters are ever shown again.
 * The "openai" row is the user's own AI connection (base URL and model too), the "higgsfield" row their
 * image API key; the user's next metered call, in any process, uses what is saved (read-through).
 */
export async function saveApiKey(
  keyRing: KeyRing,
  tx: Tx,
  auth: SessionAuth,
  input: SaveApiKeyInput,
  policy: { allowPrivateAddresses: boolean } = { allowPrivateAddresses: false },
): Promise<ApiKeySummary> {
  const aad = apiKeyAad(auth.userId, input.service);
  if (input.service !== "openai" && (input.baseUrl || input.model))
    throw new DomainError("INVALID_INPUT", "Only the AI model connection has an address and a model.");
  if (input.baseUrl) checkBaseUrl(input.baseUrl, policy);
  let sealed: { ciphertext: string; keyId: string };
  let last4: string;
  if (input.key) {
    sealed = seal(keyRing, input.key, aad);
    last4 = input.key.slice(-4);
  } else {
    const saved = await repo.findApiKeyCiphertext(tx, input.service);
    if (saved) {
      if (input.service === "openai")
        assertSavedKeyStays({ baseUrl: saved.base_url, keyless: saved.last4 === "" }, input.baseUrl ?? null);
      sealed = { ciphertext: saved.ciphertext, keyId: saved.key_id };
      last4 = saved.last4;
    } else if (input.service === "openai" && input.baseUrl) {
      sealed = seal(keyRing, NO_KEY, aad);
      last4 = "";
    } else {
      throw new DomainError("INVALID_INPUT", "Enter the key.", { field: "key" });
    }
  }
  const summary = await repo.upsertApiKey(tx, {
    userId: auth.userId,
    service: input.service,
    label: input.label || null,
    ciphertext: sealed.ciphertext,
    keyId: sealed.keyId,
    last4,
    baseUrl: input.service === "openai" ? (input.baseUrl ?? null) : null,
    model: input.service === "openai" ? (input.model ?? null) : null,
  });
  return summary;
}

/** For server-side use only (e.g. calling a provider with the user's own key); never sent to a client. */
export async function revealApiKey(keyRing: KeyRing, tx: Tx, service: string): Promise<string | undefined> {
  const row = await repo.findApiKeyCiphertext(tx, service);
  if (!row) return undefined;
  return open(keyRing, { keyId: row.key_id, ciphertext: row.ciphertext }, apiKeyAad(row.user_id, service));
}

/** The service whose key is used for the user's image generations (the server's image API is of its kind). */
const IMAGE_API_SERVICE = "higgsfield";
/** The service whose key speaks the user's texts (studio personas' voices). */
const VOICE_SERVICE = "elevenlabs";

/**
 * Everything the user saved that their AI calls can use (their AI connection, their image API key),
 * opened, read as that user in one short transaction of its own (never inside a caller's).
 */
export async function loadSavedAiConnections(db: Database, keyRing: KeyRing, userId: string): Promise<SavedAiConnections> {
  const rows = await asUser(db, userId, (tx) => repo.findApiKeyCiphertexts(tx, ["openai", IMAGE_API_SERVICE, VOICE_SERVICE]));
  const text = rows.find((r) => r.service === "openai");
  const image = rows.find((r) => r.service === IMAGE_API_SERVICE);
  const opened = (row: { user_id: string; key_id: string; ciphertext: string }, service: string) =>
    open(keyRing, { keyId: row.key_id, ciphertext: row.ciphertext }, apiKeyAad(row.user_id, service));
  return {
    ...(text && { text: { baseUrl: text.base_url, apiKey: opened(text, "openai"), model: text.model } }),
    ...(image && { imageApiKey: opened(image, IMAGE_API_SERVICE) }),
    // Only whether it is there (the cost labels); the studio opens it itself when it speaks.
    ...(rows.some((r) => r.service === VOICE_SERVICE) && { voiceKeySaved: true }),
  };
}

/** Binds the routing provider to users' saved connections (once, where the app builds its deps). */
export function bindSavedAiConnections(ai: AiProvider, db: Database, keyRing: KeyRing) {
  userConnectionsOf(ai)?.useSaved((userId) => loadSavedAiConnections(db, keyRing, userId));
}

/**
 * A real short chat call with the entered settings, each missing one taken from the saved connection.
 * No transaction is open during the call (the saved settings are read in one of their own first).
 */
export async function testAiConnection(
  deps: { db: Database; keyRing: KeyRing; ai: AiProvider },
  userId: string,
  input: TestAiConnectionInput,
): Promise<AiConnectionTest> {
  const connections = userConnectionsOf(deps.ai);
  if (!connections) throw new DomainError("PRECONDITION_FAILED", "This server does not support personal AI connections.");
  const saved = (await loadSavedAiConnections(deps.db, deps.keyRing, userId)).text;
  const baseUrl = input.baseUrl ?? saved?.baseUrl ?? null;
  if (!input.key && saved) assertSavedKeyStays({ baseUrl: saved.baseUrl, keyless: saved.apiKey === NO_KEY }, baseUrl);
  const apiKey = input.key ?? saved?.apiKey ?? (baseUrl ? NO_KEY : undefined);
  if (!apiKey) throw new DomainError("INVALID_INPUT", "Enter the key.", { field: "key" });
  return connections.test({ baseUrl, apiKey, model: input.model ?? saved?.model ?? null });
}

export async function deleteApiKey(tx: Tx, id: string) {
  const owner = await repo.deleteApiKey(tx, id);
  if (!owner) throw notFound("API key");
}

export function assertAdmin(auth: SessionAuth) {
  if (auth.role !== "admin") throw new DomainError("FORBIDDEN", "Only administrators can do this.");
}

export async function adminListUsers(db: Database, auth: SessionAuth, input: AdminListUsersInput) {
  assertAdmin(auth);
  const rows = await asSystem(db, (tx) => repo.adminListUsers(tx, input));
  const last = rows.length === input.limit ? rows[rows.length - 1] : undefined;
  return {
    users: rows.map((r) => ({
      id: r.id,
      email: r.email,
      role: r.role,
      subscriptionTier: r.subscription_tier,
      emailVerified: r.email_verified_at !== null,
      displayName: r.display_name,
      createdAt: r.created_at,
    })),
    nextCursor: last ? { createdAt: last.created_at, id: last.id } : null,
  };
}

export async function adminSetSubscriptionTier(db: Database, auth: SessionAuth, input: { userId: string; tier: string }) {
  assertAdmin(auth);
  const ok = await asSystem(db, (tx) => repo.setSubscriptionTier(tx, input.userId, input.tier));
  if (!ok) throw notFound("User");
}

/**
 * A user's plan (tier and expiry) — `users` stays the one place the app reads it from. Subscriptions
 * (payments) set it from Stripe's events: the paid tier until the period's (or grace period's) end,
 * free when it ends. `expiresAt` null means the tier does not lapse (free, or set by an administrator).
 */
export async function plan(tx: Tx, userId: string): Promise<{ tier: Me["subscriptionTier"]; expiresAt: Date | null }> {
  const row = await repo.findPlan(tx, userId);
  if (!row) throw notFound("User");
  return { tier: row.subscription_tier as Me["subscriptionTier"], expiresAt: row.subscription_expires_at };
}

/** Sets the plan, in the caller's (system) transaction. */
export async function setPlan(tx: Tx, userId: string, tier: Me["subscriptionTier"], expiresAt: Date | null): Promise<void> {
  if (!(await repo.setPlan(tx, userId, tier, expiresAt))) throw notFound("User");
}

/** Make an existing account an administrator (operators' command line, not an API procedure). */
export async function grantAdmin(db: Database, email: string) {
  await asSystem(db, (tx) => repo.setRoleByEmail(tx, email.toLowerCase(), "admin"));
}
