/**
 * AES-256-GCM for third-party secrets (API keys now, OAuth tokens later). Keys are versioned: each
 * ciphertext names the key id that sealed it, new secrets use the current key, and old keys stay in
 * the ring until everything is re-sealed, so keys can rotate without downtime. The associated data
 * binds a ciphertext to its row (owner + purpose): a sealed value copied to another row won't open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export interface KeyRing {
  currentKeyId: string;
  keys: Record<string, Buffer>;
}

/** "id1:base64key,id2:base64key" — the first is current. */
export function parseKeyRing(spec: string): KeyRing {
  const entries = spec.split(",").map((part) => {
    const [id, b64] = part.trim().split(":");
    if (!id || !b64 || !/^[a-z0-9_-]{1,16}$/i.test(id)) throw new Error("encryption key ring: expected id:base64key");
    const key = Buffer.from(b64, "base64");
    if (key.length !== 32) throw new Error(`encryption key ${id}: must be 32 bytes (base64)`);
    return [id, key] as const;
  });
  const first = entries[0];
  if (!first) throw new Error("encryption key ring is empty");
  return { currentKeyId: first[0], keys: Object.fromEntries(entries) };
}

export function generateKeySpec(id = "k1"): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

export interface Sealed {
  keyId: string;
  ciphertext: string;
}

export function seal(ring: KeyRing, plaintext: string, associatedData: string): Sealed {
  const key = ring.keys[ring.currentKeyId];
  if (!key) throw new Error("current encryption key missing");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return {
    keyId: ring.currentKeyId,
    ciphertext: [iv, tag, body].map((b) => b.toString("base64url")).join("."),
  };
}

export function open(ring: KeyRing, sealed: Sealed, associatedData: string): string {
  const key = ring.keys[sealed.keyId];
  if (!key) throw new Error(`encryption key ${sealed.keyId} is not in the key ring`);
  const [iv, tag, body] = sealed.ciphertext.split(".").map((p) => Buffer.from(p, "base64url"));
  if (!iv || !tag || !body) throw new Error("malformed ciphertext");
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
}
