/**
 * "New" in the study library: generate an item from a topic, or from documents and notes the user
 * chooses (their chat workspace documents and writer knowledge notes), or start one by hand (a valid
 * first version, then the editor). Generation is metered (`study.generate`), so the cost is shown by
 * the button; offline, the result is placeholder content and the item page says so.
 */
import type { StudyItemType } from "@inkwell/domain/study/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Dialog } from "radix-ui";
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { CostLabel } from "../../CostLabel.tsx";
import { OfflineLabel } from "../../OfflineLabel.tsx";
import { Button } from "../../SubmitButton.tsx";
import { STARTER_CONTENT, TYPE_LABEL, TYPE_ORDER } from "./labels.ts";
import s from "./library.module.css";

type Mode = "topic" | "sources" | "manual";

export function NewItemDialog({
  open,
  onOpenChange,
  folderId,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The folder being viewed: new items go there. */
  folderId: string | null;
}) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const costId = useId();
  const [mode, setMode] = useState<Mode>("topic");
  const [itemType, setItemType] = useState<StudyItemType>("study_guide");
  const [topic, setTopic] = useState("");
  const [title, setTitle] = useState("");
  const [documents, setDocuments] = useState<string[]>([]);
  const [notes, setNotes] = useState<string[]>([]);
  const docs = useQuery({ ...trpc.chat.documents.queryOptions({}), enabled: open && mode === "sources" });
  const entries = useQuery({ ...trpc.writer.knowledge.list.queryOptions({}), enabled: open && mode === "sources" });

  const done = (id: string) => {
    void qc.invalidateQueries({ queryKey: trpc.study.library.items.list.pathKey() });
    void qc.invalidateQueries({ queryKey: trpc.study.library.folders.list.queryKey() });
    void qc.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() });
    onOpenChange(false);
    navigate(`/study/items/${id}`);
  };
  const generate = useMutation(trpc.study.library.generate.mutationOptions({ onSuccess: (item) => done(item.id) }));
  const create = useMutation(trpc.study.library.items.create.mutationOptions({ onSuccess: (item) => done(item.id) }));
  const pending = generate.isPending || create.isPending;
  const error = generate.isError ? generate.error : create.isError ? create.error : null;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (mode === "manual") {
      create.mutate({ itemType, title, topic: topic || null, content: STARTER_CONTENT[itemType], folderId });
      return;
    }
    generate.mutate({
      itemType,
      ...(topic.trim() ? { topic } : {}),
      ...(mode === "sources" ? { sourceIds: { documents, notes } } : {}),
      folderId,
      idempotencyKey: crypto.randomUUID(),
    });
  };
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));

  return (
    <Dialog.Root open={open} onOpenChange={(next) => !pending && onOpenChange(next)}>
      <Dialog.Portal>
        <Dialog.Overlay className={s.overlay} />
        <Dialog.Content className={s.dialog}>
          <Dialog.Title>New study item</Dialog.Title>
          <Dialog.Description className="small">
            Generate one from a topic or from your own documents and notes, or write one yourself.
          </Dialog.Description>
          <form className="stack" onSubmit={submit}>
            <fieldset className={s.choices}>
              <legend>How</legend>
              {(
                [
                  ["topic", "From a topic"],
                  ["sources", "From my documents and notes"],
                  ["manual", "By hand"],
                ] as const
              ).map(([value, label]) => (
                <label key={value}>
                  <input type="radio" name="mode" value={value} checked={mode === value} onChange={() => setMode(value)} />
                  {label}
                </label>
              ))}
            </fieldset>
            <label className={s.field}>
              Type
              <select value={itemType} onChange={(e) => setItemType(e.target.value as StudyItemType)}>
                {TYPE_ORDER.map((t) => (
                  <option key={t} value={t}>
                    {TYPE_LABEL[t]}
                  </option>
                ))}
              </select>
            </label>
            {mode === "manual" && (
              <label className={s.field}>
                Title
                <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
              </label>
            )}
            <label className={s.field}>
              {mode === "sources" ? "Topic (optional)" : "Topic"}
              <input
                value={topic}
                onChange={(e) => setTopic(e.target.value)}
                maxLength={500}
                required={mode === "topic"}
                placeholder="e.g. The water cycle"
              />
            </label>
            {mode === "sources" && (
              <>
                <fieldset className="stack">
                  <legend>Documents</legend>
                  {docs.data?.length ? (
                    <ul className={s.sourceList}>
                      {docs.data.map((d) => (
                        <li key={d.id}>
                          <label>
                            <input
                              type="checkbox"
                              checked={documents.includes(d.id)}
                              onChange={(e) => setDocuments(toggle(documents, d.id, e.target.checked))}
                            />
                            {d.title}
                          </label>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="small">{docs.isPending ? "Loading…" : "No documents yet (add them in Chat)."}</p>
                  )}
                </fieldset>
                <fieldset className="stack">
                  <legend>Notes</legend>
                  {entries.data?.length ? (
                    <ul className={s.sourceList}>
                      {entries.data.map((n) => (
                        <li key={n.id}>
                          <label>
                            <input
                              type="checkbox"
                              checked={notes.includes(n.id)}
                              onChange={(e) => setNotes(toggle(notes, n.id, e.target.checked))}
                            />
                            {n.title}
                          </label>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="small">{entries.isPending ? "Loading…" : "No notes yet (add them in Knowledge)."}</p>
                  )}
                </fieldset>
              </>
            )}
            {mode !== "manual" && <OfflineLabel />}
            <FormError problem={error ? describeError(error) : null} />
            <div className={s.actions}>
              <Button
                type="submit"
                pending={pending}
                pendingLabel={mode === "manual" ? "Creating…" : "Generating…"}
                aria-describedby={mode === "manual" ? undefined : costId}
              >
                {mode === "manual" ? "Create" : "Generate"}
              </Button>
              {mode !== "manual" && <CostLabel operation="study.generate" id={costId} />}
              <Dialog.Close asChild>
                <Button variant="ghost" type="button" disabled={pending}>
                  Cancel
                </Button>
              </Dialog.Close>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
