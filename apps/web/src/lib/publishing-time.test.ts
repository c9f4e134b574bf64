import { describe, expect, it } from "vitest";
import {
  dayRangeToInstants,
  groupByLocalDay,
  instantToLocal,
  localToInstant,
  monthWeeks,
  offsetLabel,
  parseLocal,
  scheduleProblem,
  suggestedLocal,
  weekOf,
} from "./publishing-time.ts";

describe("local time in a zone", () => {
  it("round-trips an ordinary wall time", () => {
    const instant = localToInstant("2026-07-01T09:30", "Europe/London");
    expect(instant?.toISOString()).toBe("2026-07-01T08:30:00.000Z");
    expect(instantToLocal(instant as Date, "Europe/London")).toBe("2026-07-01T09:30");
    expect(localToInstant("2026-07-01T09:30", "America/New_York")?.toISOString()).toBe("2026-07-01T13:30:00.000Z");
    expect(localToInstant("2026-07-01T09:30", "Asia/Kolkata")?.toISOString()).toBe("2026-07-01T04:00:00.000Z");
  });

  it("keeps 9:00 at 9:00 on both sides of a daylight-saving change", () => {
    expect(localToInstant("2026-03-28T09:00", "Europe/Berlin")?.toISOString()).toBe("2026-03-28T08:00:00.000Z");
    expect(localToInstant("2026-03-30T09:00", "Europe/Berlin")?.toISOString()).toBe("2026-03-30T07:00:00.000Z");
  });

  it("moves a time skipped by spring-forward past the gap, and takes the earlier of an ambiguous autumn time", () => {
    const skipped = localToInstant("2026-03-29T01:30", "Europe/London") as Date;
    expect(skipped.toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(instantToLocal(skipped, "Europe/London")).toBe("2026-03-29T02:30");
    expect(localToInstant("2026-10-25T01:30", "Europe/London")?.toISOString()).toBe("2026-10-25T00:30:00.000Z");
  });

  it("refuses to schedule a time the clocks skip, with the server's message, instead of moving it", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const problem = scheduleProblem("2026-03-29T01:30", "Europe/London", now);
    expect(problem).toBe(
      "2026-03-29 01:30 does not exist in Europe/London: the clocks jump forward then (daylight saving time starts). Pick a time outside the jump, such as 02:30.",
    );
    expect(scheduleProblem("2026-03-08T02:15", "America/New_York", now)).toMatch(/does not exist in America\/New_York/);
    // Around the gap, and the repeated autumn hour, are fine; a past time is refused.
    expect(scheduleProblem("2026-03-29T00:59", "Europe/London", now)).toBeNull();
    expect(scheduleProblem("2026-03-29T02:00", "Europe/London", now)).toBeNull();
    expect(scheduleProblem("2026-10-25T01:30", "Europe/London", now)).toBeNull();
    expect(scheduleProblem("2025-12-31T23:00", "Europe/London", now)).toBe("That time has passed. Pick a time in the future.");
    expect(scheduleProblem("2026-02-30T10:00", "Europe/London", now)).toBe("Pick a date and a time.");
  });

  it("refuses what is not a date and time", () => {
    expect(parseLocal("2026-02-30T10:00")).toBeNull();
    expect(parseLocal("2026-02-10 10:00")).toBeNull();
    expect(parseLocal("2026-02-10T24:00")).toBeNull();
    expect(localToInstant("tomorrow", "UTC")).toBeNull();
  });

  it("labels offsets and suggests the next quarter hour at least 15 minutes ahead", () => {
    expect(offsetLabel("Asia/Kolkata", Date.UTC(2026, 0, 1))).toBe("UTC+05:30");
    expect(offsetLabel("America/New_York", Date.UTC(2026, 0, 1))).toBe("UTC−05:00");
    expect(offsetLabel("UTC")).toBe("UTC");
    expect(suggestedLocal("UTC", Date.UTC(2026, 10, 23, 10, 7))).toBe("2026-11-23T10:30");
    expect(suggestedLocal("UTC", Date.UTC(2026, 10, 23, 10, 0))).toBe("2026-11-23T10:15");
  });
});

describe("calendar", () => {
  it("lays out whole Monday-first weeks covering a month", () => {
    const weeks = monthWeeks("2026-11-15");
    expect(weeks[0]?.[0]).toBe("2026-10-26");
    expect(weeks.at(-1)?.at(-1)).toBe("2026-12-06");
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weeks.flat()).toContain("2026-11-30");
    expect(weekOf("2026-11-23")).toEqual([
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-26",
      "2026-11-27",
      "2026-11-28",
      "2026-11-29",
    ]);
    expect(weekOf("2026-11-23", 0)[0]).toBe("2026-11-22");
  });

  it("places posts on the day and in the order of their time in the viewer's zone", () => {
    const posts = [
      { id: "late", at: "2026-11-23T23:30:00.000Z" },
      { id: "early", at: "2026-11-23T08:00:00.000Z" },
      { id: "draft", at: null },
    ];
    const inTokyo = groupByLocalDay(posts, (p) => p.at, "Asia/Tokyo");
    expect(inTokyo.get("2026-11-23")?.map((e) => e.item.id)).toEqual(["early"]);
    expect(inTokyo.get("2026-11-24")?.map((e) => [e.item.id, e.local])).toEqual([["late", "2026-11-24T08:30"]]);
    const inUtc = groupByLocalDay(posts, (p) => p.at, "UTC");
    expect(inUtc.get("2026-11-23")?.map((e) => e.item.id)).toEqual(["early", "late"]);
  });

  it("turns days in a zone into the instant range to ask the server for", () => {
    const { from, to } = dayRangeToInstants("2026-11-23", "2026-11-29", "America/New_York");
    expect(from.toISOString()).toBe("2026-11-23T05:00:00.000Z");
    expect(to.toISOString()).toBe("2026-11-30T05:00:00.000Z");
  });
});
