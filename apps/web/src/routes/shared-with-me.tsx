/** Study → Shared with me (/study/shared): materials other people shared with the user, while shared. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { TYPE_LABEL } from "../components/study/library/labels.ts";
import s from "../components/study/share/share.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDate } from "../lib/format.ts";

export function SharedWithMePage() {
  const shared = useQuery(trpc.study.sharing.sharedWithMe.queryOptions());
  return (
    <div className="page">
      <title>Shared with me · Study · Inkwell</title>
      <PageHeader title="Shared with me" lead="Quizzes, flashcards, guides and prompts other people shared with you." />
      {shared.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      ) : shared.isError ? (
        <FormError problem={describeError(shared.error)} />
      ) : shared.data.length === 0 ? (
        <EmptyState>Nothing shared with you yet. When someone shares a study material with you, it appears here.</EmptyState>
      ) : (
        <ul className={s.items}>
          {shared.data.map((m) => (
            <li key={m.shareId}>
              <Link to={`/study/items/${m.itemId}`}>{m.title}</Link>
              <span className={s.meta}>
                {TYPE_LABEL[m.itemType]}
                {m.topic ? ` · ${m.topic}` : ""} · shared {formatDate(m.sharedAt)}
                {m.expiresAt ? ` · until ${formatDate(m.expiresAt)}` : ""}
                {m.allowResharing ? " · you may share it on" : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
