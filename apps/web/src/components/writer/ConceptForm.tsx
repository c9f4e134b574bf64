/**
 * A new writer session: the concept, the formats to write (each with its platform's limit), a style,
 * the voice to write in, and whether to draw on the knowledge base. The Generate button shows what the
 * chosen formats cost and handles insufficient credits and rate limits like every generation.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { trpc } from "../../lib/api.ts";
import { newIdempotencyKey } from "../../lib/chat.ts";
import { refreshCredits } from "../../lib/credits.ts";
import { describeError } from "../../lib/errors.ts";
import { useGenerationError } from "../../lib/generation-errors.ts";
import {
  DEFAULT_FORMATS,
  STYLE_HINTS,
  STYLE_LABELS,
  WRITER_FORMATS,
  WRITER_STYLES,
  type WriterFormat,
  type WriterStyle,
} from "../../lib/writer.ts";
import { GenerateButton, GenerationError } from "../GenerationError.tsx";
import s from "./concept-form.module.css";
import { VoiceSelect } from "./VoiceSelect.tsx";

const MAX_CONCEPT = 4000;

export function ConceptForm() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const id = useId();
  const conceptRef = useRef<HTMLTextAreaElement>(null);
  const [concept, setConcept] = useState("");
  const [formats, setFormats] = useState<WriterFormat[]>(DEFAULT_FORMATS);
  const [style, setStyle] = useState<WriterStyle>("natural");
  const [voiceProfileId, setVoiceProfileId] = useState<string>("");
  const [useKnowledge, setUseKnowledge] = useState(true);
  const [errors, setErrors] = useState<{ concept?: string; formats?: string }>({});
  const generation = useGenerationError();
  /** One key per attempt at the same request: a retry after a network error cannot create a second session. */
  const attempt = useRef<{ key: string; signature: string } | null>(null);

  useEffect(() => {
    conceptRef.current?.focus();
  }, []);

  const create = useMutation(
    trpc.writer.sessions.create.mutationOptions({
      onMutate: () => generation.clear(),
      onSuccess: async ({ sessionId }) => {
        attempt.current = null;
        await qc.prefetchQuery(trpc.writer.sessions.get.queryOptions({ sessionId }));
        void qc.invalidateQueries(trpc.writer.sessions.list.pathFilter());
        void navigate(`/writer/${sessionId}`);
      },
      onError: (error) => {
        const problem = describeError(error, ["concept", "formats"]);
        if (problem.fieldErrors.concept || problem.fieldErrors.formats) {
          setErrors({ concept: problem.fieldErrors.concept, formats: problem.fieldErrors.formats });
        } else generation.report(error);
      },
      onSettled: () => refreshCredits(qc),
    }),
  );

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const next: typeof errors = {};
    if (!concept.trim()) next.concept = "Describe what you want to write about";
    else if (concept.length > MAX_CONCEPT) next.concept = `Keep the concept under ${MAX_CONCEPT.toLocaleString()} characters`;
    if (formats.length === 0) next.formats = "Pick at least one format";
    setErrors(next);
    if (next.concept) return conceptRef.current?.focus();
    if (next.formats) return;
    const input = {
      concept: concept.trim(),
      formats,
      style,
      useKnowledge,
      ...(voiceProfileId ? { voiceProfileId } : {}),
    };
    const signature = JSON.stringify(input);
    if (attempt.current?.signature !== signature) attempt.current = { key: newIdempotencyKey(), signature };
    create.mutate({ ...input, idempotencyKey: attempt.current.key });
  };

  const toggle = (format: WriterFormat, on: boolean) =>
    setFormats((current) =>
      on
        ? WRITER_FORMATS.map((f) => f.id).filter((f) => f === format || current.includes(f))
        : current.filter((f) => f !== format),
    );

  return (
    <form className={`card ${s.concept}`} onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
      <h2 id={`${id}-heading`} className="visually-hidden">
        New piece
      </h2>
      <div className="field">
        <label htmlFor={`${id}-concept`}>Concept</label>
        <textarea
          id={`${id}-concept`}
          ref={conceptRef}
          className="textarea"
          rows={4}
          value={concept}
          placeholder="What do you want to say? e.g. Why we stopped doing sprint demos, and what replaced them"
          onChange={(e) => setConcept(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) submit();
          }}
          aria-invalid={errors.concept ? true : undefined}
          aria-describedby={`${id}-concept-hint${errors.concept ? ` ${id}-concept-error` : ""}`}
        />
        {errors.concept && (
          <p className="field-error" id={`${id}-concept-error`}>
            {errors.concept}
          </p>
        )}
        <p className="hint" id={`${id}-concept-hint`}>
          A sentence or a few notes is enough. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> generates.
        </p>
      </div>

      <fieldset aria-describedby={errors.formats ? `${id}-formats-error` : undefined}>
        <legend>Formats</legend>
        <div className="chips">
          {WRITER_FORMATS.map((f) => (
            <label key={f.id} className="chip">
              <input
                type="checkbox"
                name="formats"
                value={f.id}
                checked={formats.includes(f.id)}
                onChange={(e) => toggle(f.id, e.target.checked)}
              />
              <span className="chip-label">
                {f.label}
                {f.maxChars !== null && (
                  <span className={s.limit}> · {f.thread ? `${f.maxChars}/post` : f.maxChars.toLocaleString("en-US")}</span>
                )}
              </span>
            </label>
          ))}
        </div>
        {errors.formats && (
          <p className="field-error" id={`${id}-formats-error`}>
            {errors.formats}
          </p>
        )}
      </fieldset>

      <div className={s.options}>
        <fieldset>
          <legend>Style</legend>
          <div className="segmented">
            {WRITER_STYLES.map((option) => (
              <label key={option} className="segment">
                <input type="radio" name="style" value={option} checked={style === option} onChange={() => setStyle(option)} />
                <span>{STYLE_LABELS[option]}</span>
              </label>
            ))}
          </div>
          <p className="hint">{STYLE_HINTS[style]}</p>
        </fieldset>
        <VoiceSelect value={voiceProfileId} onChange={setVoiceProfileId} />
        <label className={`checkbox-field ${s.useKnowledge}`}>
          <input type="checkbox" checked={useKnowledge} onChange={(e) => setUseKnowledge(e.target.checked)} />
          <span>
            Use my knowledge base
            <span className="hint"> The entries closest to the concept are used and listed with the outputs.</span>
          </span>
        </label>
      </div>

      <GenerationError state={generation} operation="writer.generate" quantity={Math.max(1, formats.length)} onRetry={submit} />
      <div className="form-actions">
        <GenerateButton
          type="submit"
          operation="writer.generate"
          quantity={Math.max(1, formats.length)}
          state={generation}
          pending={create.isPending}
          pendingLabel="Starting…"
        >
          Generate
        </GenerateButton>
      </div>
    </form>
  );
}
