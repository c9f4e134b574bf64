/**
 * The queue as a calendar: a month of whole weeks, or one week, with each post on the day and at the
 * time it goes out in the viewer's time zone.
 */
import type { ReactNode } from "react";
import {
  addDays,
  addMonths,
  type DayKey,
  groupByLocalDay,
  instantToLocal,
  monthWeeks,
  weekOf,
} from "../../lib/publishing-time.ts";
import styles from "./publishing.module.css";

export type CalendarView = "month" | "week";

export interface CalendarPost {
  id: string;
  scheduledAt: string | null;
  publishedAt?: string | null;
}

const monthTitle = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
const dayTitle = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
const weekdayShort = new Intl.DateTimeFormat(undefined, { weekday: "short", timeZone: "UTC" });
const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });

const dateOf = (day: DayKey) => new Date(`${day}T00:00:00Z`);

/** The days a view shows, for the query's range. */
export function calendarDays(view: CalendarView, anchor: DayKey): DayKey[] {
  return view === "month" ? monthWeeks(anchor).flat() : weekOf(anchor);
}

export function QueueCalendar<P extends CalendarPost>({
  posts,
  view,
  anchor,
  timeZone,
  onViewChange,
  onAnchorChange,
  renderPost,
  renderDayAction,
  loading,
}: {
  posts: readonly P[];
  view: CalendarView;
  anchor: DayKey;
  timeZone: string;
  onViewChange: (view: CalendarView) => void;
  onAnchorChange: (anchor: DayKey) => void;
  renderPost: (post: P, localTime: string) => ReactNode;
  /** Something to do on a day, e.g. a link to schedule a post on it. */
  renderDayAction?: (day: DayKey, isPast: boolean) => ReactNode;
  loading?: boolean;
}) {
  const today = instantToLocal(Date.now(), timeZone).slice(0, 10);
  const byDay = groupByLocalDay(posts, (p) => p.scheduledAt ?? p.publishedAt ?? null, timeZone);
  const weeks = view === "month" ? monthWeeks(anchor) : [weekOf(anchor)];
  const first = weeks[0]?.[0] ?? anchor;
  const last = weeks.at(-1)?.at(-1) ?? anchor;
  const title =
    view === "month"
      ? monthTitle.format(dateOf(anchor))
      : `${shortDay.format(dateOf(first))} – ${shortDay.format(dateOf(last))} ${dateOf(last).getUTCFullYear()}`;
  const step = (by: number) => onAnchorChange(view === "month" ? addMonths(anchor, by) : addDays(anchor, 7 * by));

  return (
    <section className={styles.calendar} aria-labelledby="pub-calendar-title" aria-busy={loading || undefined}>
      <div className={styles.calendarBar}>
        <div className={styles.calendarNav}>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => step(-1)} aria-label={`Previous ${view}`}>
            ‹
          </button>
          <h2 id="pub-calendar-title" aria-live="polite">
            {title}
          </h2>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => step(1)} aria-label={`Next ${view}`}>
            ›
          </button>
          <button type="button" className="btn btn-secondary btn-small" onClick={() => onAnchorChange(today)}>
            Today
          </button>
        </div>
        <fieldset className={`segmented ${styles.calendarViews}`}>
          <legend className="visually-hidden">Calendar view</legend>
          {(["month", "week"] as const).map((v) => (
            <label key={v} className="segment">
              <input type="radio" name="pub-calendar-view" checked={view === v} onChange={() => onViewChange(v)} />
              <span>{v === "month" ? "Month" : "Week"}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <p className="muted small">Times in {timeZone.replace(/_/g, " ")}.</p>
      <table className={styles.calendarGrid} data-view={view}>
        <thead>
          <tr>
            {(weeks[0] ?? []).map((day) => (
              <th key={day} scope="col">
                {weekdayShort.format(dateOf(day))}
                {view === "week" && <span className={styles.calendarDate}> {shortDay.format(dateOf(day))}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]}>
              {week.map((day) => {
                const entries = byDay.get(day) ?? [];
                const outside = view === "month" && day.slice(0, 7) !== anchor.slice(0, 7);
                return (
                  <td
                    key={day}
                    className={`${styles.day}${outside ? ` ${styles.dayOutside}` : ""}${day === today ? ` ${styles.dayToday}` : ""}`}
                    aria-label={`${dayTitle.format(dateOf(day))}${entries.length ? `, ${entries.length} post${entries.length === 1 ? "" : "s"}` : ""}`}
                  >
                    <div className={styles.dayHead}>
                      {view === "month" && (
                        <span className={styles.dayNumber} aria-hidden="true">
                          {Number(day.slice(8, 10))}
                        </span>
                      )}
                      {renderDayAction?.(day, day < today)}
                    </div>
                    {entries.length > 0 && (
                      <ul className={styles.dayPosts}>
                        {entries.map(({ item, local }) => (
                          <li key={item.id}>{renderPost(item, local.slice(11, 16))}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
