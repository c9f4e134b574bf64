/** Write a prompt yourself (no AI, no cost); it joins the list like the suggested ones. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";
import { LABEL_MAX_CHARS, PROMPT_MAX_CHARS } from "./PromptCard.tsx";

export function ManualPromptForm({ personaId, sourceAssetId }: { personaId: string | null; sourceAssetId: string | null }) {
  const qc = useQueryClient();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [label, setLabel] = useState("");
  const create = useMutation(
    trpc.studio.prompts.create.mutationOptions({
      onSuccess: () => {
        setText("");
        setLabel("");
        setOpen(false);
        void qc.invalidateQueries({ queryKey: trpc.studio.prompts.list.pathKey() });
      },
    }),
  );
  if (!open) {
    return (
      <div>
        <Button variant="secondary" onClick={() => setOpen(true)}>
          Write a prompt yourself
        </Button>
      </div>
    );
  }
  return (
    <form
      className="card stack"
      aria-label="Write a prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (!create.isPending) create.mutate({ promptText: text, variationLabel: label, personaId, sourceAssetId });
      }}
    >
      <FormError problem={create.isError ? describeError(create.error) : null} />
      <div className="field">
        <label htmlFor={`${id}-label`}>Label (optional)</label>
        <input id={`${id}-label`} maxLength={LABEL_MAX_CHARS} value={label} onChange={(e) => setLabel(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>Prompt</label>
        <textarea
          id={`${id}-text`}
          rows={4}
          maxLength={PROMPT_MAX_CHARS}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <Button type="submit" pending={create.isPending} pendingLabel="Saving…">
          Save prompt
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
