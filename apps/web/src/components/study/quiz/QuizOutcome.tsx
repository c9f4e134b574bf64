/** The end of a quiz (and a stored result): the score, then every question with its verdict and feedback. */
import type { Outputs } from "../../../lib/api.ts";
import { formatSeconds } from "./QuizRunner.tsx";
import s from "./quiz.module.css";

export type QuizResultView = Outputs["study"]["quiz"]["submit"];

const VERDICT_LABEL = { correct: "Correct", partial: "Partly correct", incorrect: "Incorrect" } as const;
const VERDICT_BADGE = {
  correct: "badge badge-success",
  partial: "badge badge-warning",
  incorrect: "badge badge-danger",
} as const;

export const percent = (fraction: number) => `${Math.round(fraction * 1000) / 10}%`;

export function QuizOutcome({ result, headingLevel = 2 }: { result: QuizResultView; headingLevel?: 2 | 3 }) {
  const H = `h${headingLevel}` as const;
  const Sub = `h${headingLevel + 1}` as "h3" | "h4";
  return (
    <section className="stack" aria-label="Quiz result">
      <H>
        Score: {result.score} of {result.total} ({percent(result.accuracy)})
      </H>
      {result.placeholder ? (
        <p className="offline-label small">
          <span className="offline-badge">Placeholder AI</span> Short answers were graded by the offline placeholder (key words
          shared with the expected answer), not an AI model.
        </p>
      ) : null}
      <dl className={s.stats}>
        <div>
          <dt>Correct</dt>
          <dd>{result.correct}</dd>
        </div>
        <div>
          <dt>Partly correct</dt>
          <dd>{result.partial}</dd>
        </div>
        <div>
          <dt>Incorrect</dt>
          <dd>{result.incorrect}</dd>
        </div>
        <div>
          <dt>Best streak</dt>
          <dd>{result.bestStreak}</dd>
        </div>
        <div>
          <dt>Average time</dt>
          <dd>{formatSeconds(result.avgTimePerQuestion)}</dd>
        </div>
      </dl>
      <ol className={s.verdicts} aria-label="Answers">
        {result.answers.map((a, i) => (
          <li key={a.questionId} className={s.verdict}>
            <div className={s.verdictHead}>
              <Sub>
                {i + 1}. {a.prompt}
              </Sub>
              <span className={VERDICT_BADGE[a.verdict]}>{VERDICT_LABEL[a.verdict]}</span>
            </div>
            <p>
              Your answer: {a.responseText ? <strong>{a.responseText}</strong> : <em>skipped</em>}
              <span className="muted small"> · {formatSeconds(a.timeMs)}</span>
            </p>
            {a.verdict !== "correct" || a.kind === "short_answer" ? (
              <p>
                {a.kind === "short_answer" ? "Expected" : "The answer"}: {a.expectedText}
              </p>
            ) : null}
            {a.feedback ? (
              <p>
                {a.placeholder ? <span className="offline-badge">Placeholder AI</span> : null} {a.feedback}
              </p>
            ) : null}
            {a.explanation ? <p className="muted">{a.explanation}</p> : null}
            {a.citations.length ? (
              <ul className={s.citations} aria-label="Sources">
                {a.citations.map((c) => (
                  <li key={`${c.title}:${c.quote}`}>
                    <cite>{c.title}</cite>: “{c.quote}”
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
