/**
 * Expiring signed URLs for private files: `/files/<id>?exp=<unix seconds>&sig=<HMAC>`. The signature
 * is the capability (an <img> cannot send a bearer token, and a link in a post preview must work
 * without a session). The HMAC key is derived (HKDF) from each key of the app's encryption key ring
 * with its own label, so no extra secret is needed and the encryption keys themselves are never used
 * for signing; a URL signed before a key rotation still verifies while its key is in the ring.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { KeyRing } from "../platform/secret-box.ts";

const LABEL = "inkwell/files/signed-url/v1";
const derived = new WeakMap<Buffer, Buffer>();

function signingKey(secret: Buffer): Buffer {
  let key = derived.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), LABEL, 32));
    derived.set(secret, key);
  }
  return key;
}

const mac = (key: Buffer, id: string, exp: number) => createHmac("sha256", key).update(`${id}\n${exp}`).digest();

export function signFile(ring: KeyRing, id: string, exp: number): string {
  const secret = ring.keys[ring.currentKeyId];
  if (!secret) throw new Error("current encryption key missing");
  return mac(signingKey(secret), id, exp).toString("base64url");
}

export type SignatureCheck = "ok" | "expired" | "invalid";

/**
 * Checks the signature first (constant-time, against every key in the ring), then the expiry: a
 * tampered expiry is "invalid", a genuine one in the past "expired".
 */
export function verifyFileSignature(
  ring: KeyRing,
  id: string,
  exp: string | undefined,
  sig: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return "invalid";
  const given = Buffer.from(sig, "base64url");
  const expiry = Number(exp);
  let valid = false;
  for (const secret of Object.values(ring.keys)) {
    // No early exit: the time taken does not say which key matched.
    if (timingSafeEqual(given, mac(signingKey(secret), id, expiry))) valid = true;
  }
  if (!valid) return "invalid";
  return expiry < nowSeconds ? "expired" : "ok";
}
