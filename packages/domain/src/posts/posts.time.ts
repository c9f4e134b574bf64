/**
 * Scheduling time: a person picks a wall-clock time in an IANA zone ("2026-03-29T09:00" in
 * Europe/London); we store the instant (timestamptz) together with the zone and that local time, so
 * the instant is computed once, with the zone rules in force when it was picked, and a later look at
 * the row can tell exactly what was meant.
 *
 * Luxon does the zone arithmetic (it reads the runtime's ICU tz database through Intl, so zone rules
 * stay as current as Node's). Two local times need a decision:
 *   - a time that never happens (the clocks jump forward over it, e.g. 01:30 on the last Sunday of
 *     March in London) is refused with a message naming the gap — silently moving it is how posts go
 *     out an hour off;
 *   - a time that happens twice (the clocks go back, e.g. 01:30 on the last Sunday of October in
 *     London) resolves to the FIRST occurrence, the earlier instant (still summer time) — the same as
 *     Temporal's default `disambiguation: "compatible"` for repeated times. We say which in the answer
 *     (`ambiguous: true`) so the composer can show it.
 */
import { DateTime } from "luxon";

export const LOCAL_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

export type LocalTimeResult =
  | { ok: true; instant: Date; local: string; timeZone: string; ambiguous: boolean; offsetMinutes: number }
  | { ok: false; reason: "invalid_zone" | "invalid_time" | "gap" | "past"; message: string };

const FORMAT = "yyyy-MM-dd'T'HH:mm";

export function isValidTimeZone(timeZone: string): boolean {
  return DateTime.local({ zone: timeZone }).isValid;
}

/** The local wall-clock time ('YYYY-MM-DDTHH:mm') of an instant in a zone. */
export function localTimeOf(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toFormat(FORMAT);
}

/**
 * The instant of a local time in a zone, or why there is none. `now` and `minLeadMs` make "in the
 * future" checkable (pass `now: null` to skip that check, e.g. when only converting).
 */
export function resolveLocalTime(
  local: string,
  timeZone: string,
  options: { now?: Date | null; minLeadMs?: number } = {},
): LocalTimeResult {
  if (!isValidTimeZone(timeZone)) {
    return {
      ok: false,
      reason: "invalid_zone",
      message: `"${timeZone}" is not a time zone we know (use an IANA name such as Europe/Paris).`,
    };
  }
  if (!LOCAL_TIME_PATTERN.test(local)) {
    return { ok: false, reason: "invalid_time", message: `"${local}" is not a date and time (expected YYYY-MM-DDTHH:mm).` };
  }
  const naive = DateTime.fromISO(local, { zone: "UTC" });
  if (!naive.isValid || naive.toFormat(FORMAT) !== local) {
    return { ok: false, reason: "invalid_time", message: `${local} is not a real date and time.` };
  }
  const { year, month, day, hour, minute } = naive;
  // Every offset the zone had within a day of then (offsets span −12 h…+14 h), kept when it maps this
  // wall-clock time onto an instant: none is a gap, two is a repeated hour.
  const candidates = Array.from({ length: 31 }, (_, i) => naive.plus({ hours: i - 15 }).setZone(timeZone).offset)
    .filter((offset, i, all) => all.indexOf(offset) === i)
    .map((offset) => DateTime.fromObject({ year, month, day, hour, minute }, { zone: "UTC" }).minus({ minutes: offset }))
    .filter((instant) => instant.setZone(timeZone).toFormat(FORMAT) === local)
    .sort((a, b) => a.toMillis() - b.toMillis());
  const first = candidates[0];
  if (!first) {
    const after = DateTime.fromObject({ year, month, day, hour, minute }, { zone: timeZone });
    return {
      ok: false,
      reason: "gap",
      message: `${local.replace("T", " ")} does not exist in ${timeZone}: the clocks jump forward then (daylight saving time starts). Pick a time outside the jump, such as ${after.toFormat("HH:mm")}.`,
    };
  }
  const instant = first.toJSDate();
  const now = options.now === undefined ? new Date() : options.now;
  if (now && instant.getTime() < now.getTime() + (options.minLeadMs ?? 0)) {
    return {
      ok: false,
      reason: "past",
      message: `${local.replace("T", " ")} (${timeZone}) has already passed; pick a time in the future.`,
    };
  }
  return {
    ok: true,
    instant,
    local,
    timeZone,
    ambiguous: candidates.length > 1,
    offsetMinutes: first.setZone(timeZone).offset,
  };
}
