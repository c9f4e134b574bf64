/** A scored writing attempt: the overall score and feedback, then each response's rubric points and feedback. */
import type { Outputs } from "../../../lib/api.ts";
import s from "../quiz/quiz.module.css";

export type WritingResultView = Outputs["study"]["writing"]["submit"];

export function WritingOutcome({ result, headingLevel = 2 }: { result: WritingResultView; headingLevel?: 2 | 3 }) {
  const H = `h${headingLevel}` as const;
  const Sub = `h${headingLevel + 1}` as "h3" | "h4";
  return (
    <section className="stack" aria-label="Writing result">
      <H>Overall score: {result.overallScore}%</H>
      {result.placeholder ? (
        <p className="offline-label small">
          <span className="offline-badge">Placeholder AI</span> Scored by the offline placeholder (length and the rubric's key
          words), not an AI model.
        </p>
      ) : null}
      <p>{result.overallFeedback}</p>
      <ol className={s.verdicts} aria-label="Responses">
        {result.responses.map((r, i) => (
          <li key={r.promptId} className={s.verdict}>
            <div className={s.verdictHead}>
              <Sub>
                {i + 1}. {r.prompt}
              </Sub>
              <span className="badge">
                {r.points} / {r.maxPoints} points
              </span>
            </div>
            <p className="muted small">
              {r.wordCount} words{r.minWords ? ` (at least ${r.minWords} asked)` : ""}
            </p>
            <div className="table-wrap">
              <table className={s.criteria}>
                <caption className="visually-hidden">Rubric scores for response {i + 1}</caption>
                <thead>
                  <tr>
                    <th scope="col">Criterion</th>
                    <th scope="col">Points</th>
                    <th scope="col">Comment</th>
                  </tr>
                </thead>
                <tbody>
                  {r.criteria.map((c) => (
                    <tr key={c.criterion}>
                      <th scope="row">{c.criterion}</th>
                      <td className="nowrap">
                        {c.points} / {c.maxPoints}
                      </td>
                      <td>{c.comment}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p>
              {r.placeholder ? <span className="offline-badge">Placeholder AI</span> : null} {r.feedback}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}
