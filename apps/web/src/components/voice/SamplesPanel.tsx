/**
 * Writing samples: paste text or upload .txt/.md files (read in the browser, size-checked before
 * sending), listed with their word counts; removing one asks first. Every change re-runs the analysis.
 */
import { addSampleInput, MAX_SAMPLE_CHARS, MAX_SAMPLES, SAMPLE_EXTENSIONS } from "@inkwell/domain/voice/schemas";
import { useMutation } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { Status } from "../Alert.tsx";
import { CostLabel } from "../CostLabel.tsx";
import { Button } from "../SubmitButton.tsx";
import styles from "./voice.module.css";

type Profile = Outputs["voice"]["get"];

/** Files larger than this cannot hold ≤ 20,000 characters of text worth reading. */
const MAX_FILE_BYTES = MAX_SAMPLE_CHARS * 4;

export function SamplesPanel({ profile, onChanged }: { profile: Profile; onChanged: (p: Profile) => void }) {
  const id = useId();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const full = profile.samples.length >= MAX_SAMPLES;

  const add = useMutation(
    trpc.voice.addSample.mutationOptions({
      onSuccess: (next) => {
        onChanged(next);
        setNotice("Sample added. Analysing your voice…");
      },
      onError: (error) => setProblem(describeError(error, ["content", "filename"]).message),
    }),
  );
  const remove = useMutation(
    trpc.voice.removeSample.mutationOptions({
      onSuccess: (next) => {
        setConfirming(null);
        onChanged(next);
        setNotice("Sample removed.");
      },
      onError: (error) => setProblem(describeError(error).message),
    }),
  );

  const submitPaste = () => {
    setProblem(null);
    setNotice(null);
    const input = { profileId: profile.id, source: "paste" as const, content: text };
    const parsed = addSampleInput.safeParse(input);
    if (!parsed.success) {
      setProblem(parsed.error.issues[0]?.message ?? "Check the sample");
      return;
    }
    add.mutate(parsed.data, { onSuccess: () => setText("") });
  };

  const upload = async (files: FileList | null) => {
    setProblem(null);
    setNotice(null);
    for (const file of Array.from(files ?? [])) {
      if (!SAMPLE_EXTENSIONS.some((ext) => file.name.toLowerCase().endsWith(ext))) {
        setProblem(`${file.name}: upload a .txt or .md file.`);
        continue;
      }
      if (file.size > MAX_FILE_BYTES) {
        setProblem(`${file.name} is too large: samples can be at most ${MAX_SAMPLE_CHARS.toLocaleString("en")} characters.`);
        continue;
      }
      const content = (await file.text()).trim();
      const parsed = addSampleInput.safeParse({ profileId: profile.id, source: "upload", filename: file.name, content });
      if (!parsed.success) {
        setProblem(`${file.name}: ${parsed.error.issues[0]?.message ?? "this file cannot be used"}`);
        continue;
      }
      await add.mutateAsync(parsed.data).catch(() => undefined);
    }
    if (fileInput.current) fileInput.current.value = "";
  };

  return (
    <section className={`card ${styles.samples}`} aria-labelledby={`${id}-heading`}>
      <div className="toolbar">
        <h2 id={`${id}-heading`}>Writing samples</h2>
        <span className="muted">
          {profile.samples.length} / {MAX_SAMPLES} · {profile.wordCount.toLocaleString("en")} words
        </span>
      </div>
      <p className="muted">
        Posts, newsletters or articles you wrote yourself. The more (300+ words), the steadier the fingerprint.
      </p>

      {profile.samples.length > 0 && (
        <ul className={styles.sampleList} aria-label="Samples">
          {profile.samples.map((s) => (
            <li key={s.id} className={styles.sample}>
              <div className={styles.sampleHead}>
                <strong>{s.filename ?? "Pasted text"}</strong>
                <span className="muted"> · {s.wordCount.toLocaleString("en")} words</span>
              </div>
              <p className={styles.sampleExcerpt}>{s.content.length > 220 ? `${s.content.slice(0, 220)}…` : s.content}</p>
              {confirming === s.id ? (
                <fieldset className={styles.inlineConfirm}>
                  <legend className="visually-hidden">Confirm removal</legend>
                  <span>Remove this sample?</span>
                  <Button
                    variant="danger"
                    className="btn-small"
                    pending={remove.isPending}
                    pendingLabel="Removing…"
                    onClick={() => remove.mutate({ sampleId: s.id })}
                  >
                    Remove
                  </Button>
                  <Button variant="ghost" className="btn-small" onClick={() => setConfirming(null)}>
                    Keep
                  </Button>
                </fieldset>
              ) : (
                <Button variant="ghost" className="btn-small" onClick={() => setConfirming(s.id)}>
                  Remove<span className="visually-hidden"> {s.filename ?? "pasted sample"}</span>
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}

      {full ? (
        <p className="muted">This voice has {MAX_SAMPLES} samples, the most it can hold. Remove one to add another.</p>
      ) : (
        <div className={styles.addSample}>
          <div className="field">
            <label htmlFor={`${id}-paste`}>Paste a sample</label>
            <textarea
              id={`${id}-paste`}
              className="textarea"
              rows={6}
              value={text}
              maxLength={MAX_SAMPLE_CHARS}
              onChange={(e) => setText(e.target.value)}
              aria-describedby={`${id}-paste-hint`}
            />
            <p className="hint" id={`${id}-paste-hint`}>
              {text.length.toLocaleString("en")} / {MAX_SAMPLE_CHARS.toLocaleString("en")} characters
            </p>
          </div>
          <div className="form-actions">
            <Button pending={add.isPending} pendingLabel="Adding…" onClick={submitPaste} aria-describedby={`${id}-cost`}>
              Add sample
            </Button>
            <label className={`btn btn-secondary ${styles.upload}`}>
              Upload .txt or .md
              <input
                ref={fileInput}
                type="file"
                accept=".txt,.md,text/plain,text/markdown"
                multiple
                className="visually-hidden"
                onChange={(e) => void upload(e.target.files)}
              />
            </label>
            <CostLabel operation="voice.analyze" id={`${id}-cost`} className={styles.cost} />
          </div>
          <p className="hint">Each change to the samples re-runs the analysis (charged once per analysis).</p>
        </div>
      )}
      {problem && (
        <p className="status status-error" role="alert">
          {problem}
        </p>
      )}
      <Status>{notice}</Status>
    </section>
  );
}
