/**
 * A date, a time and the IANA time zone they are in (the browser's, preselected). The server keeps
 * the zone and the local time with the instant, so "9:00 in Berlin" stays 9:00 across a DST change.
 */
import { useId, useMemo } from "react";
import { localToInstant, offsetLabel, parseLocal, scheduleProblem, timeZoneChoices } from "../../lib/publishing-time.ts";
import styles from "./publishing.module.css";

export interface ScheduleValue {
  /** YYYY-MM-DD */
  date: string;
  /** HH:mm */
  time: string;
  timeZone: string;
}

export const scheduleLocal = (value: ScheduleValue) => `${value.date}T${value.time}`;

export function splitLocal(local: string, timeZone: string): ScheduleValue {
  return { date: local.slice(0, 10), time: local.slice(11, 16), timeZone };
}

export function ScheduleFields({
  value,
  onChange,
  error,
  legend = "When",
}: {
  value: ScheduleValue;
  onChange: (value: ScheduleValue) => void;
  error?: string | undefined;
  legend?: string;
}) {
  const id = useId();
  const zones = useMemo(() => timeZoneChoices(value.timeZone), [value.timeZone]);
  const local = scheduleLocal(value);
  // A time the clocks skip is flagged as soon as it is picked, in the server's words (not moved).
  const gap = parseLocal(local) ? scheduleProblem(local, value.timeZone, null) : null;
  const shown = error ?? gap ?? undefined;
  const instant = gap ? null : localToInstant(local, value.timeZone);
  const errorId = shown ? `${id}-error` : undefined;
  return (
    <fieldset className={styles.schedule} data-invalid={shown ? "" : undefined} aria-describedby={errorId}>
      <legend>{legend}</legend>
      <div className={styles.scheduleRow}>
        <div className="field">
          <label htmlFor={`${id}-date`}>Date</label>
          <input
            id={`${id}-date`}
            type="date"
            value={value.date}
            onChange={(e) => onChange({ ...value, date: e.target.value })}
            aria-invalid={shown ? true : undefined}
            aria-describedby={errorId}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-time`}>Time</label>
          <input
            id={`${id}-time`}
            type="time"
            value={value.time}
            onChange={(e) => onChange({ ...value, time: e.target.value })}
            aria-invalid={shown ? true : undefined}
            aria-describedby={errorId}
          />
        </div>
        <div className={`field ${styles.scheduleZone}`}>
          <label htmlFor={`${id}-zone`}>Time zone</label>
          <select id={`${id}-zone`} value={value.timeZone} onChange={(e) => onChange({ ...value, timeZone: e.target.value })}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replace(/_/g, " ")}
              </option>
            ))}
          </select>
        </div>
      </div>
      {shown ? (
        <p className="field-error" id={errorId}>
          <span aria-hidden="true">⚠ </span>
          {shown}
        </p>
      ) : (
        instant && (
          <p className="hint">
            {value.timeZone.replace(/_/g, " ")} ({offsetLabel(value.timeZone, instant)})
            {value.timeZone !== Intl.DateTimeFormat().resolvedOptions().timeZone &&
              ` — ${instant.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })} your time`}
          </p>
        )
      )}
    </fieldset>
  );
}
