/**
 * How an item reads, by type: the study guide as a reader with numbered citations and its sources, the
 * quiz, flashcards and writing prompts as a preview with the way into their study modes.
 */
import type { Citation } from "@inkwell/domain/study/schemas";
import { Link } from "react-router";
import type { ItemView } from "./labels.ts";
import s from "./library.module.css";

function Cites({ cites }: { cites: number[] }) {
  if (!cites.length) return null;
  return (
    <span className={s.cite}>
      {cites.map((i) => (
        <a key={i} href={`#source-${i + 1}`} aria-label={`Source ${i + 1}`}>
          [{i + 1}]
        </a>
      ))}
    </span>
  );
}

export function Sources({ citations }: { citations: Citation[] }) {
  if (!citations.length) return null;
  return (
    <section aria-labelledby="sources-heading">
      <h2 id="sources-heading">Sources</h2>
      <ol className={s.sources}>
        {citations.map((c, i) => (
          <li key={`${c.sourceId}:${c.chunkId ?? ""}:${i}`} id={`source-${i + 1}`}>
            <strong>{c.title}</strong> <span className="small">({c.sourceKind === "note" ? "note" : "document"})</span>
            {c.quote && <blockquote>{c.quote}</blockquote>}
          </li>
        ))}
      </ol>
    </section>
  );
}

const MODE: Record<Exclude<ItemView["itemType"], "study_guide">, { path: string; label: string }> = {
  quiz: { path: "quiz", label: "Take the quiz" },
  flashcard: { path: "flashcards", label: "Study the flashcards" },
  writing_prompt: { path: "writing", label: "Start writing" },
};

export function ContentView({ item }: { item: ItemView }) {
  if (item.itemType === "study_guide") {
    return (
      <article className={s.reader}>
        {item.content.sections.map((section, i) => (
          <section key={i} aria-labelledby={`section-${i}`}>
            <h2 id={`section-${i}`}>{section.heading}</h2>
            {section.body.split(/\n{2,}/).map((para, j, all) => (
              <p key={j}>
                {para}
                {j === all.length - 1 && <Cites cites={section.cites} />}
              </p>
            ))}
          </section>
        ))}
        <Sources citations={item.citations} />
      </article>
    );
  }
  const mode = MODE[item.itemType];
  return (
    <div className="stack">
      <p>
        <Link className="btn btn-primary" to={`/study/items/${item.id}/${mode.path}`}>
          {mode.label}
        </Link>
        {item.itemType === "quiz" && (
          <>
            {" "}
            <Link className="btn btn-secondary" to={`/study/live?itemId=${item.id}`}>
              Host live
            </Link>
          </>
        )}
      </p>
      {item.itemType === "quiz" && (
        <ol className={s.parts} aria-label="Questions">
          {item.content.questions.map((q) => (
            <li key={q.id}>
              {q.prompt} <span className="small">({q.kind.replace("_", " ")})</span>
              <Cites cites={q.cites} />
            </li>
          ))}
        </ol>
      )}
      {item.itemType === "flashcard" && (
        <ol className={s.parts} aria-label="Cards">
          {item.content.cards.map((c) => (
            <li key={c.id}>
              <strong>{c.front}</strong> — {c.back}
              <Cites cites={c.cites} />
            </li>
          ))}
        </ol>
      )}
      {item.itemType === "writing_prompt" && (
        <ol className={s.parts} aria-label="Prompts">
          {item.content.prompts.map((p) => (
            <li key={p.id}>
              {p.prompt}{" "}
              <span className="small">
                ({p.rubric.reduce((n, r) => n + r.points, 0)} points{p.minWords ? `, at least ${p.minWords} words` : ""})
              </span>
            </li>
          ))}
        </ol>
      )}
      <Sources citations={item.citations} />
    </div>
  );
}
