/** OAuth 2.0 PKCE (RFC 7636, S256) and state, from node:crypto. */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: "S256";
}

/** base64url(SHA-256(verifier)). */
export const codeChallengeFor = (codeVerifier: string) => createHash("sha256").update(codeVerifier).digest("base64url");

/** A 43-character verifier (32 random bytes, base64url) and its S256 challenge. */
export function createPkcePair(): PkcePair {
  const codeVerifier = randomBytes(32).toString("base64url");
  return { codeVerifier, codeChallenge: codeChallengeFor(codeVerifier), codeChallengeMethod: "S256" };
}

/** An unguessable state value to bind the callback to the browser session that started the flow. */
export const createOAuthState = () => randomBytes(24).toString("base64url");

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Reads the redirect back from the platform: the code when the state matches what we stored,
 * otherwise an error (a forged or replayed callback, or the person declined).
 */
export function readOAuthCallback(
  callbackUrl: string | URL,
  expectedState: string,
): { ok: true; code: string } | { ok: false; reason: string } {
  const params = new URL(callbackUrl).searchParams;
  const state = params.get("state");
  if (!state || !sameString(state, expectedState))
    return { ok: false, reason: "The sign-in could not be verified (state mismatch). Please try connecting again." };
  const error = params.get("error");
  if (error) return { ok: false, reason: `The platform did not grant access: ${params.get("error_description") ?? error}.` };
  const code = params.get("code");
  if (!code) return { ok: false, reason: "The platform sent no authorization code. Please try connecting again." };
  return { ok: true, code };
}
