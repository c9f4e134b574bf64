/** The knowledge entries a session's generation drew on (retrieved for its concept). */
import { Link } from "react-router";
import { CATEGORY_LABELS } from "../../lib/writer-knowledge.ts";
import type { SessionView } from "../../lib/writer-session.ts";
import w from "./writer.module.css";

export function KnowledgeUsed({ entries }: { entries: SessionView["knowledgeUsed"] }) {
  return (
    <section className="card" aria-labelledby="wr-knowledge-used">
      <h2 id="wr-knowledge-used" className={w.panelTitle}>
        Knowledge used
      </h2>
      {entries.length === 0 ? (
        <p className="muted small">
          None — no entry was close enough to the concept, or the knowledge base was switched off.{" "}
          <Link to="/knowledge">Add knowledge</Link>
        </p>
      ) : (
        <ul className={w.usedList} aria-label="Knowledge entries used">
          {entries.map((e) => (
            <li key={e.id}>
              <span className={w.usedTitle}>{e.title}</span>{" "}
              <span className="muted small">{CATEGORY_LABELS[e.category as keyof typeof CATEGORY_LABELS] ?? e.category}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
