/** The user's voices: pick one to edit, see its analysis state and which is the default; make a new one. */
import { MAX_PROFILE_NAME, MAX_PROFILES } from "@inkwell/domain/voice/schemas";
import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { SubmitButton } from "../SubmitButton.tsx";
import styles from "./voice.module.css";
import { STATUS_TEXT } from "./voice-format.ts";

type Summary = Outputs["voice"]["list"][number];

export function ProfileList({
  profiles,
  selectedId,
  onSelect,
  onCreated,
}: {
  profiles: Summary[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  onCreated: (id: string) => void;
}) {
  const id = useId();
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation(
    trpc.voice.create.mutationOptions({
      onSuccess: (p) => {
        setName("");
        onCreated(p.id);
      },
      onError: (error) => setProblem(describeError(error, ["name"]).message),
    }),
  );
  return (
    <nav className={`card ${styles.profiles}`} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Your voices</h2>
      {profiles.length === 0 ? (
        <p className="muted">No voices yet. Name one below, then add samples of your writing.</p>
      ) : (
        <ul className={styles.profileList}>
          {profiles.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className={styles.profile}
                aria-current={p.id === selectedId ? "true" : undefined}
                onClick={() => onSelect(p.id)}
              >
                <span className={styles.profileName}>
                  {p.name}
                  {p.isDefault && <span className="badge badge-accent">Default</span>}
                </span>
                <span className={`muted ${styles.profileMeta}`}>
                  {STATUS_TEXT[p.status]} · {p.sampleCount} sample{p.sampleCount === 1 ? "" : "s"}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {profiles.length < MAX_PROFILES ? (
        <form
          className={styles.new}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setProblem(null);
            if (!name.trim()) {
              setProblem("Name the voice");
              return;
            }
            if (!create.isPending) create.mutate({ name: name.trim() });
          }}
        >
          <label htmlFor={`${id}-name`}>New voice</label>
          <div className={styles.newRow}>
            <input
              id={`${id}-name`}
              value={name}
              maxLength={MAX_PROFILE_NAME}
              placeholder="e.g. LinkedIn me"
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? `${id}-error` : undefined}
              onChange={(e) => setName(e.target.value)}
            />
            <SubmitButton className="btn-small" pending={create.isPending} pendingLabel="Creating…">
              Create
            </SubmitButton>
          </div>
          {problem && (
            <p className="field-error" id={`${id}-error`} role="alert">
              {problem}
            </p>
          )}
        </form>
      ) : (
        <p className="muted">You have {MAX_PROFILES} voices, the most allowed.</p>
      )}
    </nav>
  );
}
