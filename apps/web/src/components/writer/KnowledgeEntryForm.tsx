/** Add or edit one knowledge entry: title, category and the text the writer may draw on. */
import {
  KNOWLEDGE_CATEGORIES,
  type KnowledgeCategory,
  MAX_KNOWLEDGE_CONTENT,
  MAX_KNOWLEDGE_TITLE,
} from "@inkwell/domain/knowledge/schemas";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { describeError } from "../../lib/errors.ts";
import { CATEGORY_HINTS, CATEGORY_LABELS } from "../../lib/writer-knowledge.ts";
import { Button } from "../SubmitButton.tsx";
import w from "./writer.module.css";

export interface EntryDraft {
  title: string;
  content: string;
  category: KnowledgeCategory;
}

export function KnowledgeEntryForm({
  initial,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
  label,
}: {
  initial: EntryDraft;
  submitLabel: string;
  pending: boolean;
  /** The API's error from the last submit, if any. */
  error: unknown;
  onSubmit: (draft: EntryDraft) => void;
  onCancel?: () => void;
  /** The form's accessible name, e.g. "New entry" or "Edit Launch story". */
  label: string;
}) {
  const id = useId();
  const [draft, setDraft] = useState(initial);
  const [local, setLocal] = useState<Partial<Record<"title" | "content", string>>>({});
  const titleRef = useRef<HTMLInputElement>(null);
  const problem = error ? describeError(error, ["title", "content", "category"]) : null;
  const fieldError = (name: "title" | "content") => local[name] ?? problem?.fieldErrors[name];

  useEffect(() => {
    titleRef.current?.focus();
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors: typeof local = {};
    if (!draft.title.trim()) errors.title = "Enter a title";
    if (!draft.content.trim()) errors.content = "Write something first";
    setLocal(errors);
    if (errors.title) titleRef.current?.focus();
    else if (!errors.content) onSubmit({ ...draft, title: draft.title.trim(), content: draft.content.trim() });
  };

  return (
    <form className={w.entryForm} onSubmit={submit} aria-label={label} noValidate>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-title`}>Title</label>
          <input
            id={`${id}-title`}
            ref={titleRef}
            type="text"
            value={draft.title}
            maxLength={MAX_KNOWLEDGE_TITLE}
            onChange={(e) => setDraft({ ...draft, title: e.target.value })}
            aria-invalid={fieldError("title") ? true : undefined}
            aria-describedby={fieldError("title") ? `${id}-title-error` : undefined}
          />
          {fieldError("title") && (
            <p className="field-error" id={`${id}-title-error`}>
              {fieldError("title")}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-category`}>Category</label>
          <select
            id={`${id}-category`}
            value={draft.category}
            aria-describedby={`${id}-category-hint`}
            onChange={(e) => setDraft({ ...draft, category: e.target.value as KnowledgeCategory })}
          >
            {KNOWLEDGE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c]}
              </option>
            ))}
          </select>
          <p className="hint" id={`${id}-category-hint`}>
            {CATEGORY_HINTS[draft.category]}
          </p>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-content`}>Content</label>
        <textarea
          id={`${id}-content`}
          className="textarea"
          rows={5}
          value={draft.content}
          maxLength={MAX_KNOWLEDGE_CONTENT}
          onChange={(e) => setDraft({ ...draft, content: e.target.value })}
          aria-invalid={fieldError("content") ? true : undefined}
          aria-describedby={`${id}-content-count${fieldError("content") ? ` ${id}-content-error` : ""}`}
        />
        {fieldError("content") && (
          <p className="field-error" id={`${id}-content-error`}>
            {fieldError("content")}
          </p>
        )}
        <p className="hint" id={`${id}-content-count`}>
          {draft.content.length.toLocaleString()} / {MAX_KNOWLEDGE_CONTENT.toLocaleString()} characters
        </p>
      </div>
      {problem?.message && (
        <p className="field-error" role="alert">
          {problem.message}
        </p>
      )}
      <div className="form-actions">
        <Button type="submit" className="btn-small" pending={pending} pendingLabel="Saving…">
          {submitLabel}
        </Button>
        {onCancel && (
          <Button variant="ghost" className="btn-small" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
