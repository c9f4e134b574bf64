/**
 * A shared material, read-only, for someone who may have no account: no links into study modes (those
 * need one), every part shown as it is (a quiz with its answers: the owner shared the material itself).
 */
import type { Outputs } from "../../../lib/api.ts";
import s from "./share.module.css";

type Item = Outputs["study"]["sharing"]["viewMaterial"]["item"];

export function SharedContent({ item }: { item: Item }) {
  switch (item.itemType) {
    case "study_guide":
      return (
        <article className="stack">
          {item.content.sections.map((section, i) => (
            <section key={i} aria-labelledby={`shared-section-${i}`}>
              <h2 id={`shared-section-${i}`}>{section.heading}</h2>
              {section.body.split(/\n{2,}/).map((para, j) => (
                <p key={j}>{para}</p>
              ))}
            </section>
          ))}
        </article>
      );
    case "quiz":
      return (
        <ol className={s.items} aria-label="Questions">
          {item.content.questions.map((q) => (
            <li key={q.id}>
              <strong>{q.prompt}</strong>
              {q.kind === "multiple_choice" && (
                <span>
                  {q.choices.join(" · ")} — answer: {q.choices[q.answerIndex]}
                </span>
              )}
              {q.kind === "true_false" && <span>Answer: {q.answer ? "True" : "False"}</span>}
              {q.kind === "short_answer" && <span>Model answer: {q.expected}</span>}
              {q.explanation && <span className={s.meta}>{q.explanation}</span>}
            </li>
          ))}
        </ol>
      );
    case "flashcard":
      return (
        <ol className={s.items} aria-label="Cards">
          {item.content.cards.map((c) => (
            <li key={c.id}>
              <strong>{c.front}</strong>
              <span>{c.back}</span>
            </li>
          ))}
        </ol>
      );
    case "writing_prompt":
      return (
        <ol className={s.items} aria-label="Prompts">
          {item.content.prompts.map((p) => (
            <li key={p.id}>
              <strong>{p.prompt}</strong>
              <span className={s.meta}>
                {p.rubric.map((r) => `${r.criterion} (${r.points})`).join(" · ")}
                {p.minWords ? ` · at least ${p.minWords} words` : ""}
              </span>
            </li>
          ))}
        </ol>
      );
  }
}
