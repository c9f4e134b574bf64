/**
 * The storyteller's photos and recording on the answer page (no account: the answer link is the key).
 * Each file is uploaded as soon as it is chosen or recorded (so a large one is not sent with the answer
 * form); `attach` joins them to the story once the answer is saved.
 */
import { useState } from "react";
import { FilePicker } from "./FilePicker.tsx";
import s from "./media.module.css";
import { Recorder } from "./Recorder.tsx";
import { type AnswerLink, formatDuration, type Uploaded, uploadFile } from "./upload.ts";

export interface PendingMedia {
  photos: { fileId: string; thumbnailUrl: string; caption: string; name: string }[];
  recordings: { fileId: string; url: string; durationMs: number | null }[];
}

export function AnswerMedia({
  link,
  media,
  setMedia,
}: {
  link: AnswerLink;
  media: PendingMedia;
  setMedia: (update: (m: PendingMedia) => PendingMedia) => void;
}) {
  const [busy, setBusy] = useState("");
  const [problem, setProblem] = useState("");

  async function send(purpose: "story_photo" | "story_audio", blob: Blob, name: string, then: (u: Uploaded) => void) {
    setProblem("");
    setBusy(purpose === "story_photo" ? `Uploading ${name}…` : "Saving your recording…");
    try {
      then(await uploadFile(purpose, blob, name, link));
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "The upload failed.");
    } finally {
      setBusy("");
    }
  }

  async function onPhotos(files: FileList | null) {
    for (const file of Array.from(files ?? [])) {
      await send("story_photo", file, file.name, (u) =>
        setMedia((m) => ({
          ...m,
          photos: [...m.photos, { fileId: u.fileId, thumbnailUrl: u.thumbnailUrl ?? "", caption: "", name: file.name }],
        })),
      );
    }
  }

  return (
    <div className={s.section}>
      <FilePicker
        id="answer-photos"
        label="Add photos (optional)"
        icon="photo"
        accept="image/jpeg,image/png,image/webp,image/gif"
        multiple
        disabled={Boolean(busy)}
        onChange={(e) => {
          const input = e.currentTarget;
          void onPhotos(input.files).then(() => (input.value = ""));
        }}
      />
      {media.photos.length > 0 && (
        <ul className={s.photos} aria-label="Your photos">
          {media.photos.map((p, i) => (
            <li key={p.fileId} className={s.photo}>
              <img src={p.thumbnailUrl} alt={p.caption || `Photo ${i + 1}: ${p.name}`} />
              <label className="visually-hidden" htmlFor={`caption-${p.fileId}`}>
                Caption for photo {i + 1}
              </label>
              <input
                id={`caption-${p.fileId}`}
                type="text"
                placeholder="Caption"
                maxLength={500}
                value={p.caption}
                onChange={(e) => {
                  const caption = e.target.value;
                  setMedia((m) => ({ ...m, photos: m.photos.map((x) => (x.fileId === p.fileId ? { ...x, caption } : x)) }));
                }}
              />
            </li>
          ))}
        </ul>
      )}
      <Recorder
        disabled={Boolean(busy) || media.recordings.length >= 5}
        onRecorded={(blob, name) => {
          const url = URL.createObjectURL(blob);
          void send("story_audio", blob, name, (u) =>
            setMedia((m) => ({
              ...m,
              recordings: [...m.recordings, { fileId: u.fileId, url, durationMs: u.durationMs ?? null }],
            })),
          );
        }}
      />
      {media.recordings.length > 0 && (
        <ul className={s.recordings} aria-label="Your recordings">
          {media.recordings.map((r, i) => (
            <li key={r.fileId} className={s.recording}>
              {/* biome-ignore lint/a11y/useMediaCaption: the storyteller's own voice, just recorded; the transcript follows on the story page */}
              <audio controls src={r.url} aria-label={`Recording ${i + 1}`} />
              <span className="hint">
                Recording {i + 1} saved{r.durationMs ? ` (${formatDuration(r.durationMs)})` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p role="status" className={busy ? "hint" : "visually-hidden"}>
        {busy}
      </p>
      <div role="alert" className={problem ? "alert alert-error" : "visually-hidden"}>
        {problem}
      </div>
    </div>
  );
}
