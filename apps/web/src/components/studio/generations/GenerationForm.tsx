/**
 * The generation form: a saved prompt (from ?promptId=, shown read-only with a way back to free text)
 * or a prompt typed here, and a size preset. Starting one holds its credits at once (the cost label
 * says how many, or that the user's own image key pays).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { CostLabel } from "../../CostLabel.tsx";
import { Button } from "../../SubmitButton.tsx";
import s from "./generations.module.css";

/** As the API accepts them (generations.schemas.ts SIZE_PRESETS). */
export const SIZE_PRESETS = [
  { label: "Square", width: 1024, height: 1024 },
  { label: "Portrait 4:5", width: 832, height: 1040 },
  { label: "Story 9:16", width: 768, height: 1360 },
  { label: "Landscape 16:9", width: 1360, height: 768 },
] as const;
export const PROMPT_MAX_CHARS = 4000;

export function GenerationForm({ promptId, onClearPrompt }: { promptId: string | null; onClearPrompt(): void }) {
  const id = useId();
  const qc = useQueryClient();
  const [text, setText] = useState("");
  const [size, setSize] = useState(0);
  const prompts = useQuery({ ...trpc.studio.prompts.list.queryOptions({}), enabled: Boolean(promptId) });
  const chosen = promptId ? prompts.data?.items.find((p) => p.id === promptId) : undefined;
  const create = useMutation(
    trpc.studio.generations.create.mutationOptions({
      onSuccess: () => {
        setText("");
        void qc.invalidateQueries({ queryKey: trpc.studio.generations.list.queryKey() });
      },
    }),
  );
  const preset = SIZE_PRESETS[size] ?? SIZE_PRESETS[0];
  const submit = () => {
    if (create.isPending) return;
    const settings = { width: preset.width, height: preset.height };
    create.mutate(promptId ? { promptId, settings } : { promptText: text, settings });
  };

  return (
    <form
      className={s.form}
      aria-label="New image"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <FormError problem={create.isError ? describeError(create.error) : null} />
      {promptId ? (
        <div className="field" data-role="chosen-prompt">
          <span className="label">Prompt</span>
          <p className={s.prompt}>
            {chosen ? (
              <>
                <strong>{chosen.variationLabel || "Prompt"}:</strong> {chosen.promptText}
              </>
            ) : prompts.isLoading ? (
              "Loading the prompt…"
            ) : (
              "That prompt is not in your library."
            )}
          </p>
          <button type="button" className="btn btn-link" onClick={onClearPrompt}>
            Write a prompt instead
          </button>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-prompt`}>Describe the image</label>
          <textarea
            id={`${id}-prompt`}
            rows={3}
            maxLength={PROMPT_MAX_CHARS}
            value={text}
            required
            minLength={3}
            onChange={(e) => setText(e.target.value)}
            placeholder="A portrait in soft morning light, film grain, 35 mm"
          />
        </div>
      )}
      <fieldset className={s.sizes}>
        <legend>Size</legend>
        {SIZE_PRESETS.map((p, i) => (
          <label key={p.label}>
            <input type="radio" name={`${id}-size`} checked={size === i} onChange={() => setSize(i)} />
            {p.label}{" "}
            <span className="muted small">
              {p.width}×{p.height}
            </span>
          </label>
        ))}
      </fieldset>
      <div className="row-actions">
        <Button
          type="submit"
          pending={create.isPending}
          disabled={promptId ? !chosen : text.trim().length < 3}
          aria-describedby={`${id}-cost`}
        >
          Generate image
        </Button>
        <CostLabel operation="image.generate" id={`${id}-cost`} />
      </div>
    </form>
  );
}
