/**
 * A tutor conversation's workspace documents: the notes, text files and PDFs its replies are grounded
 * in (retrieved by meaning, per question). Lists this conversation's documents and the student's
 * general ones, adds a typed note or an uploaded .txt/.md/.pdf (PDF text is extracted on the server),
 * and deletes with a confirmation.
 */
import { MAX_DOCUMENT_CHARS, MAX_PDF_BYTES } from "@inkwell/domain/chat/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useRef, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import cs from "./chat.module.css";

type Doc = Outputs["chat"]["documents"][number];

const KIND_LABELS: Record<Doc["kind"], string> = { note: "Note", pdf: "PDF", text: "Text", image: "Image" };

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

function sizeLabel(characters: number) {
  if (characters < 1000) return `${characters} characters`;
  return `${(characters / 1000).toFixed(characters < 10_000 ? 1 : 0)}k characters`;
}

function readFile(file: File, as: "text" | "base64"): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error("Could not read the file"));
    reader.onload = () => {
      const result = String(reader.result ?? "");
      // A data URL: "data:<type>;base64,<data>".
      resolve(as === "base64" ? result.slice(result.indexOf(",") + 1) : result);
    };
    if (as === "base64") reader.readAsDataURL(file);
    else reader.readAsText(file);
  });
}

export function DocumentsPanel({ conversationId, id }: { conversationId: string; id: string }) {
  const qc = useQueryClient();
  const uid = useId();
  const list = useQuery(trpc.chat.documents.queryOptions({ conversationId }));
  const refresh = () => qc.invalidateQueries(trpc.chat.documents.pathFilter());

  const [title, setTitle] = useState("");
  const [content, setContent] = useState("");
  const [noteError, setNoteError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const addNote = useMutation(
    trpc.chat.addDocument.mutationOptions({
      onMutate: () => setNoteError(null),
      onSuccess: () => {
        setTitle("");
        setContent("");
        void refresh();
      },
      onError: (error) => {
        const p = describeError(error, ["title", "content"]);
        setNoteError({ message: p.message, fields: p.fieldErrors });
      },
    }),
  );
  const upload = useMutation(
    trpc.chat.addDocument.mutationOptions({
      onMutate: () => setUploadError(null),
      onSuccess: () => void refresh(),
      onError: (error) => {
        const p = describeError(error);
        setUploadError(p.message || Object.values(p.fieldErrors)[0] || "The file could not be added.");
      },
    }),
  );
  const remove = useMutation(
    trpc.chat.deleteDocument.mutationOptions({
      onSuccess: () => {
        setConfirming(null);
        void refresh();
      },
      onSettled: () => void refresh(),
    }),
  );

  const onAddNote = (e: FormEvent) => {
    e.preventDefault();
    addNote.mutate({ title, kind: "note", content, conversationId });
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setUploadError(null);
    const name = file.name;
    const docTitle = (name.replace(/\.[^.]+$/, "") || name).slice(0, 200);
    const isPdf = /\.pdf$/i.test(name) || file.type === "application/pdf";
    const isText = /\.(txt|md|markdown)$/i.test(name) || file.type.startsWith("text/");
    try {
      if (isPdf) {
        if (file.size > MAX_PDF_BYTES) throw new Error("PDFs can be at most 5 MB.");
        const pdfBase64 = await readFile(file, "base64");
        upload.mutate({ title: docTitle, kind: "pdf", pdfBase64, conversationId });
      } else if (isText) {
        const text = (await readFile(file, "text")).trim();
        if (!text) throw new Error("The file is empty.");
        if (text.length > MAX_DOCUMENT_CHARS)
          throw new Error(`Text files can be at most ${MAX_DOCUMENT_CHARS.toLocaleString()} characters.`);
        upload.mutate({ title: docTitle, kind: "text", content: text, conversationId });
      } else {
        throw new Error("Choose a .txt, .md or .pdf file.");
      }
    } catch (err) {
      setUploadError(err instanceof Error ? err.message : "The file could not be read.");
    } finally {
      if (fileInput.current) fileInput.current.value = "";
    }
  };

  const docs = list.data ?? [];

  return (
    <section id={id} className={cs.documentsPanel} aria-labelledby={`${uid}-heading`}>
      <div className="documents-panel-head">
        <h2 id={`${uid}-heading`}>Documents</h2>
        <p className="hint">
          The tutor grounds its replies in these documents: for each question it reads the most relevant passages and names the
          document it uses.
        </p>
      </div>

      {list.isPending ? (
        <p role="status" className="muted small">
          <span className="spinner" aria-hidden="true" /> Loading documents…
        </p>
      ) : list.isError ? (
        <p role="alert" className="field-error">
          {describeError(list.error).message || "Couldn't load the documents."}
        </p>
      ) : docs.length === 0 ? (
        <p className="muted small">No documents yet. Add a note or upload a file below.</p>
      ) : (
        <ul className={cs.documentsList} aria-label="Documents in this conversation">
          {docs.map((d) => (
            <li key={d.id} className={cs.documentItem}>
              <div className={cs.documentInfo}>
                <span className={cs.documentTitle}>{d.title}</span>
                <span className="document-meta small muted">
                  <span className={`${cs.documentKind} kind-${d.kind}`}>{KIND_LABELS[d.kind]}</span> · {sizeLabel(d.characters)} ·
                  added {dateFormat.format(new Date(d.createdAt))}
                  {d.conversationId === null && " · all tutor chats"}
                </span>
              </div>
              {confirming === d.id ? (
                <div className={cs.documentConfirm}>
                  <span className="small">Delete this document?</span>
                  <button
                    type="button"
                    className="btn btn-danger btn-small"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate({ documentId: d.id })}
                  >
                    Delete
                  </button>
                  <button type="button" className="btn btn-ghost btn-small" onClick={() => setConfirming(null)}>
                    Cancel
                  </button>
                </div>
              ) : (
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  aria-label={`Delete ${d.title}`}
                  onClick={() => {
                    remove.reset();
                    setConfirming(d.id);
                  }}
                >
                  Delete
                </button>
              )}
              {remove.isError && remove.variables?.documentId === d.id && (
                <p role="alert" className={`field-error ${cs.documentError}`}>
                  {describeError(remove.error).message || "Couldn't delete the document."}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}

      <form className={cs.documentsAdd} onSubmit={onAddNote} aria-label="Add a note" noValidate>
        <h3>Add a note</h3>
        <label htmlFor={`${uid}-title`}>Title</label>
        <input
          id={`${uid}-title`}
          type="text"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          maxLength={200}
          aria-invalid={noteError?.fields.title ? true : undefined}
          aria-describedby={noteError?.fields.title ? `${uid}-title-error` : undefined}
        />
        {noteError?.fields.title && (
          <p id={`${uid}-title-error`} className="field-error">
            {noteError.fields.title}
          </p>
        )}
        <label htmlFor={`${uid}-content`}>Text</label>
        <textarea
          className="textarea"
          id={`${uid}-content`}
          value={content}
          onChange={(e) => setContent(e.target.value)}
          rows={4}
          maxLength={MAX_DOCUMENT_CHARS}
          aria-invalid={noteError?.fields.content ? true : undefined}
          aria-describedby={noteError?.fields.content ? `${uid}-content-error` : undefined}
        />
        {noteError?.fields.content && (
          <p id={`${uid}-content-error`} className="field-error">
            {noteError.fields.content}
          </p>
        )}
        {noteError?.message && (
          <p role="alert" className="field-error">
            {noteError.message}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-small" aria-disabled={addNote.isPending || undefined}>
          {addNote.isPending ? "Adding…" : "Add note"}
        </button>
      </form>

      <div className={cs.documentsUpload}>
        <label htmlFor={`${uid}-file`}>Upload a file (.txt, .md or .pdf, PDFs up to 5 MB)</label>
        <input
          id={`${uid}-file`}
          ref={fileInput}
          type="file"
          accept=".txt,.md,.markdown,.pdf,text/plain,text/markdown,application/pdf"
          disabled={upload.isPending}
          aria-describedby={uploadError ? `${uid}-file-error` : undefined}
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
        {upload.isPending && (
          <p role="status" className="muted small">
            <span className="spinner" aria-hidden="true" /> Adding the file…
          </p>
        )}
        {uploadError && (
          <p id={`${uid}-file-error`} role="alert" className="field-error">
            {uploadError}
          </p>
        )}
      </div>
    </section>
  );
}
