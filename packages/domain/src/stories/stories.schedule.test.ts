import { describe, expect, it } from "vitest";
import { nextWeeklyOccurrence } from "./stories.schedule.ts";

describe("nextWeeklyOccurrence", () => {
  it("is the coming weekday at the local time in the storyteller's zone", () => {
    // Wednesday 2026-03-04 12:00 UTC; Sunday 09:00 in New York (UTC−5 in early March).
    const next = nextWeeklyOccurrence(
      { weekday: 7, time: "09:00", timeZone: "America/New_York" },
      new Date("2026-03-04T12:00:00Z"),
    );
    expect(next.toISOString()).toBe("2026-03-08T13:00:00.000Z");
  });

  it("moves to next week when today's time has passed, and keeps the wall-clock time across a DST change", () => {
    // Sunday 2026-03-08 14:00 UTC is 10:00 in New York, after 09:00: next Sunday, now UTC−4.
    const next = nextWeeklyOccurrence(
      { weekday: 7, time: "09:00", timeZone: "America/New_York" },
      new Date("2026-03-08T14:00:00Z"),
    );
    expect(next.toISOString()).toBe("2026-03-15T13:00:00.000Z");
  });

  it("is strictly after the given instant", () => {
    const at = new Date("2026-03-08T13:00:00Z"); // exactly Sunday 09:00 in New York
    const next = nextWeeklyOccurrence({ weekday: 7, time: "09:00", timeZone: "America/New_York" }, at);
    expect(next.toISOString()).toBe("2026-03-15T13:00:00.000Z");
  });

  it("counts the weekday in the storyteller's zone, not UTC", () => {
    // Monday 2026-06-01 22:30 UTC is already Tuesday 08:30 in Sydney: Tuesday 09:00 there is 30 minutes away.
    const next = nextWeeklyOccurrence(
      { weekday: 2, time: "09:00", timeZone: "Australia/Sydney" },
      new Date("2026-06-01T22:30:00Z"),
    );
    expect(next.toISOString()).toBe("2026-06-01T23:00:00.000Z");
  });
});
