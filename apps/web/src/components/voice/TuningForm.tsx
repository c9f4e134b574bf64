/**
 * The nine axes as sliders (0–10, 5 = as in your samples) with their labels and descriptions, and the
 * banned phrases editor (one per line or added one at a time; ≤ 100 characters each, ≤ 200). Saved
 * together; validated with the same zod schemas as the API.
 */
import {
  AXIS_DEFAULT,
  AXIS_MAX,
  AXIS_MIN,
  bannedPhrasesSchema,
  MAX_BANNED_PHRASE_CHARS,
  MAX_BANNED_PHRASES,
  VOICE_AXES,
  type VoiceTuning,
} from "@inkwell/domain/voice/schemas";
import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { Status } from "../Alert.tsx";
import { Button, SubmitButton } from "../SubmitButton.tsx";
import styles from "./voice.module.css";

type Profile = Outputs["voice"]["get"];

const sameTuning = (a: VoiceTuning, b: VoiceTuning) => VOICE_AXES.every((x) => a[x.id] === b[x.id]);
const samePhrases = (a: string[], b: string[]) => a.length === b.length && a.every((p, i) => p === b[i]);

export function TuningForm({ profile, onSaved }: { profile: Profile; onSaved: (p: Profile) => void }) {
  const id = useId();
  const [tuning, setTuning] = useState<VoiceTuning>(profile.tuning);
  const [phrases, setPhrases] = useState<string[]>(profile.bannedPhrases);
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const dirty = !sameTuning(tuning, profile.tuning) || !samePhrases(phrases, profile.bannedPhrases);

  const save = useMutation(
    trpc.voice.update.mutationOptions({
      onSuccess: (next) => {
        onSaved(next);
        setTuning(next.tuning);
        setPhrases(next.bannedPhrases);
        setSaved("Saved. New generations in this voice use it.");
      },
      onError: (error) => setProblem(describeError(error, ["tuning", "bannedPhrases"]).message),
    }),
  );

  const addPhrases = () => {
    const added = draft
      .split("\n")
      .map((p) => p.trim())
      .filter(Boolean);
    if (!added.length) return;
    const parsed = bannedPhrasesSchema.safeParse([...phrases, ...added]);
    if (!parsed.success) {
      setProblem(parsed.error.issues[0]?.message ?? "Check the phrases");
      return;
    }
    setProblem(null);
    setPhrases(parsed.data);
    setDraft("");
  };

  return (
    <form
      className={`card ${styles.tuning}`}
      aria-labelledby={`${id}-heading`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (save.isPending) return;
        setSaved(null);
        setProblem(null);
        save.mutate({ profileId: profile.id, tuning, bannedPhrases: phrases });
      }}
    >
      <div className="toolbar">
        <h2 id={`${id}-heading`}>Tuning</h2>
        <Button
          variant="ghost"
          className="btn-small"
          onClick={() => setTuning(Object.fromEntries(VOICE_AXES.map((a) => [a.id, AXIS_DEFAULT])) as VoiceTuning)}
        >
          Reset to 5
        </Button>
      </div>
      <p className="muted">5 keeps what your samples do; move a slider to push the writing one way or the other.</p>
      <div className={styles.axes}>
        {VOICE_AXES.map((axis) => {
          const inputId = `${id}-${axis.id}`;
          const value = tuning[axis.id];
          return (
            <div key={axis.id} className={styles.axis}>
              <div className={styles.axisHead}>
                <label htmlFor={inputId}>{axis.label}</label>
                <output htmlFor={inputId} className={styles.axisValue}>
                  {value}
                </output>
              </div>
              <input
                id={inputId}
                type="range"
                min={AXIS_MIN}
                max={AXIS_MAX}
                step={1}
                value={value}
                aria-valuetext={`${value} of ${AXIS_MAX}: ${value < 5 ? axis.low : value > 5 ? axis.high : "as in your samples"}`}
                aria-describedby={`${inputId}-desc`}
                onChange={(e) => setTuning({ ...tuning, [axis.id]: Number(e.target.value) })}
              />
              <div className={styles.axisEnds} aria-hidden="true">
                <span>{axis.low}</span>
                <span>{axis.high}</span>
              </div>
              <p className="hint" id={`${inputId}-desc`}>
                {axis.description} <span className={styles.measure}>Measured as: {axis.measure.toLowerCase()}.</span>
              </p>
            </div>
          );
        })}
      </div>

      <fieldset className={styles.banned}>
        <legend>Banned phrases</legend>
        <p className="hint" id={`${id}-banned-hint`}>
          Generated text never contains these, in any capitalisation, spacing or punctuation (“game changer” also catches
          “Game-changer”). Whole words only. Up to {MAX_BANNED_PHRASES}, each at most {MAX_BANNED_PHRASE_CHARS} characters.
        </p>
        {phrases.length > 0 ? (
          <ul className={styles.phrases} aria-label="Banned phrases">
            {phrases.map((p) => (
              <li key={p} className={styles.phrase}>
                <span>{p}</span>
                <button
                  type="button"
                  className={styles.phraseRemove}
                  aria-label={`Remove “${p}”`}
                  onClick={() => setPhrases(phrases.filter((x) => x !== p))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No banned phrases.</p>
        )}
        <div className={styles.phraseAdd}>
          <label htmlFor={`${id}-phrase`} className="visually-hidden">
            Phrases to ban, one per line
          </label>
          <textarea
            id={`${id}-phrase`}
            className="textarea"
            rows={2}
            placeholder="One per line, e.g. game changer"
            value={draft}
            aria-describedby={`${id}-banned-hint`}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                addPhrases();
              }
            }}
          />
          <Button variant="secondary" className="btn-small" onClick={addPhrases}>
            Add
          </Button>
        </div>
        <p className={`muted ${styles.count}`}>
          {phrases.length} / {MAX_BANNED_PHRASES}
        </p>
      </fieldset>

      {problem && (
        <p className="status status-error" role="alert">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <SubmitButton pending={save.isPending} pendingLabel="Saving…" aria-disabled={!dirty || undefined}>
          Save tuning and phrases
        </SubmitButton>
        {dirty && <span className="muted">Unsaved changes</span>}
        <Status>{saved}</Status>
      </div>
    </form>
  );
}
