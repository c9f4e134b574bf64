import { charCount, MAX_VOICE_PROMPT } from "@inkwell/domain/brand/schemas";
import { useId } from "react";
import type { FieldProps } from "../../lib/form.ts";
import styles from "./brand.module.css";

/** The brand voice, with a live count against the 500-character limit (counted as the server counts). */
export function VoicePromptField({ error, inputRef, ...field }: FieldProps) {
  const id = useId();
  const count = charCount(field.value.trim());
  const over = count > MAX_VOICE_PROMPT;
  const countId = `${id}-count`;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field" data-invalid={error ? "" : undefined}>
      <label htmlFor={id}>
        Voice prompt <span className="optional">(optional)</span>
      </label>
      <textarea
        {...field}
        id={id}
        ref={inputRef}
        rows={5}
        className="textarea"
        placeholder="e.g. Warm and plain-spoken. Short sentences. No jargon, no exclamation marks."
        aria-invalid={error || over ? true : undefined}
        aria-describedby={[errorId, countId].filter(Boolean).join(" ")}
      />
      {error && (
        <p className="field-error" id={errorId}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
      <p className={`hint ${styles.counter}${over ? ` ${styles.counterOver}` : ""}`} id={countId} aria-live="polite">
        {count} / {MAX_VOICE_PROMPT} characters{over ? ` — ${count - MAX_VOICE_PROMPT} too many` : ""}
      </p>
    </div>
  );
}
