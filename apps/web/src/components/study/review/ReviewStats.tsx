/** The review figures a reviewer checks before starting: due now, new today, reviewed today, streaks. */
import type { Outputs } from "../../../lib/api.ts";
import s from "./review.module.css";

type Stats = Outputs["study"]["review"]["stats"];

const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;

export function ReviewStats({ stats, label }: { stats: Stats; label: string }) {
  return (
    <dl className={s.stats} aria-label={label}>
      <div>
        <dt>Due now</dt>
        <dd data-role="due-now">{stats.dueNow}</dd>
      </div>
      <div>
        <dt>New today</dt>
        <dd data-role="new-available">{stats.newAvailable}</dd>
      </div>
      <div>
        <dt>Due by tonight</dt>
        <dd>{stats.dueToday}</dd>
      </div>
      <div>
        <dt>Reviewed today</dt>
        <dd data-role="reviewed-today">{stats.reviewedToday}</dd>
      </div>
      <div>
        <dt>Streak</dt>
        <dd data-role="streak">{days(stats.currentStreak)}</dd>
      </div>
      <div>
        <dt>Best streak</dt>
        <dd>{days(stats.bestStreak)}</dd>
      </div>
    </dl>
  );
}
