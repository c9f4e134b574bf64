import { hash } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { ARGON2_PARAMS, hashPassword, isCommonPassword, needsRehash, verifyPassword } from "./passwords.ts";

describe("passwords", () => {
  it("hashes with argon2id at OWASP's parameters and verifies", async () => {
    const h = await hashPassword("correct horse battery staple");
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(h, "correct horse battery stapl")).toBe(false);
    expect(needsRehash(h)).toBe(false);
  });

  it("flags hashes made with weaker parameters for an upgrade", async () => {
    const weak = await hash("pw-pw-pw-pw", { ...ARGON2_PARAMS, memoryCost: 4096 });
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash("$2b$10$bcrypt-hash")).toBe(true);
  });

  it("treats a malformed stored hash as a failed check, not a crash", async () => {
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });

  it("knows the common passwords, case-insensitively, and not good passphrases", () => {
    for (const p of ["password", "123456789", "Qwerty123", "iloveyou"]) expect(isCommonPassword(p), p).toBe(true);
    for (const p of ["correct horse battery staple", "vQ7#mL2!pZ9x"]) expect(isCommonPassword(p), p).toBe(false);
  });
});
