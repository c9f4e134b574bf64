/**
 * Writer (/writer and /writer/:sessionId): the sessions beside either a new piece (concept → formats →
 * Generate) or an open session — its outputs side by side as they stream in, each with its length
 * against the platform's limit, edit, copy, versions and schedule; revising in a chat; the knowledge
 * the generation used; pinning the session as a project.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { PageHeader } from "../components/ui/page-header.tsx";
import { ConceptForm } from "../components/writer/ConceptForm.tsx";
import { IteratePanel } from "../components/writer/IteratePanel.tsx";
import { KnowledgeUsed } from "../components/writer/KnowledgeUsed.tsx";
import { OutputCard } from "../components/writer/OutputCard.tsx";
import { PinProject } from "../components/writer/PinProject.tsx";
import { WriterSidebar } from "../components/writer/WriterSidebar.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { STYLE_LABELS, type WriterFormat } from "../lib/writer.ts";
import { sessionName, streamingKey, useSessionStream } from "../lib/writer-session.ts";
import s from "./writer.module.css";

export function WriterPage() {
  const { sessionId = null } = useParams();
  return (
    <div className={s.layout}>
      <aside className={s.sidebar} aria-label="Writer sessions">
        <WriterSidebar activeId={sessionId} />
      </aside>
      <section className={s.main}>{sessionId ? <Session key={sessionId} sessionId={sessionId} /> : <NewPiece />}</section>
    </div>
  );
}

function NewPiece() {
  return (
    <div className={s.view}>
      <title>Writer · Inkwell</title>
      <PageHeader
        title="Writer"
        lead="One idea, every format: a LinkedIn post, an X thread, a Threads post, a blog article and a newsletter — each within its platform's rules, in your voice."
      />
      <ConceptForm />
    </div>
  );
}

function Session({ sessionId }: { sessionId: string }) {
  const query = useQuery({
    ...trpc.writer.sessions.get.queryOptions({ sessionId }),
    // While outputs stream the subscription is the truth; a refetch would only show an older snapshot.
    refetchOnWindowFocus: false,
  });
  const data = query.data;
  const outputs = data?.outputs ?? [];
  const stream = useSessionStream(sessionId, streamingKey(outputs));
  const [selected, setSelected] = useState<WriterFormat[]>([]);
  const streaming = outputs.some((o) => o.status === "streaming");
  // "Done." only after a round this page watched, not on opening a finished session.
  const [wasStreaming, setWasStreaming] = useState(false);
  useEffect(() => {
    if (streaming) setWasStreaming(true);
  }, [streaming]);

  if (query.isPending) {
    return (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> Loading the session…
      </p>
    );
  }
  if (query.isError || !data) {
    const problem = describeError(query.error);
    const missing = problem.code === "NOT_FOUND";
    return (
      <div className={s.missing}>
        <title>Writer · Inkwell</title>
        <h1 tabIndex={-1}>{missing ? "Session not found" : "Couldn't load the session"}</h1>
        <p className="muted">{missing ? "It may have been deleted." : problem.message}</p>
        <p>
          <Link to="/writer" className="btn btn-primary">
            Start a new piece
          </Link>
        </p>
      </div>
    );
  }

  const { session } = data;
  return (
    <div className={s.view}>
      <title>{`${sessionName(session)} · Writer · Inkwell`}</title>
      <header className={s.head}>
        <div className={s.heading}>
          <h1 tabIndex={-1}>{sessionName(session, 200)}</h1>
          <p className={s.sub}>
            <span className="badge">{STYLE_LABELS[session.style]}</span>
            {/* Always present, so screen readers announce when writing starts and ends. */}
            <span className="muted small" role="status">
              {streaming
                ? `Writing ${outputs.filter((o) => o.status === "streaming").length} of ${outputs.length}…`
                : wasStreaming
                  ? "Done."
                  : ""}
            </span>
          </p>
        </div>
        <PinProject session={session} />
      </header>
      <details className={s.concept}>
        <summary>Concept</summary>
        <p>{session.concept}</p>
      </details>
      {stream.problem && (
        <p className="status status-info small" role="status">
          {stream.problem}
        </p>
      )}
      <section className={s.outputs} aria-label="Outputs">
        {outputs.map((o) => (
          <OutputCard
            key={o.id}
            sessionId={sessionId}
            output={o}
            busy={streaming}
            selected={selected.includes(o.format as WriterFormat)}
            onSelectedChange={(on) =>
              setSelected((all) => (on ? [...all, o.format as WriterFormat] : all.filter((f) => f !== o.format)))
            }
          />
        ))}
      </section>
      <div className={s.below}>
        <IteratePanel session={data} selected={selected} onClearSelection={() => setSelected([])} busy={streaming} />
        <KnowledgeUsed entries={data.knowledgeUsed} />
      </div>
    </div>
  );
}
