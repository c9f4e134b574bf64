/**
 * Study → an item (/study/items/:id): the study guide as a reader with its citations, a quiz, flashcard
 * set or writing prompts as a preview with the way into its study mode, and (for the owner) an editor
 * of the title, topic, folder and content. Placeholder AI content is labelled.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Status } from "../components/Alert.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { ContentView } from "../components/study/library/ContentView.tsx";
import { ItemEditor } from "../components/study/library/ItemEditor.tsx";
import { TYPE_LABEL } from "../components/study/library/labels.ts";
import s from "../components/study/library/library.module.css";
import { ShareButton } from "../components/study/share/ShareDialog.tsx";
import { ConfirmDialog } from "../components/ui/confirm-dialog.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StudyItemPage() {
  const { itemId = "" } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const item = useQuery(trpc.study.library.items.get.queryOptions({ itemId }));
  const folders = useQuery(trpc.study.library.folders.list.queryOptions());
  const remove = useMutation(
    trpc.study.library.items.delete.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.study.library.items.list.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.study.library.folders.list.queryKey() });
        navigate("/study");
      },
    }),
  );

  if (item.isPending)
    return (
      <div className="page">
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </p>
      </div>
    );
  if (item.isError)
    return (
      <div className="page stack">
        <title>Study item · Inkwell</title>
        <h1>Study item</h1>
        <div role="alert" className="alert alert-error">
          {describeError(item.error).message}
        </div>
        <p>
          <Link to="/study">Back to the library</Link>
        </p>
      </div>
    );
  const it = item.data;
  const folder = it.folderId ? folders.data?.find((f) => f.id === it.folderId) : undefined;
  return (
    <div className="page page-wide">
      <title>{`${it.title} · Study · Inkwell`}</title>
      <p className="small">
        <Link to="/study">← Library</Link>
      </p>
      <PageHeader
        title={it.title}
        lead={
          <span className={s.meta}>
            <span className={s.badge}>{TYPE_LABEL[it.itemType]}</span>
            {it.isPlaceholder && (
              <span className={s.placeholder} title="Made by the offline placeholder AI, not a real model">
                Placeholder AI
              </span>
            )}
            {it.topic && <span>{it.topic}</span>}
            {folder && <span>in {folder.name}</span>}
          </span>
        }
        actions={
          it.owned && !editing ? (
            <>
              <ShareButton item={it} />
              <Button variant="secondary" onClick={() => setEditing(true)}>
                Edit
              </Button>
              <Button variant="ghost" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            </>
          ) : undefined
        }
      />
      <Status tone="success">{status}</Status>
      {editing ? (
        <ItemEditor
          item={it}
          onDone={() => {
            setEditing(false);
            setStatus(null);
          }}
        />
      ) : (
        <ContentView item={it} />
      )}
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete “${it.title}”?`}
        description="It is removed from your library. This cannot be undone."
        confirmLabel="Delete"
        onConfirm={() => remove.mutateAsync({ itemId: it.id })}
      />
    </div>
  );
}
