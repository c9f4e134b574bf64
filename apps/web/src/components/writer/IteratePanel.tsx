/**
 * Revising the outputs in a chat: "shorter", "more personal"… for every format or only the selected
 * ones. Each revision is a new version of each output it touches (streamed like the first round); the
 * instruction and the writer's short answer stay in the session's conversation.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useRef, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { newIdempotencyKey } from "../../lib/chat.ts";
import { refreshCredits } from "../../lib/credits.ts";
import { describeError } from "../../lib/errors.ts";
import { useGenerationError } from "../../lib/generation-errors.ts";
import { formatLabel, ITERATE_SUGGESTIONS, type WriterFormat } from "../../lib/writer.ts";
import { type SessionView, sessionKey } from "../../lib/writer-session.ts";
import { GenerateButton, GenerationError } from "../GenerationError.tsx";
import { Button } from "../SubmitButton.tsx";
import w from "./writer.module.css";

const MAX_INSTRUCTION = 1000;

export function IteratePanel({
  session,
  selected,
  onClearSelection,
  busy,
}: {
  session: SessionView;
  /** Formats the user ticked on their cards; empty means all. */
  selected: WriterFormat[];
  onClearSelection: () => void;
  busy: boolean;
}) {
  const qc = useQueryClient();
  const id = useId();
  const box = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const generation = useGenerationError();
  const lastRun = useRef<(() => void) | null>(null);
  const sessionId = session.session.id;
  const revisable = session.outputs.filter((o) => o.status !== "streaming").map((o) => o.format as WriterFormat);
  const targets = selected.length ? selected.filter((f) => revisable.includes(f)) : revisable;

  const iterate = useMutation(
    trpc.writer.sessions.iterate.mutationOptions({
      onMutate: () => {
        generation.clear();
        setError(null);
      },
      onSuccess: async () => {
        setText("");
        onClearSelection();
        await qc.invalidateQueries({ queryKey: sessionKey(sessionId) });
      },
      onError: (e, input) => {
        setText((t) => t || input.instruction);
        const problem = describeError(e, ["instruction"]);
        if (problem.fieldErrors.instruction) setError(problem.fieldErrors.instruction);
        else generation.report(e);
      },
      onSettled: () => refreshCredits(qc),
    }),
  );

  const send = (instruction: string) => {
    const trimmed = instruction.trim();
    if (!trimmed) {
      setError("Say what to change, e.g. “shorter”");
      box.current?.focus();
      return;
    }
    if (trimmed.length > MAX_INSTRUCTION) return setError(`Keep it under ${MAX_INSTRUCTION} characters`);
    if (busy || targets.length === 0) return;
    const key = newIdempotencyKey();
    const input = {
      sessionId,
      instruction: trimmed,
      idempotencyKey: key,
      ...(selected.length ? { formats: targets } : {}),
    };
    const run = () => iterate.mutate(input);
    lastRun.current = run;
    run();
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    send(text);
  };

  const messages = session.messages;
  return (
    <section className={`${w.iterate} card`} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className={w.panelTitle}>
        Revise
      </h2>
      {messages.length > 0 && (
        // The live region wraps the list: role="log" on the <ol> itself would take away its list semantics.
        <div role="log" aria-label="Revisions so far">
          <ol className={w.messages}>
            {messages.map((m) => (
              <li
                key={m.id}
                className={`${w.message} ${m.role === "user" ? w.messageUser : w.messageAssistant}`}
                data-role={m.role}
              >
                <span className="visually-hidden">{m.role === "user" ? "You: " : "Writer: "}</span>
                {m.content}
              </li>
            ))}
          </ol>
        </div>
      )}
      <form className={w.iterateForm} onSubmit={onSubmit} noValidate>
        <p className={`small ${w.targets}`} id={`${id}-targets`}>
          {selected.length ? (
            <>
              Revising <strong>{targets.map(formatLabel).join(", ") || "nothing"}</strong>{" "}
              <button type="button" className="btn-link" onClick={onClearSelection}>
                Revise all instead
              </button>
            </>
          ) : (
            <>Revising all formats. Tick “Revise” on a card to aim at some.</>
          )}
        </p>
        <fieldset className={w.suggestions}>
          <legend className="visually-hidden">Suggestions</legend>
          {ITERATE_SUGGESTIONS.map((s) => (
            <Button
              key={s}
              variant="secondary"
              className="btn-small"
              aria-disabled={busy || iterate.isPending || undefined}
              onClick={() => send(s.toLowerCase())}
            >
              {s}
            </Button>
          ))}
        </fieldset>
        <label htmlFor={`${id}-instruction`} className="visually-hidden">
          What should change?
        </label>
        <textarea
          id={`${id}-instruction`}
          ref={box}
          className="textarea"
          rows={2}
          value={text}
          placeholder="What should change? e.g. make it more personal"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send(text);
            }
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-targets${error ? ` ${id}-error` : ""}`}
        />
        {error && (
          <p className="field-error" id={`${id}-error`}>
            {error}
          </p>
        )}
        <GenerationError
          state={generation}
          operation="writer.iterate"
          quantity={Math.max(1, targets.length)}
          onRetry={() => lastRun.current?.()}
        />
        <div className="form-actions">
          <GenerateButton
            type="submit"
            className="btn-small"
            operation="writer.iterate"
            quantity={Math.max(1, targets.length)}
            state={generation}
            pending={iterate.isPending}
            pendingLabel="Sending…"
            aria-disabled={busy || targets.length === 0 || undefined}
          >
            {busy ? "Writing…" : "Revise"}
          </GenerateButton>
        </div>
      </form>
    </section>
  );
}
