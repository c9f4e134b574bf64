import { describe, expect, it } from "vitest";
import { describeEntry, formatSigned, operationName } from "./credits.ts";

const entry = (e: Partial<Parameters<typeof describeEntry>[0]>) => ({
  type: "grant" as const,
  amount: 0,
  heldDelta: 0,
  operation: null,
  note: null,
  ...e,
});

describe("describeEntry", () => {
  it("labels each kind of ledger entry", () => {
    expect(describeEntry(entry({ type: "grant", amount: 5000, note: "Welcome credits" }))).toMatchObject({
      label: "Welcome credits",
      change: "+5,000",
      tone: "plus",
    });
    expect(describeEntry(entry({ type: "grant", amount: 10, note: "bonus" })).label).toBe("Bonus credits");
    expect(describeEntry(entry({ type: "charge", amount: -20, operation: "study.generate" }))).toMatchObject({
      label: "Charged for Study material",
      change: "−20",
      tone: "minus",
    });
    expect(describeEntry(entry({ type: "hold", heldDelta: 40, operation: "image.generate" }))).toMatchObject({
      label: "Reserved for Image generation",
      change: "40 on hold",
      tone: "neutral",
    });
    expect(describeEntry(entry({ type: "capture", amount: -38, heldDelta: -40, operation: "image.generate" })).label).toBe(
      "Charged for Image generation",
    );
    expect(
      describeEntry(entry({ type: "release", heldDelta: -2, operation: "chat.reply", note: "The generation failed" })),
    ).toMatchObject({
      change: "2 returned",
      detail: "The generation failed. Nothing was charged.",
    });
    expect(describeEntry(entry({ type: "refund", amount: 10, operation: "writer.generate" }))).toMatchObject({
      label: "Refund",
      change: "+10",
    });
    expect(describeEntry(entry({ type: "expire", amount: -500, note: "Expired" }))).toMatchObject({
      label: "Expired",
      change: "−500",
    });
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
});
