/** The knowledge entries a session's generation drew on (retrieved for its concept). */
import { Link } from "react-router";
import { CATEGORY_LABELS } from "../../lib/writer-knowledge.ts";
import type { SessionView } from "../../lib/writer-session.ts";

export function KnowledgeUsed({ entries }: { entries: SessionView["knowledgeUsed"] }) {
  return (
    <section className="wr-knowledge-used card" aria-labelledby="wr-knowledge-used">
      <h2 id="wr-knowledge-used" className="wr-panel-title">
        Knowledge used
      </h2>
      {entries.length === 0 ? (
        <p className="muted small">
          None — no entry was close enough to the concept, or the knowledge base was switched off.{" "}
          <Link to="/knowledge">Add knowledge</Link>
        </p>
      ) : (
        <ul className="wr-used-list" aria-label="Knowledge entries used">
          {entries.map((e) => (
            <li key={e.id}>
              <span className="wr-used-title">{e.title}</span>{" "}
              <span className="muted small">{CATEGORY_LABELS[e.category as keyof typeof CATEGORY_LABELS] ?? e.category}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
