/**
 * Voice (/voice): trained voices. Pick or create a profile; add writing samples (paste, or upload
 * .txt/.md read in the browser); the analysis runs in the background (polled while pending) and its
 * fingerprint is shown in plain words; nine tuning sliders and banned phrases; the default voice for
 * new generations; rename and delete.
 */
import { MAX_PROFILE_NAME } from "@inkwell/domain/voice/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { useSearchParams } from "react-router";
import { Status } from "../components/Alert.tsx";
import { Button, SubmitButton } from "../components/SubmitButton.tsx";
import { FingerprintView } from "../components/voice/FingerprintView.tsx";
import { ProfileList } from "../components/voice/ProfileList.tsx";
import { SamplesPanel } from "../components/voice/SamplesPanel.tsx";
import { TuningForm } from "../components/voice/TuningForm.tsx";
import styles from "../components/voice/voice.module.css";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

type Profile = Outputs["voice"]["get"];

/** While an analysis runs, look again every two seconds. */
const POLL_MS = 2000;

export function VoicePage() {
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const list = useQuery({
    ...trpc.voice.list.queryOptions(),
    refetchInterval: (q) => (q.state.data?.some((p) => p.status === "pending") ? POLL_MS : false),
  });
  const profiles = list.data ?? [];
  const requested = params.get("profile");
  const selectedId =
    requested && profiles.some((p) => p.id === requested)
      ? requested
      : (profiles.find((p) => p.isDefault)?.id ?? profiles[0]?.id ?? null);
  const select = (id: string) => setParams({ profile: id }, { replace: true });

  return (
    <div className={`page page-wide ${styles.page}`}>
      <title>Voice · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Voice</h1>
        <p className="lead">
          Teach the writer how you sound. Add samples of your writing, then tune nine dials and ban the phrases you never want to
          see.
        </p>
      </header>
      {list.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading your voices…
        </p>
      ) : list.isError ? (
        <div role="alert" className="alert alert-error">
          {describeError(list.error).message}{" "}
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : (
        <div className={styles.layout}>
          <ProfileList
            profiles={profiles}
            selectedId={selectedId}
            onSelect={select}
            onCreated={(id) => {
              void qc.invalidateQueries(trpc.voice.list.pathFilter());
              select(id);
            }}
          />
          {selectedId ? (
            <ProfileEditor key={selectedId} profileId={selectedId} onDeleted={() => setParams({}, { replace: true })} />
          ) : (
            <div className="card empty">
              <p>Create your first voice to get started.</p>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function ProfileEditor({ profileId, onDeleted }: { profileId: string; onDeleted: () => void }) {
  const qc = useQueryClient();
  const query = useQuery({
    ...trpc.voice.get.queryOptions({ profileId }),
    // The worker analyses in the background: watch until it settles.
    refetchInterval: (q) => (q.state.data?.status === "pending" ? POLL_MS : false),
  });
  const wasPending = usePrevious(query.data?.status === "pending");
  useEffect(() => {
    // When an analysis settles, the list's status badge should follow.
    if (wasPending && query.data && query.data.status !== "pending") void qc.invalidateQueries(trpc.voice.list.pathFilter());
  }, [wasPending, query.data, qc]);

  const changed = (next: Profile) => {
    qc.setQueryData(trpc.voice.get.queryKey({ profileId }), next);
    void qc.invalidateQueries(trpc.voice.list.pathFilter());
  };
  const analyze = useMutation(trpc.voice.analyze.mutationOptions({ onSuccess: changed }));

  if (query.isPending) {
    return (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> Loading the voice…
      </p>
    );
  }
  if (query.isError) {
    return (
      <div role="alert" className="alert alert-error">
        {describeError(query.error).message}
      </div>
    );
  }
  const profile = query.data;
  return (
    <div className={`stack ${styles.editor}`}>
      <ProfileHeader profile={profile} onChanged={changed} onDeleted={onDeleted} />
      {analyze.isError && (
        <p className="status status-error" role="alert">
          {describeError(analyze.error).message}
        </p>
      )}
      <FingerprintView
        profile={profile}
        analyzing={analyze.isPending}
        onAnalyze={() => analyze.mutate({ profileId: profile.id })}
      />
      <SamplesPanel profile={profile} onChanged={changed} />
      <TuningForm profile={profile} onSaved={changed} />
    </div>
  );
}

function usePrevious<T>(value: T): T | undefined {
  const [state, setState] = useState<{ current: T; previous: T | undefined }>({ current: value, previous: undefined });
  if (state.current !== value) setState({ current: value, previous: state.current });
  return state.previous;
}

function ProfileHeader({
  profile,
  onChanged,
  onDeleted,
}: {
  profile: Profile;
  onChanged: (p: Profile) => void;
  onDeleted: () => void;
}) {
  const id = useId();
  const qc = useQueryClient();
  const [name, setName] = useState(profile.name);
  const [status, setStatus] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const rename = useMutation(
    trpc.voice.update.mutationOptions({
      onSuccess: (next) => {
        onChanged(next);
        setStatus("Renamed.");
      },
    }),
  );
  const makeDefault = useMutation(
    trpc.voice.setDefault.mutationOptions({
      onSuccess: (next) => {
        onChanged(next);
        setStatus(`“${next.name}” is now your default voice.`);
      },
    }),
  );
  const remove = useMutation(
    trpc.voice.delete.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries(trpc.voice.list.pathFilter());
        onDeleted();
      },
    }),
  );
  const error = rename.error ?? makeDefault.error ?? remove.error;

  return (
    <section className={`card ${styles.header}`} aria-label="Voice settings">
      <form
        className={styles.rename}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setStatus(null);
          if (name.trim() && name.trim() !== profile.name && !rename.isPending) {
            rename.mutate({ profileId: profile.id, name: name.trim() });
          }
        }}
      >
        <label htmlFor={`${id}-name`}>Name</label>
        <div className={styles.newRow}>
          <input id={`${id}-name`} value={name} maxLength={MAX_PROFILE_NAME} onChange={(e) => setName(e.target.value)} />
          <SubmitButton variant="secondary" className="btn-small" pending={rename.isPending} pendingLabel="Saving…">
            Rename
          </SubmitButton>
        </div>
      </form>
      <div className={styles.default}>
        <label className={styles.toggle}>
          <input
            type="checkbox"
            checked={profile.isDefault || makeDefault.isPending}
            disabled={profile.isDefault || makeDefault.isPending}
            aria-describedby={`${id}-default-hint`}
            onChange={() => makeDefault.mutate({ profileId: profile.id })}
          />
          <span>Default voice for new generations</span>
        </label>
        <p className="hint" id={`${id}-default-hint`}>
          {profile.isDefault
            ? "The writer uses this voice unless you pick another. To change it, make another voice the default."
            : "The writer uses your default voice unless you pick another."}
        </p>
      </div>
      <div className={styles.delete}>
        {confirmDelete ? (
          <fieldset className={styles.inlineConfirm}>
            <legend className="visually-hidden">Confirm deletion</legend>
            <span>Delete “{profile.name}” and its samples?</span>
            <Button
              variant="danger"
              className="btn-small"
              pending={remove.isPending}
              pendingLabel="Deleting…"
              onClick={() => remove.mutate({ profileId: profile.id })}
            >
              Delete
            </Button>
            <Button variant="ghost" className="btn-small" onClick={() => setConfirmDelete(false)}>
              Keep
            </Button>
          </fieldset>
        ) : (
          <Button variant="ghost" className="btn-small" onClick={() => setConfirmDelete(true)}>
            Delete voice
          </Button>
        )}
      </div>
      {error && (
        <p className="status status-error" role="alert">
          {describeError(error, ["name"]).message}
        </p>
      )}
      <Status>{status}</Status>
    </section>
  );
}
