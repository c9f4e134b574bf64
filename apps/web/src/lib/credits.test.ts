import { describe, expect, it } from "vitest";
import { describeLine, formatSigned, operationName, shortfallExample } from "./credits.ts";

const line = (l: Partial<Parameters<typeof describeLine>[0]>) => ({
  state: "added" as const,
  amount: 0,
  reserved: 0,
  charged: 0,
  refunded: 0,
  operation: null,
  note: null,
  ...l,
});

describe("describeLine", () => {
  it("reads one line per operation by where it stands", () => {
    expect(describeLine(line({ state: "added", amount: 5000, note: "Welcome credits" }))).toMatchObject({
      label: "Welcome credits",
      change: "+5,000",
      tone: "plus",
    });
    expect(describeLine(line({ state: "added", amount: 10, note: "bonus" })).label).toBe("Bonus credits");
    expect(describeLine(line({ state: "reserved", reserved: 10, operation: "writer.generate" }))).toMatchObject({
      label: "Writer generation",
      change: "10 on hold",
      tone: "neutral",
    });
    // A reservation settled for less than it set aside: one line, charged what it used.
    expect(describeLine(line({ state: "charged", amount: -7, reserved: 10, charged: 7, operation: "writer.generate" }))).toEqual({
      label: "Writer generation",
      detail: "10 reserved, 7 used; the rest came back.",
      change: "−7",
      tone: "minus",
    });
    expect(describeLine(line({ state: "charged", amount: -2, charged: 2, operation: "chat.reply" }))).toMatchObject({
      detail: null,
      change: "−2",
    });
    expect(
      describeLine(line({ state: "released", reserved: 2, operation: "chat.reply", note: "The generation failed" })),
    ).toMatchObject({
      change: "No charge",
      detail: "The generation failed. Nothing was charged.",
    });
    expect(
      describeLine(
        line({ state: "refunded", charged: 10, refunded: 10, operation: "writer.generate", note: "Output was empty" }),
      ),
    ).toMatchObject({ change: "0", detail: "10 charged, 10 refunded · Output was empty." });
    expect(describeLine(line({ state: "expired", amount: -500, note: "Expired" }))).toMatchObject({
      label: "Expired credits",
      change: "−500",
    });
  });
});

describe("the not-enough-credits example", () => {
  it("is told with the reader's real balance, never a made-up one", () => {
    // Plenty of credits: the card cannot claim they are short; it says when it would appear.
    const plenty = shortfallExample(4845, 10, "writer.generate");
    expect(plenty).toMatchObject({ needed: null, available: null });
    expect(plenty.message).toContain("you have 4,845 available");
    expect(plenty.message).toContain("A writer generation costs 10 credits");
    // Really short: the real numbers, as the live error would show them.
    expect(shortfallExample(4, 10, "writer.generate")).toEqual({ needed: 10, available: 4, message: "" });
  });
});

describe("formatting", () => {
  it("signs amounts with a real minus", () => {
    expect([formatSigned(3), formatSigned(-1200), formatSigned(0)]).toEqual(["+3", "−1,200", "0"]);
  });

  it("names unknown operations sensibly", () => {
    expect(operationName("chat.reply")).toBe("Chat reply");
    expect(operationName("video.render-clip")).toBe("Video render clip");
    expect(operationName(null)).toBe("an operation");
  });

  it("names the study grading operations as the price list should show them", () => {
    expect(operationName("study.grade")).toBe("Short-answer grading");
    expect(operationName("study.score-writing")).toBe("Writing feedback");
  });
});
