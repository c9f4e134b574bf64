/**
 * Drop files here (or choose them): each is streamed to `POST /uploads` with a progress bar, then
 * attached to the library (`studio.assets.attach`). One at a time: the server takes two uploads per
 * account at once, and one after another the first file is usable soonest.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { trpc, trpcClient } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import s from "./assets.module.css";
import { ASSET_ACCEPT, MAX_ASSET_BYTES, uploadAsset } from "./upload.ts";

interface Item {
  key: string;
  name: string;
  progress: number;
  state: "waiting" | "uploading" | "saving" | "done" | "failed";
  error?: string;
}

const STATE_LABEL: Record<Item["state"], string> = {
  waiting: "Waiting",
  uploading: "Uploading",
  saving: "Saving",
  done: "Added",
  failed: "Failed",
};

export function AssetUpload({ personaId }: { personaId?: string | undefined }) {
  const qc = useQueryClient();
  const inputId = useId();
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);
  const queue = useRef(Promise.resolve());

  const patch = (key: string, next: Partial<Item>) =>
    setItems((list) => list.map((i) => (i.key === key ? { ...i, ...next } : i)));

  const add = (files: FileList | File[]) => {
    const batch = [...files].map((file) => ({ file, key: `${Date.now()}-${Math.random()}` }));
    if (!batch.length) return;
    setItems((list) => [
      ...list.filter((i) => i.state !== "done"),
      ...batch.map(({ file, key }) => ({ key, name: file.name, progress: 0, state: "waiting" as const })),
    ]);
    for (const { file, key } of batch) {
      queue.current = queue.current.then(async () => {
        try {
          patch(key, { state: "uploading" });
          const uploaded = await uploadAsset(file, (progress) => patch(key, { progress }));
          patch(key, { state: "saving", progress: 1 });
          // The name travelled with the upload (cut to 255 characters there); sending it again here
          // refused a longer one and left the upload unattached.
          await trpcClient.studio.assets.attach.mutate({
            fileId: uploaded.fileId,
            ...(personaId ? { personaId } : {}),
          });
          patch(key, { state: "done" });
          await qc.invalidateQueries(trpc.studio.assets.list.pathFilter());
        } catch (error) {
          patch(key, { state: "failed", error: describeError(error).message });
        }
      });
    }
  };

  return (
    <section aria-label="Upload to the library" className={s.uploadArea}>
      <label
        htmlFor={inputId}
        className={s.dropzone}
        data-dragging={dragging || undefined}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add(e.dataTransfer.files);
        }}
        data-role="asset-dropzone"
      >
        <strong>Drop files here</strong> or <span className={s.linkish}>choose files</span>
        <span className={s.hint}>
          Images, audio, video, PDFs and text, up to {Math.round(MAX_ASSET_BYTES / (1024 * 1024))} MB each. Photos are stored
          without their location and camera data.
        </span>
        <input
          id={inputId}
          type="file"
          multiple
          accept={ASSET_ACCEPT}
          className={s.fileInput}
          onChange={(e) => {
            if (e.target.files) add(e.target.files);
            e.target.value = "";
          }}
        />
      </label>
      {items.length > 0 && (
        <ul className={s.progressList} aria-label="Uploads">
          {items.map((item) => (
            <li key={item.key} data-state={item.state}>
              <span className={s.progressName}>{item.name}</span>
              <progress max={1} value={item.progress} aria-label={`Upload of ${item.name}`} />
              <span className={s.progressState} role="status">
                {item.state === "uploading" ? `${Math.round(item.progress * 100)}%` : STATE_LABEL[item.state]}
              </span>
              {item.error && (
                <span role="alert" className={s.error}>
                  {item.error}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
