/**
 * The hand editor of an item: title, topic, folder, and the content's parts (ContentEditor: sections,
 * cards, questions, prompts: edit, add, remove). The server holds the content to the type's schema and
 * says which part is wrong; part ids are kept, so results and review state still point at the same parts.
 */
import type { StudyContent } from "@inkwell/domain/study/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError, Status } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";
import { ContentEditor, contentProblem, Field } from "./ContentEditor.tsx";
import type { ItemView } from "./labels.ts";
import s from "./library.module.css";

export function ItemEditor({ item, onDone }: { item: ItemView; onDone: () => void }) {
  const qc = useQueryClient();
  const folders = useQuery(trpc.study.library.folders.list.queryOptions());
  const [title, setTitle] = useState(item.title);
  const [topic, setTopic] = useState(item.topic ?? "");
  const [folderId, setFolderId] = useState(item.folderId ?? "");
  const [content, setContent] = useState<unknown>(item.content);
  // A part the schema refuses, found before sending (the server's answer would not say which part).
  const [unsendable, setUnsendable] = useState<string | null>(null);
  const save = useMutation(
    trpc.study.library.items.update.mutationOptions({
      onSuccess: (saved) => {
        // Only the owner edits, so the saved item is the owner's view, answers and all.
        qc.setQueryData(trpc.study.library.items.get.queryKey({ itemId: item.id }), (old) =>
          old ? ({ ...saved, owned: true } as ItemView) : old,
        );
        void qc.invalidateQueries({ queryKey: trpc.study.library.items.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.study.library.folders.list.queryKey() });
        onDone();
      },
    }),
  );
  return (
    <form
      className="stack"
      aria-label="Edit item"
      onSubmit={(e) => {
        e.preventDefault();
        const problem = contentProblem(item.itemType, content);
        setUnsendable(problem);
        if (problem) return;
        save.mutate({ itemId: item.id, title, topic: topic || null, folderId: folderId || null, content });
      }}
    >
      <Field label="Title" value={title} onChange={setTitle} />
      <Field label="Topic" value={topic} onChange={setTopic} />
      <label className={s.field}>
        Folder
        <select value={folderId} onChange={(e) => setFolderId(e.target.value)}>
          <option value="">No folder</option>
          {folders.data?.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <ContentEditor itemType={item.itemType} content={content as StudyContent[typeof item.itemType]} onChange={setContent} />
      <FormError
        problem={
          unsendable
            ? { code: "BAD_REQUEST", message: unsendable, fieldErrors: {}, retryAfterSeconds: null }
            : save.isError
              ? describeError(save.error)
              : null
        }
      />
      <Status tone="info">{null}</Status>
      <div className={s.actions}>
        <Button type="submit" pending={save.isPending} pendingLabel="Saving…">
          Save changes
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
