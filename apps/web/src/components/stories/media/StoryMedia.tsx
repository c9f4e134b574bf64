/**
 * A story's photos (in order, with captions) and recordings (with their transcripts) on the story page.
 * Everyone in the family sees them; owners and contributors add photos and recordings, caption and
 * reorder, and correct a transcript; removing is for an owner or whoever added it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type Outputs, trpc } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { Status } from "../../Alert.tsx";
import { FilePicker } from "./FilePicker.tsx";
import s from "./media.module.css";
import { Recorder } from "./Recorder.tsx";
import { formatDuration, uploadFile } from "./upload.ts";

type Media = Outputs["storiesMedia"]["list"];

export function StoryMedia({ storyId }: { storyId: string }) {
  const qc = useQueryClient();
  const media = useQuery(trpc.storiesMedia.list.queryOptions({ storyId }));
  const refresh = () => qc.invalidateQueries(trpc.storiesMedia.list.queryFilter({ storyId }));
  const [busy, setBusy] = useState("");
  const [problem, setProblem] = useState("");
  const attachPhoto = useMutation(trpc.storiesMedia.attachPhoto.mutationOptions({ onSuccess: refresh }));
  const attachAudio = useMutation(trpc.storiesMedia.attachAudio.mutationOptions({ onSuccess: refresh }));
  // While a transcript is being made, look again now and then.
  const pending = media.data?.audio.some((a) => a.transcriptStatus === "pending");
  useEffect(() => {
    if (!pending) return;
    const t = window.setInterval(() => void refresh(), 5000);
    return () => window.clearInterval(t);
  });

  async function add(purpose: "story_photo" | "story_audio", blob: Blob, name: string) {
    setProblem("");
    setBusy(purpose === "story_photo" ? `Uploading ${name}…` : "Saving the recording…");
    try {
      const u = await uploadFile(purpose, blob, name);
      if (purpose === "story_photo") await attachPhoto.mutateAsync({ storyId, fileId: u.fileId, caption: "" });
      else await attachAudio.mutateAsync({ storyId, fileId: u.fileId });
    } catch (error) {
      setProblem(error instanceof Error && !("data" in error) ? error.message : describeError(error).message);
    } finally {
      setBusy("");
    }
  }

  const d = media.data;
  if (!d) return null;
  return (
    <section aria-label="Photos and recordings" className={s.section}>
      <h2>Photos</h2>
      {d.photos.length === 0 && <p className="muted">No photos yet.</p>}
      {d.photos.length > 0 && <Photos storyId={storyId} media={d} onChange={refresh} />}
      {d.canAdd && (
        <FilePicker
          id="story-add-photo"
          label="Add a photo"
          icon="photo"
          accept="image/jpeg,image/png,image/webp,image/gif"
          disabled={Boolean(busy)}
          onChange={(e) => {
            const input = e.currentTarget;
            const file = input.files?.[0];
            if (file) void add("story_photo", file, file.name).then(() => (input.value = ""));
          }}
        />
      )}
      <h2>Recordings</h2>
      {d.audio.length === 0 && <p className="muted">No recordings yet.</p>}
      <ul className={s.recordings}>
        {d.audio.map((a, i) => (
          <Recording key={a.id} audio={a} index={i} onChange={refresh} />
        ))}
      </ul>
      {d.canAdd && (
        <div className={s.picker}>
          <Recorder onRecorded={(blob, name) => void add("story_audio", blob, name)} disabled={Boolean(busy)} />
          <FilePicker
            id="story-add-audio"
            label="Or choose a recording"
            icon="file"
            accept="audio/*,.m4a,.webm"
            disabled={Boolean(busy)}
            onChange={(e) => {
              const input = e.currentTarget;
              const file = input.files?.[0];
              if (file) void add("story_audio", file, file.name).then(() => (input.value = ""));
            }}
          />
        </div>
      )}
      <p role="status" className={busy ? "hint" : "visually-hidden"}>
        {busy}
      </p>
      <div role="alert" className={problem ? "alert alert-error" : "visually-hidden"}>
        {problem}
      </div>
    </section>
  );
}

function Photos({ storyId, media, onChange }: { storyId: string; media: Media; onChange: () => void }) {
  const reorder = useMutation(trpc.storiesMedia.reorderPhotos.mutationOptions({ onSuccess: onChange }));
  const remove = useMutation(trpc.storiesMedia.removePhoto.mutationOptions({ onSuccess: onChange }));
  const ids = media.photos.map((p) => p.id);
  const move = (from: number, to: number) => {
    const next = [...ids];
    const [moved] = next.splice(from, 1);
    if (moved) next.splice(to, 0, moved);
    reorder.mutate({ storyId, photoIds: next });
  };
  return (
    <ol className={s.photos} aria-label="Photos, in order">
      {media.photos.map((p, i) => (
        <li key={p.id} className={s.photo}>
          <a href={p.url} target="_blank" rel="noreferrer">
            <img src={p.thumbnailUrl} alt={p.caption || `Photo ${i + 1}`} width={p.width} height={p.height} loading="lazy" />
          </a>
          {p.canEdit ? <Caption photoId={p.id} caption={p.caption} index={i} onChange={onChange} /> : <p>{p.caption}</p>}
          {p.byStoryteller && <span className="hint">From the storyteller</span>}
          {(p.canEdit || p.canRemove) && (
            <div className={s.actions}>
              {p.canEdit && i > 0 && (
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => move(i, i - 1)}
                  aria-label={`Move photo ${i + 1} earlier`}
                >
                  ←
                </button>
              )}
              {p.canEdit && i < media.photos.length - 1 && (
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => move(i, i + 1)}
                  aria-label={`Move photo ${i + 1} later`}
                >
                  →
                </button>
              )}
              {p.canRemove && (
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => window.confirm("Remove this photo from the story?") && remove.mutate({ photoId: p.id })}
                >
                  Remove
                </button>
              )}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

function Caption({
  photoId,
  caption,
  index,
  onChange,
}: {
  photoId: string;
  caption: string;
  index: number;
  onChange: () => void;
}) {
  const [value, setValue] = useState(caption);
  useEffect(() => setValue(caption), [caption]);
  const save = useMutation(trpc.storiesMedia.setCaption.mutationOptions({ onSuccess: onChange }));
  return (
    <>
      <label className="visually-hidden" htmlFor={`caption-${photoId}`}>
        Caption for photo {index + 1}
      </label>
      <input
        id={`caption-${photoId}`}
        type="text"
        placeholder="Add a caption"
        maxLength={500}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onBlur={() => value !== caption && save.mutate({ photoId, caption: value })}
      />
    </>
  );
}

function Recording({ audio, index, onChange }: { audio: Media["audio"][number]; index: number; onChange: () => void }) {
  const [text, setText] = useState(audio.transcript);
  const [saved, setSaved] = useState("");
  useEffect(() => setText(audio.transcript), [audio.transcript]);
  const save = useMutation(
    trpc.storiesMedia.editTranscript.mutationOptions({
      onSuccess: () => {
        setSaved("Transcript saved.");
        onChange();
      },
    }),
  );
  const remove = useMutation(trpc.storiesMedia.removeAudio.mutationOptions({ onSuccess: onChange }));
  const id = `transcript-${audio.id}`;
  return (
    <li className={s.recording}>
      {/* biome-ignore lint/a11y/useMediaCaption: the transcript below is the recording's text */}
      <audio controls preload="metadata" src={audio.url} aria-label={`Recording ${index + 1}`} />
      <span className="hint">
        Recording {index + 1}
        {audio.durationMs ? ` · ${formatDuration(audio.durationMs)}` : ""}
        {audio.byStoryteller ? " · from the storyteller" : ""}
      </span>
      {audio.transcriptNote && <p className="muted">{audio.transcriptNote}</p>}
      {audio.canEdit ? (
        <form
          className={s.section}
          onSubmit={(e) => {
            e.preventDefault();
            setSaved("");
            save.mutate({ audioId: audio.id, transcript: text });
          }}
        >
          <label htmlFor={id}>Transcript{audio.transcriptEdited ? " (edited)" : ""}</label>
          <textarea id={id} className="textarea" value={text} onChange={(e) => setText(e.target.value)} />
          <div className={s.actions}>
            <button type="submit" className="btn btn-secondary btn-small" disabled={save.isPending}>
              Save transcript
            </button>
            {audio.canRemove && (
              <button
                type="button"
                className="btn btn-ghost btn-small"
                onClick={() => window.confirm("Remove this recording?") && remove.mutate({ audioId: audio.id })}
              >
                Remove
              </button>
            )}
          </div>
          <Status>{saved}</Status>
        </form>
      ) : (
        audio.transcript && <p style={{ whiteSpace: "pre-wrap" }}>{audio.transcript}</p>
      )}
    </li>
  );
}
