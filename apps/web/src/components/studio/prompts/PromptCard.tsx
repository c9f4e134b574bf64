/**
 * One image prompt: its label and text, "edited" once a person changed it, a placeholder badge when the
 * offline AI made it; edit inline, copy, delete, or take it to Generations to make the image.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link } from "react-router";
import { type Outputs, trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";
import { ConfirmDialog } from "../../ui/confirm-dialog.tsx";
import s from "./prompts.module.css";

export type ImagePrompt = Outputs["studio"]["prompts"]["list"]["items"][number];

/** As the API checks them (prompts.schemas.ts). */
export const PROMPT_MAX_CHARS = 1500;
export const LABEL_MAX_CHARS = 40;

export function PromptCard({ prompt }: { prompt: ImagePrompt }) {
  const qc = useQueryClient();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(prompt.promptText);
  const [label, setLabel] = useState(prompt.variationLabel);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.studio.prompts.list.pathKey() });
  const update = useMutation(
    trpc.studio.prompts.update.mutationOptions({
      onSuccess: () => {
        setEditing(false);
        void refresh();
      },
    }),
  );
  const remove = useMutation(trpc.studio.prompts.delete.mutationOptions({ onSuccess: () => void refresh() }));

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(prompt.promptText);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (insecure context): the text is selectable on the card.
    }
  };

  return (
    <li className={s.card} data-role="prompt-card" aria-labelledby={`${id}-label`}>
      <div className={s.cardHead}>
        <h3 className={s.label} id={`${id}-label`}>
          {prompt.variationLabel || "Prompt"}
        </h3>
        {prompt.isEdited && (
          <span className={s.badge} data-role="edited">
            edited
          </span>
        )}
        {prompt.placeholder && (
          // Once a person rewrote it the text is theirs: say where it started, not that it is the placeholder's.
          <span className="offline-badge" data-role="placeholder">
            {prompt.isEdited ? "Started from offline placeholder AI" : "Offline placeholder AI"}
          </span>
        )}
      </div>
      {editing ? (
        <form
          className={`stack ${s.edit}`}
          onSubmit={(e) => {
            e.preventDefault();
            if (!update.isPending) update.mutate({ promptId: prompt.id, promptText: text, variationLabel: label });
          }}
        >
          <FormError problem={update.isError ? describeError(update.error) : null} />
          <div className="field">
            <label htmlFor={`${id}-edit-label`}>Label</label>
            <input id={`${id}-edit-label`} maxLength={LABEL_MAX_CHARS} value={label} onChange={(e) => setLabel(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-edit-text`}>Prompt</label>
            <textarea
              id={`${id}-edit-text`}
              rows={6}
              maxLength={PROMPT_MAX_CHARS}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
          <div className={s.actions}>
            <Button type="submit" pending={update.isPending} pendingLabel="Saving…">
              Save
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setEditing(false);
                setText(prompt.promptText);
                setLabel(prompt.variationLabel);
              }}
            >
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <>
          <p className={s.text}>{prompt.promptText}</p>
          <div className={s.actions}>
            <Link className="btn btn-primary" to={`/studio/generations?promptId=${prompt.id}`}>
              Generate image
            </Link>
            <Button variant="secondary" onClick={() => setEditing(true)}>
              Edit
            </Button>
            <Button variant="secondary" onClick={() => void copy()} aria-live="polite">
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button variant="ghost" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          </div>
        </>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Delete “${prompt.variationLabel || "this prompt"}”?`}
        description="The prompt is removed from your list. Images already generated from it stay."
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        onConfirm={() => remove.mutateAsync({ promptId: prompt.id })}
      />
    </li>
  );
}
