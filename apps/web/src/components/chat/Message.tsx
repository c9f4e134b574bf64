/** One message in the log: the user's bubble (editable when last), or a reply with its actions. */
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import type { ChatMessage } from "../../lib/chat.ts";
import { Button } from "../SubmitButton.tsx";
import { Tooltip } from "../ui/tooltip.tsx";
import cs from "./chat.module.css";
import { Markdown } from "./Markdown.tsx";

export function UserMessage({
  message,
  editable,
  busy,
  onEdit,
}: {
  message: Pick<ChatMessage, "id" | "content">;
  editable: boolean;
  busy: boolean;
  onEdit: (content: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(message.content);
  const area = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  // Leaving the form by Escape or Cancel puts focus back on Edit: the field that had it is gone.
  const refocusEdit = useRef(false);
  const id = useId();
  useEffect(() => {
    if (editing) area.current?.focus();
    else if (refocusEdit.current) {
      refocusEdit.current = false;
      editButton.current?.focus();
    }
  }, [editing]);
  const cancel = () => {
    refocusEdit.current = true;
    setEditing(false);
  };

  return (
    <article className={`${cs.message} ${cs.messageUser}`} data-role="user" aria-label="You said">
      {editing ? (
        <form
          className={cs.messageEdit}
          onSubmit={(e) => {
            e.preventDefault();
            if (!text.trim()) return;
            setEditing(false);
            onEdit(text);
          }}
        >
          <label htmlFor={id} className="visually-hidden">
            Edit your message
          </label>
          <textarea
            id={id}
            ref={area}
            value={text}
            rows={3}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") cancel();
            }}
          />
          <div className={cs.messageActions}>
            <Button type="submit" className="btn-small" aria-disabled={!text.trim() || busy || undefined}>
              Save and resend
            </Button>
            <Button variant="ghost" className="btn-small" onClick={cancel}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <>
          <div className={cs.messageBubble}>{message.content}</div>
          {editable && (
            <div className={cs.messageActions}>
              <Tooltip label="Edit">
                <button
                  ref={editButton}
                  type="button"
                  className="icon-button"
                  disabled={busy}
                  onClick={() => {
                    setText(message.content);
                    setEditing(true);
                  }}
                  aria-label="Edit your last message"
                >
                  <Icon d="M4 20h4L19 9l-4-4L4 16v4ZM14 6l4 4" />
                </button>
              </Tooltip>
            </div>
          )}
        </>
      )}
    </article>
  );
}

export function AssistantMessage({
  message,
  text,
  streaming,
  connectionProblem,
  isLast,
  busy,
  onRegenerate,
  onFeedback,
}: {
  message: ChatMessage;
  /** The text to show (while streaming: what has arrived so far). */
  text: string;
  streaming: boolean;
  connectionProblem?: string | null;
  isLast: boolean;
  busy: boolean;
  onRegenerate: () => void;
  onFeedback: (value: 1 | -1 | null) => void;
}) {
  const [copied, setCopied] = useState(false);
  const status = streaming ? "streaming" : message.status;
  const tools = message.metadata.toolsCalled ?? [];
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };

  return (
    <article
      className={`${cs.message} ${cs.messageAssistant} status-${status}`}
      data-role="assistant"
      data-status={status}
      aria-label="Reply"
    >
      {tools.length > 0 && (
        <div className={cs.toolCards}>
          {tools.map((name, i) => (
            <ToolCard key={`${name}-${i}`} name={name}>
              Used while answering
            </ToolCard>
          ))}
        </div>
      )}
      <div
        className={`${cs.messageBody}${streaming && text ? " is-streaming" : ""}`}
        data-role="message-body"
        aria-busy={streaming || undefined}
      >
        {text ? (
          <Markdown text={text} />
        ) : streaming ? (
          <p className={cs.typing}>
            <span className="visually-hidden">Writing a reply…</span>
            <span />
            <span />
            <span />
          </p>
        ) : null}
      </div>
      {streaming && connectionProblem && <p className={`${cs.messageNote} small muted`}>{connectionProblem}</p>}
      {status === "stopped" && (
        <p className={`${cs.messageNote} ${cs.messageNoteStopped} small`}>
          Stopped{text ? " — the reply was cut short." : " before anything was written."}
        </p>
      )}
      {status === "failed" && (
        <p className={`${cs.messageNote} ${cs.messageNoteFailed} small`} role="note">
          <strong>The reply failed.</strong> {message.error ?? "Something went wrong."} Nothing was charged for it.
        </p>
      )}
      {!streaming && (
        <div className={cs.messageActions}>
          {text && (
            <Tooltip label={copied ? "Copied" : "Copy"}>
              <button type="button" className="icon-button" onClick={() => void copy()} aria-label="Copy reply">
                {copied ? <Icon d="M5 12l5 5L20 7" /> : <Icon d="M9 9h10v11H9zM5 15V4h10" />}
                <span className="visually-hidden" role="status">
                  {copied ? "Copied" : ""}
                </span>
              </button>
            </Tooltip>
          )}
          {!message.safety && status === "complete" && (
            <>
              <Tooltip label="Good reply">
                <button
                  type="button"
                  className="icon-button"
                  aria-pressed={message.feedback === 1}
                  aria-label="Good reply"
                  onClick={() => onFeedback(message.feedback === 1 ? null : 1)}
                >
                  <Icon d="M7 11v9H4v-9h3Zm0 0 4-8c1.5 0 2.5 1 2.5 2.5V9h5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 17.3 20H7" />
                </button>
              </Tooltip>
              <Tooltip label="Bad reply">
                <button
                  type="button"
                  className="icon-button"
                  aria-pressed={message.feedback === -1}
                  aria-label="Bad reply"
                  onClick={() => onFeedback(message.feedback === -1 ? null : -1)}
                >
                  <Icon d="M17 13V4h3v9h-3Zm0 0-4 8c-1.5 0-2.5-1-2.5-2.5V15h-5a2 2 0 0 1-2-2.3l1.2-7A2 2 0 0 1 6.7 4H17" />
                </button>
              </Tooltip>
            </>
          )}
          {isLast && !message.safety && (
            <Button
              variant="ghost"
              className="btn-small"
              aria-disabled={busy || undefined}
              onClick={() => !busy && onRegenerate()}
            >
              <Icon d="M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7" /> Regenerate
            </Button>
          )}
          {message.metadata.credits ? (
            <span className={`muted small ${cs.messageCost}`}>
              {message.metadata.credits} credit{message.metadata.credits === 1 ? "" : "s"}
            </span>
          ) : null}
        </div>
      )}
    </article>
  );
}

/** A tool call or result, as a compact card. */
export function ToolCard({ name, children }: { name: string; children?: ReactNode }) {
  return (
    <div className={cs.toolCard}>
      <Icon d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4 2.5-2.5Z" />
      <span className={cs.toolCardName}>{name}</span>
      {children && <span className={`${cs.toolCardDetail} muted`}>{children}</span>}
    </div>
  );
}

export function ToolMessage({ message }: { message: ChatMessage }) {
  let name = message.toolName ?? "Tool result";
  let detail = message.content;
  try {
    const parsed = JSON.parse(message.content) as { name?: string; result?: unknown };
    if (parsed && typeof parsed === "object" && parsed.name) {
      name = parsed.name;
      detail = typeof parsed.result === "string" ? parsed.result : JSON.stringify(parsed.result ?? parsed);
    }
  } catch {
    // Plain text.
  }
  return (
    <div className={`${cs.message} message-tool`} data-role="tool">
      <ToolCard name={name}>{detail.length > 160 ? `${detail.slice(0, 157)}…` : detail}</ToolCard>
    </div>
  );
}

function Icon({ d }: { d: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2">
      <path d={d} strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
