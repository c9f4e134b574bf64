/**
 * Wall-clock times in an IANA time zone, without a date library: what the composer's schedule fields
 * and the queue's calendar need. The server stores the instant together with the zone and the intended
 * local time (so a daylight-saving change cannot shift a post); the browser only converts for display
 * and for an early "that time has passed" check — the server's answer is the one that counts.
 *
 * Local times are 'YYYY-MM-DDTHH:mm' strings, the value of an <input type="datetime-local">.
 */

import { resolveLocalTime } from "@inkwell/domain/posts/schemas";

/**
 * Whether a picked time can be scheduled, by the server's own rule (`resolveLocalTime`, shared through
 * the publishing schemas): a time that never happens (the clocks jump over it) is refused with the
 * server's message instead of being moved an hour forward, and a past time is refused (not checked with
 * `now: null`). Null when fine.
 */
export function scheduleProblem(local: string, timeZone: string, now: Date | null = new Date()): string | null {
  if (!parseLocal(local)) return "Pick a date and a time.";
  const resolved = resolveLocalTime(local, timeZone, { now });
  if (resolved.ok) return null;
  return resolved.reason === "past" ? "That time has passed. Pick a time in the future." : resolved.message;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface LocalParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The wall-clock fields of an instant in a zone. */
export function localPartsOf(instant: Date | string | number, timeZone: string): LocalParts & { second: number } {
  const fields: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 1970,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: (fields.hour ?? 0) % 24,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function formatLocal(parts: LocalParts): string {
  return `${pad(parts.year, 4)}-${pad(parts.month)}-${pad(parts.day)}T${pad(parts.hour)}:${pad(parts.minute)}`;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** Parses 'YYYY-MM-DDTHH:mm'; null when it is not a real calendar date and time. */
export function parseLocal(local: string): LocalParts | null {
  const match = LOCAL_PATTERN.exec(local);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day, hour, minute };
}

/** The instant's wall-clock time in the zone, as 'YYYY-MM-DDTHH:mm'. */
export const instantToLocal = (instant: Date | string | number, timeZone: string) => formatLocal(localPartsOf(instant, timeZone));

/** Minutes the zone is ahead of UTC at an instant. */
export function offsetMinutes(instant: Date | string | number, timeZone: string): number {
  const ms = new Date(instant).getTime();
  const p = localPartsOf(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time in a zone means, for display and calendar ranges. A time skipped by a
 * spring-forward change moves forward by the gap (02:30 → 03:30; a day starting in a gap starts after
 * it), and an ambiguous autumn time takes the first (earlier) instant. Scheduling does not use this to
 * decide: `scheduleProblem` refuses a skipped time, as the server does.
 */
export function localToInstant(local: string, timeZone: string): Date | null {
  const parts = parseLocal(local);
  if (!parts) return null;
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  // The offsets a few hours either side cover every transition near this wall time.
  const before = offsetMinutes(wall - 12 * 3_600_000, timeZone);
  const after = offsetMinutes(wall + 12 * 3_600_000, timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset * 60_000)
    .filter((instant) => instantToLocal(instant, timeZone) === local)
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return new Date(candidates[0]);
  // In a gap: the wall time does not exist; the earlier offset carries it past the gap.
  return new Date(wall - before * 60_000);
}

/** The browser's IANA time zone (what the composer preselects). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every IANA zone the browser knows, with the given ones guaranteed present (first). */
export function timeZoneChoices(...required: string[]): string[] {
  const known: string[] =
    typeof Intl.supportedValuesOf === "function"
      ? Intl.supportedValuesOf("timeZone")
      : ["UTC", "Europe/London", "America/New_York"];
  return [...new Set([...required.filter(Boolean), ...known, "UTC"])];
}

/** Whether a zone name is one the browser can use. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** "GMT+01:00"-style label of a zone's offset at an instant. */
export function offsetLabel(timeZone: string, at: Date | number = Date.now()): string {
  const minutes = offsetMinutes(at, timeZone);
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "−";
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A default schedule time: the next quarter hour at least `leadMinutes` from now, in the zone. */
export function suggestedLocal(timeZone: string, now = Date.now(), leadMinutes = 15): string {
  const step = 15 * 60_000;
  const next = Math.ceil((now + leadMinutes * 60_000) / step) * step;
  return instantToLocal(next, timeZone);
}

// ---------- Calendar days ----------

/** A calendar day as 'YYYY-MM-DD'. */
export type DayKey = string;

export const dayKeyOf = (local: string): DayKey => local.slice(0, 10);

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 0 = Sunday … 6 = Saturday, of a calendar day (zone-free). */
export function weekdayOf(day: DayKey): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function addDays(day: DayKey, count: number): DayKey {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d + count));
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

export function addMonths(day: DayKey, count: number): DayKey {
  const [y, m] = day.split("-").map(Number) as [number, number];
  const date = new Date(Date.UTC(y, m - 1 + count, 1));
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-01`;
}

/** The first day of the week containing `day` (weeks start on `weekStartsOn`, 1 = Monday). */
export function startOfWeek(day: DayKey, weekStartsOn = 1): DayKey {
  const back = (weekdayOf(day) - weekStartsOn + 7) % 7;
  return addDays(day, -back);
}

/** The seven days of the week containing `day`. */
export function weekOf(day: DayKey, weekStartsOn = 1): DayKey[] {
  const first = startOfWeek(day, weekStartsOn);
  return Array.from({ length: 7 }, (_, i) => addDays(first, i));
}

/** Whole weeks covering the month of `day` (each week seven days, leading/trailing days of the neighbours). */
export function monthWeeks(day: DayKey, weekStartsOn = 1): DayKey[][] {
  const first = `${day.slice(0, 7)}-01`;
  const [y, m] = first.split("-").map(Number) as [number, number];
  const last = `${first.slice(0, 8)}${pad(daysInMonth(y, m))}`;
  const weeks: DayKey[][] = [];
  for (let start = startOfWeek(first, weekStartsOn); start <= last; start = addDays(start, 7)) {
    weeks.push(weekOf(start, weekStartsOn));
  }
  return weeks;
}

/** The instant range [from, to) of calendar days in a zone, for the queue's list query. */
export function dayRangeToInstants(firstDay: DayKey, lastDay: DayKey, timeZone: string): { from: Date; to: Date } {
  const from = localToInstant(`${firstDay}T00:00`, timeZone) as Date;
  const to = localToInstant(`${addDays(lastDay, 1)}T00:00`, timeZone) as Date;
  return { from, to };
}

/** Items grouped by the calendar day of their instant in the zone, each day's items in time order. */
export function groupByLocalDay<T>(items: readonly T[], instantOf: (item: T) => string | null, timeZone: string) {
  const days = new Map<DayKey, { item: T; local: string }[]>();
  for (const item of items) {
    const instant = instantOf(item);
    if (!instant) continue;
    const local = instantToLocal(instant, timeZone);
    const key = dayKeyOf(local);
    const list = days.get(key) ?? [];
    list.push({ item, local });
    days.set(key, list);
  }
  for (const list of days.values()) list.sort((a, b) => a.local.localeCompare(b.local));
  return days;
}
