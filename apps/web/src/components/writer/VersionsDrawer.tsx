/**
 * An output's versions, newest first: where each came from (generated, revised with an instruction,
 * edited, restored), its length, a preview, and "Restore" — which makes that text the current version
 * again as a new version, so nothing in the history is lost.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { timeAgo } from "../../lib/format.ts";
import { describeVersion, formatLabel, measure, type WriterFormat } from "../../lib/writer.ts";
import { sessionKey, type WriterOutput } from "../../lib/writer-session.ts";
import { Button } from "../SubmitButton.tsx";
import { OutputText } from "./OutputText.tsx";
import w from "./writer.module.css";

export function VersionsDrawer({ sessionId, output, onClose }: { sessionId: string; output: WriterOutput; onClose: () => void }) {
  const qc = useQueryClient();
  const id = useId();
  const panel = useRef<HTMLElement>(null);
  const format = output.format as WriterFormat;
  const versions = useQuery(trpc.writer.sessions.versions.queryOptions({ outputId: output.id }));
  const [previewId, setPreviewId] = useState<string | null>(null);
  const [restored, setRestored] = useState<number | null>(null);

  const restore = useMutation(
    trpc.writer.sessions.restoreVersion.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          qc.invalidateQueries({ queryKey: sessionKey(sessionId) }),
          qc.invalidateQueries(trpc.writer.sessions.versions.queryFilter({ outputId: output.id })),
        ]);
      },
    }),
  );

  // Focus the panel when it opens; Esc closes it.
  useEffect(() => {
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const rows = [...(versions.data ?? [])].sort((a, b) => b.number - a.number);

  return (
    <aside ref={panel} className={w.drawer} aria-labelledby={`${id}-title`} tabIndex={-1}>
      <div className={w.drawerHead}>
        <h3 id={`${id}-title`}>Versions · {formatLabel(format)}</h3>
        <button type="button" className="icon-button" aria-label="Close versions" onClick={onClose}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M6 6l12 12M18 6 6 18" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <p role="status" className={restored !== null ? "status status-success small" : "visually-hidden"}>
        {restored !== null ? `Version ${restored} restored as the current text.` : ""}
      </p>
      {versions.isPending ? (
        <p className="muted small" role="status">
          <span className="spinner" aria-hidden="true" /> Loading versions…
        </p>
      ) : versions.isError ? (
        <p className="field-error" role="alert">
          {describeError(versions.error).message}
        </p>
      ) : (
        <ol className={w.versionList} aria-label="Versions, newest first">
          {rows.map((v) => {
            const { title, detail } = describeVersion(v);
            const current = v.id === output.current?.id;
            const open = previewId === v.id;
            return (
              <li key={v.id} className={`${w.version}${current ? " is-current" : ""}`} data-version={v.number}>
                <div className={w.versionHead}>
                  <span className={w.versionTitle}>
                    {title}
                    {current && <span className="badge badge-success">Current</span>}
                  </span>
                  <span className="muted small">{timeAgo(v.createdAt)}</span>
                </div>
                <p className={`small ${w.versionDetail}`}>
                  {detail} · {measure(format, v.content, v.parts).label}
                </p>
                {open && (
                  <div className={w.versionPreview}>
                    <OutputText format={format} content={v.content} parts={v.parts} />
                  </div>
                )}
                <div className="row-actions">
                  <Button
                    variant="ghost"
                    className="btn-small"
                    aria-expanded={open}
                    onClick={() => setPreviewId(open ? null : v.id)}
                  >
                    {open ? "Hide" : "Preview"}
                    <span className="visually-hidden"> version {v.number}</span>
                  </Button>
                  {!current && (
                    <Button
                      variant="secondary"
                      className="btn-small"
                      pending={restore.isPending && restore.variables?.versionId === v.id}
                      pendingLabel="Restoring…"
                      aria-disabled={output.status === "streaming" || undefined}
                      onClick={() => {
                        if (output.status === "streaming") return;
                        setRestored(null);
                        restore.mutate({ versionId: v.id }, { onSuccess: () => setRestored(v.number) });
                      }}
                    >
                      Restore<span className="visually-hidden"> version {v.number}</span>
                    </Button>
                  )}
                </div>
                {restore.isError && restore.variables?.versionId === v.id && (
                  <p className="field-error small" role="alert">
                    {describeError(restore.error).message}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}
