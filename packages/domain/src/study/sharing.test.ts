/** Sharing's pure parts: expiry choices, the token's shape, the public inputs' limits. */
import { describe, expect, it } from "vitest";
import { newToken } from "../platform/tokens.ts";
import { expiryDate, shareMaterialWithUserInput, shareToken, submitSharedQuizInput } from "./sharing.schemas.ts";

describe("expiry choices", () => {
  const now = new Date("2026-01-31T12:00:00Z");
  it("are 1, 7 and 30 days from now, or never", () => {
    expect(expiryDate("1d", now)?.toISOString()).toBe("2026-02-01T12:00:00.000Z");
    expect(expiryDate("7d", now)?.toISOString()).toBe("2026-02-07T12:00:00.000Z");
    expect(expiryDate("30d", now)?.toISOString()).toBe("2026-03-02T12:00:00.000Z");
    expect(expiryDate("never", now)).toBeNull();
  });
});

describe("link tokens", () => {
  it("accept what newToken makes (256 bits, base64url) and nothing shorter, longer or outside the alphabet", () => {
    const { token } = newToken();
    expect(shareToken.safeParse(token).success).toBe(true);
    expect(shareToken.safeParse(token.slice(1)).success).toBe(false);
    expect(shareToken.safeParse(`${token}A`).success).toBe(false);
    expect(shareToken.safeParse(`${token.slice(1)}/`).success).toBe(false);
  });
});

describe("public inputs", () => {
  const token = newToken().token;
  it("take at most 50 answers of the three response kinds", () => {
    const answers = Array.from({ length: 51 }, (_, i) => ({ questionId: `q${i}`, response: true }));
    expect(submitSharedQuizInput.safeParse({ token, answers }).success).toBe(false);
    expect(submitSharedQuizInput.safeParse({ token, answers: answers.slice(0, 50) }).success).toBe(true);
    expect(submitSharedQuizInput.safeParse({ token, answers: [{ questionId: "q1", response: 6 }] }).success).toBe(false);
    expect(submitSharedQuizInput.safeParse({ token, answers: [{ questionId: "q1", response: { x: 1 } }] }).success).toBe(false);
  });
  it("lower-case the e-mail a material is shared with", () => {
    const parsed = shareMaterialWithUserInput.parse({
      itemId: "0b1e3c3e-7f0a-4c55-9d8e-2f8f5b0a9c11",
      email: "Bob@Example.TEST",
    });
    expect(parsed).toMatchObject({ email: "bob@example.test", allowResharing: false, expiresIn: "never" });
  });
});
