import { describe, expect, it } from "vitest";
import { generateKeySpec, open, parseKeyRing, seal } from "./secret-box.ts";

describe("secret box (AES-256-GCM, versioned keys)", () => {
  const ring = parseKeyRing(generateKeySpec("k1"));

  it("round-trips and never stores the plaintext", () => {
    const sealed = seal(ring, "sk-secret-value", "row-1");
    expect(sealed.keyId).toBe("k1");
    expect(sealed.ciphertext).not.toContain("secret");
    expect(open(ring, sealed, "row-1")).toBe("sk-secret-value");
    // A fresh IV each time: the same secret never looks the same twice.
    expect(seal(ring, "sk-secret-value", "row-1").ciphertext).not.toBe(sealed.ciphertext);
  });

  it("refuses a ciphertext moved to another row, or tampered with", () => {
    const sealed = seal(ring, "sk-secret-value", "row-1");
    expect(() => open(ring, sealed, "row-2")).toThrow();
    const [iv, tag, body] = sealed.ciphertext.split(".");
    const flipped = Buffer.from(body as string, "base64url");
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(() => open(ring, { ...sealed, ciphertext: [iv, tag, flipped.toString("base64url")].join(".") }, "row-1")).toThrow();
  });

  it("rotates: a new current key seals, old ciphertexts still open while the old key is in the ring", () => {
    const old = seal(ring, "before-rotation", "row");
    const oldSpec = `k1:${ring.keys.k1?.toString("base64")}`;
    const rotated = parseKeyRing(`${generateKeySpec("k2")},${oldSpec}`);
    expect(rotated.currentKeyId).toBe("k2");
    expect(open(rotated, old, "row")).toBe("before-rotation");
    expect(seal(rotated, "after", "row").keyId).toBe("k2");
    expect(() => open(parseKeyRing(generateKeySpec("k2")), old, "row")).toThrow(/not in the key ring/);
  });

  it("rejects malformed key specs", () => {
    expect(() => parseKeyRing("k1:c2hvcnQ=")).toThrow(/32 bytes/);
    expect(() => parseKeyRing("no-colon")).toThrow();
  });
});
