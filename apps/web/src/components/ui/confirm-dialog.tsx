/**
 * The one confirmation before anything is deleted (or otherwise undone for good): a Radix AlertDialog,
 * so focus moves into it (onto Cancel, the safe choice), stays there, Escape cancels and focus returns
 * to what opened it. The action may be async: the dialog stays open while it runs and shows its error
 * if it fails, and closes only once it has succeeded.
 */
import { AlertDialog } from "radix-ui";
import { type ReactNode, useLayoutEffect, useRef, useState } from "react";
import { describeError } from "../../lib/errors.ts";
import { Button } from "../SubmitButton.tsx";
import s from "./confirm-dialog.module.css";

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The question, e.g. "Delete “Plants and light”?". */
  title: ReactNode;
  /** What happens if they confirm, e.g. "Its messages are deleted too. This cannot be undone." */
  description: ReactNode;
  /** The confirming button's text: the verb ("Delete", "Unpin"), never "OK". */
  confirmLabel: string;
  pendingLabel?: string;
  /** Runs on confirm; a rejection keeps the dialog open with the error's message. */
  onConfirm: () => unknown;
  /** A reversible action (unpin) is not painted as dangerous. */
  tone?: "danger" | "neutral";
  /** Where focus goes on close (preventDefault to move it yourself, e.g. when the opener is gone). */
  onCloseAutoFocus?: (event: Event) => void;
}

export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  pendingLabel,
  onConfirm,
  tone = "danger",
  onCloseAutoFocus,
}: ConfirmDialogProps) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Opened from state rather than a Radix Trigger, so Radix does not know where focus came from: note it.
  const opener = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (open) opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  }, [open]);

  const change = (next: boolean) => {
    if (pending) return;
    setError(null);
    onOpenChange(next);
  };

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
      setPending(false);
      onOpenChange(false);
    } catch (e) {
      setPending(false);
      setError(describeError(e).message);
    }
  };

  return (
    <AlertDialog.Root open={open} onOpenChange={change}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className={s.overlay} />
        <AlertDialog.Content
          className={s.content}
          onCloseAutoFocus={(event) => {
            onCloseAutoFocus?.(event);
            if (event.defaultPrevented) return;
            event.preventDefault();
            opener.current?.focus();
          }}
        >
          <AlertDialog.Title className={s.title}>{title}</AlertDialog.Title>
          <AlertDialog.Description className={s.description}>{description}</AlertDialog.Description>
          {error && (
            <p className={s.error} role="alert">
              {error}
            </p>
          )}
          <div className={s.actions}>
            <AlertDialog.Cancel asChild>
              <Button variant="ghost" aria-disabled={pending || undefined}>
                Cancel
              </Button>
            </AlertDialog.Cancel>
            {/* Not AlertDialog.Action: that closes at once, before an async action has succeeded. */}
            <Button
              variant={tone === "danger" ? "danger" : "primary"}
              pending={pending}
              pendingLabel={pendingLabel}
              onClick={() => void confirm()}
            >
              {confirmLabel}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
