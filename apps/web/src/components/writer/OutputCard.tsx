/**
 * One generated format: its text streaming in, then its length against the platform's limit (a thread
 * post by post), and the actions — edit in place, copy, the versions drawer, schedule (hands the output
 * to the publishing composer) and "select" to aim the next revision at it.
 */
import { WRITER_FORMAT_BY_ID } from "@inkwell/domain/writer/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { trpc } from "../../lib/api.ts";
import { newIdempotencyKey } from "../../lib/chat.ts";
import { refreshCredits } from "../../lib/credits.ts";
import { describeError } from "../../lib/errors.ts";
import { useGenerationError } from "../../lib/generation-errors.ts";
import { formatLabel, measure, type WriterFormat } from "../../lib/writer.ts";
import { sessionKey, shownText, type WriterOutput } from "../../lib/writer-session.ts";
import { GenerateButton, GenerationError } from "../GenerationError.tsx";
import { OfflineLabel } from "../OfflineLabel.tsx";
import { Button } from "../SubmitButton.tsx";
import { ReadAloud } from "../studio/personas/ReadAloud.tsx";
import { OutputText } from "./OutputText.tsx";
import { VersionsDrawer } from "./VersionsDrawer.tsx";
import w from "./writer.module.css";

const STATUS_TEXT = { streaming: "Writing…", ready: "Ready", failed: "Failed" } as const;

export function OutputCard({
  sessionId,
  output,
  selected,
  onSelectedChange,
  busy,
}: {
  sessionId: string;
  output: WriterOutput;
  selected: boolean;
  onSelectedChange: (selected: boolean) => void;
  /** A round (generation or revision) is running: editing and restoring wait. */
  busy: boolean;
}) {
  const id = useId();
  const format = output.format as WriterFormat;
  const spec = WRITER_FORMAT_BY_ID[format];
  const label = formatLabel(format);
  const [mode, setMode] = useState<"view" | "edit">("view");
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const streaming = output.status === "streaming";
  const content = shownText(output);
  const report = measure(format, content, streaming ? null : (output.current?.parts ?? null));

  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(null), 2500);
    return () => clearTimeout(t);
  }, [copied]);

  const copy = async (text = content, what = label) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied to the clipboard.`);
    } catch {
      setCopied("Copying was blocked by the browser. Select the text and copy it instead.");
    }
  };

  return (
    <article
      className={`${w.output} status-${output.status}${selected ? " is-selected" : ""}`}
      aria-labelledby={`${id}-title`}
      data-format={format}
      data-status={output.status}
    >
      <header className={w.outputHead}>
        <h3 id={`${id}-title`} className={w.outputTitle}>
          {label}
        </h3>
        <span
          className={`badge ${streaming ? "badge-warning" : output.status === "failed" ? "badge-danger" : "badge-success"}`}
          data-role="output-status"
        >
          {streaming && <span className={`spinner ${w.spinnerSmall}`} aria-hidden="true" />} {STATUS_TEXT[output.status]}
        </span>
        {output.versionCount > 1 && output.current && <span className="badge">v{output.current.number}</span>}
        {output.status !== "failed" && (
          <span className={`${w.length} small${report.over ? " is-over" : ""}`} data-role="length">
            {report.label}
            {report.over && <span className="visually-hidden"> — over the platform's limit</span>}
          </span>
        )}
      </header>
      <OfflineLabel />

      {mode === "edit" ? (
        <EditOutput sessionId={sessionId} output={output} onDone={() => setMode("view")} labelledBy={`${id}-title`} />
      ) : (
        <div className={w.outputBody} data-role="output-text" aria-busy={streaming || undefined}>
          {streaming ? (
            <p className={`${w.plain} is-streaming`}>
              {content}
              <span className={w.caret} aria-hidden="true" />
            </p>
          ) : output.status === "failed" ? (
            <RetryFailed sessionId={sessionId} output={output} busy={busy} />
          ) : (
            <OutputText
              format={format}
              content={content}
              parts={output.current?.parts ?? null}
              onCopyPost={(post, number) => void copy(post, `Post ${number}`)}
            />
          )}
        </div>
      )}

      {mode === "view" && output.status !== "streaming" && (
        <footer className={w.outputActions}>
          <label className={w.select}>
            <input type="checkbox" checked={selected} onChange={(e) => onSelectedChange(e.target.checked)} />
            <span>
              Revise<span className="visually-hidden"> the {label}</span>
            </span>
          </label>
          {output.status === "ready" && output.current && (
            <>
              <Button
                variant="ghost"
                className="btn-small"
                aria-disabled={busy || undefined}
                onClick={() => !busy && setMode("edit")}
              >
                Edit<span className="visually-hidden"> the {label}</span>
              </Button>
              <Button variant="ghost" className="btn-small" onClick={() => void copy()}>
                Copy<span className="visually-hidden"> the {label}</span>
              </Button>
            </>
          )}
          {output.versionCount > 0 && (
            <Button variant="ghost" className="btn-small" aria-expanded={versionsOpen} onClick={() => setVersionsOpen((o) => !o)}>
              Versions ({output.versionCount})<span className="visually-hidden"> of the {label}</span>
            </Button>
          )}
          {output.status === "ready" && spec.platform && (
            <Link className="btn btn-secondary btn-small" to={`/publishing/compose?writerOutput=${output.id}`}>
              Schedule<span className="visually-hidden"> the {label}</span>
            </Link>
          )}
          {output.status === "ready" && output.current && <ReadAloud writerOutputId={output.id} label={label} />}
        </footer>
      )}
      <p role="status" className={copied ? "status status-success small" : "visually-hidden"}>
        {copied}
      </p>
      {versionsOpen && <VersionsDrawer sessionId={sessionId} output={output} onClose={() => setVersionsOpen(false)} />}
    </article>
  );
}

/**
 * A format that could not be written (the provider failed, or there were not enough credits for it):
 * why, and writing it again — as a revision of just this format, priced and guarded like one.
 */
function RetryFailed({ sessionId, output, busy }: { sessionId: string; output: WriterOutput; busy: boolean }) {
  const qc = useQueryClient();
  const generation = useGenerationError();
  const key = useRef(newIdempotencyKey());
  const retry = useMutation(
    trpc.writer.sessions.iterate.mutationOptions({
      onMutate: () => generation.clear(),
      onSuccess: async () => {
        key.current = newIdempotencyKey();
        await qc.invalidateQueries({ queryKey: sessionKey(sessionId) });
      },
      onError: (error) => generation.report(error),
      onSettled: () => refreshCredits(qc),
    }),
  );
  const run = () =>
    retry.mutate({
      sessionId,
      instruction: "Write it again",
      formats: [output.format as WriterFormat],
      idempotencyKey: key.current,
    });
  return (
    <div className={w.failed}>
      <p className="field-error">{output.error ?? "This format could not be written."}</p>
      <GenerationError state={generation} operation="writer.iterate" onRetry={run} />
      <GenerateButton
        className="btn-small"
        operation="writer.iterate"
        state={generation}
        pending={retry.isPending}
        pendingLabel="Starting…"
        onClick={() => !busy && run()}
      >
        Try again<span className="visually-hidden"> to write the {formatLabel(output.format as WriterFormat)}</span>
      </GenerateButton>
    </div>
  );
}

function EditOutput({
  sessionId,
  output,
  onDone,
  labelledBy,
}: {
  sessionId: string;
  output: WriterOutput;
  onDone: () => void;
  labelledBy: string;
}) {
  const qc = useQueryClient();
  const id = useId();
  const format = output.format as WriterFormat;
  const original = output.current?.content ?? "";
  const [text, setText] = useState(original);
  const area = useRef<HTMLTextAreaElement>(null);
  const report = measure(format, text);
  const save = useMutation(
    trpc.writer.sessions.editOutput.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          qc.invalidateQueries({ queryKey: sessionKey(sessionId) }),
          qc.invalidateQueries(trpc.writer.sessions.versions.queryFilter({ outputId: output.id })),
        ]);
        onDone();
      },
    }),
  );

  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.focus();
    el.style.height = `${Math.min(Math.max(el.scrollHeight, 160), 520)}px`;
  }, []);

  const unchanged = text.trim() === original.trim();
  return (
    <form
      className={w.outputEdit}
      aria-labelledby={labelledBy}
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return;
        if (unchanged) return onDone();
        save.mutate({ outputId: output.id, content: text });
      }}
    >
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Edit the text
      </label>
      <textarea
        id={`${id}-text`}
        ref={area}
        className="textarea"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onDone();
          }
        }}
        aria-describedby={`${id}-count`}
        aria-invalid={report.over || undefined}
      />
      <div id={`${id}-count`} className={`${w.length} small${report.over ? " is-over" : ""}`}>
        {report.label}
        {report.parts?.some((p) => p.over) && (
          <span>
            {" "}
            · over {report.max} in post
            {report.parts.flatMap((p, i) => (p.over ? [` ${i + 1}`] : [])).join(",")}
          </span>
        )}
        {format === "x_thread" && <span className="muted"> · on save, long posts are split and all are renumbered</span>}
      </div>
      {save.isError && (
        <p className="field-error" role="alert">
          {describeError(save.error).message}
        </p>
      )}
      <div className="form-actions">
        <Button type="submit" className="btn-small" pending={save.isPending} pendingLabel="Saving…">
          Save as a new version
        </Button>
        <Button variant="ghost" className="btn-small" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
