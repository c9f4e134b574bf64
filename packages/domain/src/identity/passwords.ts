/**
 * Password hashing with argon2id at OWASP's recommended parameters (m = 19 MiB, t = 2, p = 1) through
 * @node-rs/argon2 (a maintained native binding, prebuilt per platform on npm). Hashes made with older
 * parameters are upgraded on the next successful sign-in.
 */
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";

// `Algorithm` is a const enum (not importable under verbatimModuleSyntax); 2 is Argon2id.
export const ARGON2_PARAMS = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** True when the stored hash was made with other parameters than today's. */
export function needsRehash(passwordHash: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!m) return true;
  return (
    Number(m[1]) !== ARGON2_PARAMS.memoryCost ||
    Number(m[2]) !== ARGON2_PARAMS.timeCost ||
    Number(m[3]) !== ARGON2_PARAMS.parallelism
  );
}

let dummyHash: Promise<string> | undefined;
/**
 * Verifying against this when the e-mail is unknown makes sign-in take the same time either way,
 * so timing does not reveal which addresses have accounts.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("inkwell-timing-equaliser-not-a-real-password");
  return dummyHash;
}

let common: Set<string> | undefined;
/** The ~30k most common passwords (zxcvbn's list), compared case-insensitively. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}
