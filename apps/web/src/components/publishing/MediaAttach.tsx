/**
 * Images for a post: pick files (checked here for type and size so a wrong file fails at once; the
 * server sniffs the bytes again), see thumbnails, remove. Each image is uploaded as soon as it is
 * picked; the post then names them by id. The limits shown are each selected platform's.
 */
import { FILE_PURPOSES, formatBytes } from "@inkwell/domain/files/schemas";
import { useMutation } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { PLATFORM_LIMITS, PLATFORM_NAMES } from "../../lib/publishing.ts";
import type { PlatformKind } from "../../lib/publishing-rules.ts";
import { Button } from "../SubmitButton.tsx";
import styles from "./publishing.module.css";

export type PostImage = Outputs["publishing"]["posts"]["uploadMedia"] & { filename: string };

/** What every platform here accepts (the server checks the same). */
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
const MAX_BYTES = FILE_PURPOSES.post_media.maxBytes;
const ALL_PLATFORMS: PlatformKind[] = ["x", "linkedin", "threads", "wordpress"];

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = String(reader.result);
      // A data URL: "data:<type>;base64,<data>".
      resolve(result.slice(result.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error("read failed"));
    reader.readAsDataURL(file);
  });
}

/** The platforms (of those selected) that cannot take this many images, as messages. */
export function imageProblems(count: number, platforms: PlatformKind[]): string[] {
  return [...new Set(platforms)]
    .filter((p) => count > PLATFORM_LIMITS[p].maxMedia)
    .map((p) => {
      const max = PLATFORM_LIMITS[p].maxMedia;
      return max === 0
        ? `${PLATFORM_NAMES[p]} posts can't have images here.`
        : `${PLATFORM_NAMES[p]} takes at most ${max} image${max === 1 ? "" : "s"} per post (this one has ${count}).`;
    });
}

export function MediaAttach({
  images,
  platforms,
  onAdd,
  onRemove,
}: {
  images: PostImage[];
  platforms: PlatformKind[];
  onAdd: (image: PostImage) => void;
  onRemove: (fileId: string) => void;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const upload = useMutation(
    trpc.publishing.posts.uploadMedia.mutationOptions({
      onSuccess: (uploaded, variables) => onAdd({ ...uploaded, filename: variables.filename }),
      onError: (e) => setError(describeError(e).message || "Couldn't upload the image."),
    }),
  );

  async function onFile(file: File | undefined) {
    setError(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(`That file is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_BYTES)}.`);
      return;
    }
    if (file.type && !IMAGE_TYPES.includes(file.type)) {
      setError("That file is not a PNG, JPEG, GIF or WebP image.");
      return;
    }
    upload.mutate({ filename: file.name, dataBase64: await readBase64(file) });
  }

  const shown = platforms.length ? [...new Set(platforms)] : ALL_PLATFORMS;
  const problems = imageProblems(images.length, platforms);
  const describedBy = [`${id}-hint`, error ? `${id}-error` : "", problems.length ? `${id}-problems` : ""].filter(Boolean);
  return (
    <div className={`stack ${styles.media}`}>
      {images.length > 0 && (
        <ul className={styles.mediaList} aria-label="Attached images">
          {images.map((image) => (
            <li key={image.fileId} className={styles.mediaItem}>
              <img src={image.url} alt={`Attached: ${image.filename}`} className={styles.mediaThumb} />
              <span className={`small muted ${styles.mediaName}`}>
                {image.filename} · {formatBytes(image.byteSize)}
              </span>
              <Button variant="ghost" className="btn-small" onClick={() => onRemove(image.fileId)}>
                Remove<span className="visually-hidden"> {image.filename}</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div>
        <label htmlFor={`${id}-file`} className="visually-hidden">
          Image file
        </label>
        <input
          ref={input}
          id={`${id}-file`}
          type="file"
          accept={IMAGE_TYPES.join(",")}
          className="visually-hidden"
          aria-describedby={describedBy.join(" ")}
          aria-invalid={error || problems.length ? true : undefined}
          onChange={(event) => {
            void onFile(event.target.files?.[0]);
            event.target.value = "";
          }}
        />
        <Button
          variant="secondary"
          className="btn-small"
          pending={upload.isPending}
          pendingLabel="Uploading…"
          onClick={() => input.current?.click()}
        >
          Add an image
        </Button>
      </div>
      <p className="hint" id={`${id}-hint`}>
        A PNG, JPEG, GIF or WebP image, up to {formatBytes(MAX_BYTES)}.{" "}
        {shown
          .map((p) => {
            const max = PLATFORM_LIMITS[p].maxMedia;
            return `${PLATFORM_NAMES[p]}: ${max === 0 ? "no images" : `up to ${max} image${max === 1 ? "" : "s"}`}`;
          })
          .join(" · ")}
        . Images go with the first post of a thread.
      </p>
      {error && (
        <p role="alert" className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
      {problems.length > 0 && (
        <div id={`${id}-problems`}>
          {problems.map((message) => (
            <p key={message} className="field-error" role="alert">
              <span aria-hidden="true">⚠ </span>
              {message}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
