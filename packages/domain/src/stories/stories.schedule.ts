/**
 * The weekly rhythm: the next instant a campaign's question goes out, from its weekday, local time and
 * the storyteller's IANA zone (luxon, which reads the runtime's tz database). A local time the clocks
 * skip that day (spring forward) goes out when the gap ends, as luxon moves it; a repeated one (autumn)
 * goes out at its first occurrence. A weekly e-mail an hour late once a year is better than none.
 */
import { DateTime } from "luxon";

export function isValidTimeZone(timeZone: string): boolean {
  return DateTime.local({ zone: timeZone }).isValid;
}

/** The first instant strictly after `after` that is `weekday` (ISO, 1 = Monday) at `time` (HH:mm) in `timeZone`. */
export function nextWeeklyOccurrence(schedule: { weekday: number; time: string; timeZone: string }, after: Date): Date {
  const [hour, minute] = schedule.time.split(":").map(Number) as [number, number];
  const local = DateTime.fromJSDate(after, { zone: schedule.timeZone });
  for (let days = 0; days <= 7; days++) {
    const day = local.plus({ days });
    if (day.weekday !== schedule.weekday) continue;
    const candidate = day.set({ hour, minute, second: 0, millisecond: 0 });
    if (candidate.toMillis() > after.getTime()) return candidate.toJSDate();
  }
  // Day 7 is the same weekday as day 0, a week on, and always later than `after`.
  throw new Error("unreachable: no weekly occurrence within eight days");
}
