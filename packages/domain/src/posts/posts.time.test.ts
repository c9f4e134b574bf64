import { describe, expect, it } from "vitest";
import { localTimeOf, resolveLocalTime } from "./posts.time.ts";

const noClock = { now: null };

describe("resolveLocalTime", () => {
  it("stores the instant of a wall-clock time in its zone, summer and winter alike", () => {
    const summer = resolveLocalTime("2027-07-01T09:00", "Europe/London", noClock);
    const winter = resolveLocalTime("2027-01-01T09:00", "Europe/London", noClock);
    expect(summer).toMatchObject({ ok: true, ambiguous: false, offsetMinutes: 60 });
    expect(winter).toMatchObject({ ok: true, ambiguous: false, offsetMinutes: 0 });
    if (!summer.ok || !winter.ok) throw new Error("expected both to resolve");
    expect(summer.instant.toISOString()).toBe("2027-07-01T08:00:00.000Z");
    expect(winter.instant.toISOString()).toBe("2027-01-01T09:00:00.000Z");
    // The stored local time reads back the same in its zone, whatever the offset.
    expect(localTimeOf(summer.instant, "Europe/London")).toBe("2027-07-01T09:00");
    expect(localTimeOf(winter.instant, "Europe/London")).toBe("2027-01-01T09:00");
  });

  it.each([
    ["2027-03-28T01:30", "Europe/London", "02:30"],
    ["2027-03-14T02:15", "America/New_York", "03:15"],
    ["2027-10-03T02:10", "Australia/Lord_Howe", "02:40"], // a half-hour jump
  ])("refuses %s in %s: the clocks jump over it", (local, zone, after) => {
    const result = resolveLocalTime(local, zone, noClock);
    expect(result).toMatchObject({ ok: false, reason: "gap" });
    if (result.ok) throw new Error("expected a refusal");
    expect(result.message).toContain("does not exist");
    expect(result.message).toContain(after);
  });

  it.each([
    ["2027-10-31T01:30", "Europe/London", "2027-10-31T00:30:00.000Z"],
    ["2027-11-07T01:30", "America/New_York", "2027-11-07T05:30:00.000Z"],
  ])("resolves the repeated %s in %s to its first occurrence (the earlier instant)", (local, zone, instant) => {
    const result = resolveLocalTime(local, zone, noClock);
    expect(result).toMatchObject({ ok: true, ambiguous: true });
    if (!result.ok) throw new Error("expected a time");
    expect(result.instant.toISOString()).toBe(instant);
  });

  it("refuses a time that has passed, and accepts one a minute ahead", () => {
    const now = new Date("2027-05-05T10:00:30Z");
    expect(resolveLocalTime("2027-05-05T12:00", "Europe/Paris", { now })).toMatchObject({ ok: false, reason: "past" });
    expect(resolveLocalTime("2027-05-05T12:01", "Europe/Paris", { now })).toMatchObject({ ok: true });
  });

  it("refuses unknown zones and impossible dates with a reason", () => {
    expect(resolveLocalTime("2027-05-05T12:00", "Mars/Olympus_Mons", noClock)).toMatchObject({
      ok: false,
      reason: "invalid_zone",
    });
    expect(resolveLocalTime("2027-02-30T12:00", "UTC", noClock)).toMatchObject({ ok: false, reason: "invalid_time" });
    expect(resolveLocalTime("2027-05-05 12:00", "UTC", noClock)).toMatchObject({ ok: false, reason: "invalid_time" });
  });

  it("handles zones far from UTC on both sides of the date line", () => {
    const kiritimati = resolveLocalTime("2027-01-01T00:30", "Pacific/Kiritimati", noClock);
    const pagoPago = resolveLocalTime("2027-01-01T00:30", "Pacific/Pago_Pago", noClock);
    if (!kiritimati.ok || !pagoPago.ok) throw new Error("expected both to resolve");
    expect(kiritimati.instant.toISOString()).toBe("2026-12-31T10:30:00.000Z");
    expect(pagoPago.instant.toISOString()).toBe("2027-01-01T11:30:00.000Z");
  });
});
