/** The message box: grows with its text, Enter sends, Shift+Enter is a new line, Esc stops a reply. */
import { MAX_MESSAGE_CHARS } from "@inkwell/domain/chat/schemas";
import { type RefObject, useId, useLayoutEffect } from "react";
import type { GenerationErrorState } from "../../lib/generation-errors.ts";
import { GenerateButton } from "../GenerationError.tsx";
import { Button } from "../SubmitButton.tsx";
import cs from "./chat.module.css";

const MAX_HEIGHT = 240;

export function Composer({
  value,
  onChange,
  onSend,
  onStop,
  streaming,
  sending,
  generation,
  placeholder,
  textareaRef,
  savedNote,
}: {
  value: string;
  onChange: (value: string) => void;
  onSend: () => void;
  onStop: () => void;
  streaming: boolean;
  sending: boolean;
  generation: GenerationErrorState;
  placeholder: string;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  savedNote?: string | null;
}) {
  const id = useId();
  const hintId = useId();
  const tooLong = value.length > MAX_MESSAGE_CHARS;

  // Grow with the text up to a limit, then scroll.
  useLayoutEffect(() => {
    const el = textareaRef.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [value, textareaRef]);

  const canSend = value.trim().length > 0 && !tooLong && !streaming && !sending;

  return (
    <form
      className={cs.composer}
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) onSend();
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Message
      </label>
      <textarea
        id={id}
        ref={textareaRef}
        rows={1}
        value={value}
        placeholder={placeholder}
        aria-describedby={hintId}
        aria-invalid={tooLong || undefined}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            if (canSend) onSend();
          } else if (e.key === "Escape" && streaming) {
            e.preventDefault();
            onStop();
          }
        }}
      />
      <div className={cs.composerBar}>
        <p id={hintId} className={`${cs.composerHint} muted small`}>
          {tooLong ? (
            <span className="field-error">
              {value.length.toLocaleString()} / {MAX_MESSAGE_CHARS.toLocaleString()} characters — shorten your message.
            </span>
          ) : (
            <>
              <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
              {streaming && (
                <>
                  , <kbd>Esc</kbd> to stop
                </>
              )}
              {savedNote && <span className="composer-saved"> · {savedNote}</span>}
            </>
          )}
        </p>
        {streaming ? (
          <Button variant="secondary" className="btn-small" onClick={onStop} aria-keyshortcuts="Escape">
            <span className={cs.stopSquare} aria-hidden="true" /> Stop generating
          </Button>
        ) : (
          <GenerateButton
            type="submit"
            className="btn-small"
            operation="chat.reply"
            state={generation}
            pending={sending}
            pendingLabel="Sending…"
            aria-disabled={!canSend || undefined}
          >
            Send
          </GenerateButton>
        )}
      </div>
    </form>
  );
}
