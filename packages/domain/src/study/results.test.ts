/** Streaks over study days, in the reader's time zone. */
import { describe, expect, it } from "vitest";
import { dayIn, streaks } from "./results.service.ts";

describe("streaks", () => {
  it("counts the run ending today or yesterday, and the longest run", () => {
    const days = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-03", "2026-11-10", "2026-11-11"];
    expect(streaks(days, "2026-11-11")).toEqual({ current: 2, longest: 3, studiedToday: true, days: 5 });
    expect(streaks(days, "2026-11-12")).toEqual({ current: 2, longest: 3, studiedToday: false, days: 5 });
    expect(streaks(days, "2026-11-13").current).toBe(0);
    expect(streaks([], "2026-11-13")).toEqual({ current: 0, longest: 0, studiedToday: false, days: 0 });
    // Across a month end.
    expect(streaks(["2026-10-31", "2026-11-01"], "2026-11-01").current).toBe(2);
  });

  it("puts a late-evening quiz on the reader's own day", () => {
    const t = new Date("2026-11-23T23:30:00Z");
    expect(dayIn(t, "UTC")).toBe("2026-11-23");
    expect(dayIn(t, "Asia/Tokyo")).toBe("2026-11-24");
    expect(dayIn(t, "America/New_York")).toBe("2026-11-23");
  });
});
