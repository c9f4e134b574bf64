import { describeKinds, FILE_PURPOSES, formatBytes, MEDIA_TYPES } from "@inkwell/domain/files/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import styles from "./brand.module.css";

/** The kit as the API sends it (dates as strings). */
export type BrandKit = Outputs["brand"]["get"];

const RULE = FILE_PURPOSES.brand_logo;
const ACCEPT = RULE.allowed.flatMap((kind) => MEDIA_TYPES[kind]).join(",");

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

/**
 * The logo: preview, upload (checked here for size and type so a wrong file fails at once; the server
 * checks again by sniffing the bytes), replace and remove.
 */
export function LogoUpload({ kit }: { kit: BrandKit }) {
  const id = useId();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const onSaved = (next: BrandKit) => queryClient.setQueryData(trpc.brand.get.queryKey(), next);

  const upload = useMutation(
    trpc.brand.uploadLogo.mutationOptions({
      onSuccess: (next) => {
        onSaved(next);
        setStatus("Logo uploaded.");
      },
      onError: (e) => setError(describeError(e).message || "Couldn't upload the logo."),
    }),
  );
  const remove = useMutation(
    trpc.brand.removeLogo.mutationOptions({
      onSuccess: (next) => {
        onSaved(next);
        setStatus("Logo removed.");
      },
      onError: (e) => setError(describeError(e).message || "Couldn't remove the logo."),
    }),
  );

  async function onFile(file: File | undefined) {
    setError(null);
    setStatus(null);
    if (!file) return;
    if (file.size > RULE.maxBytes) {
      setError(`That file is ${formatBytes(file.size)}; the limit is ${formatBytes(RULE.maxBytes)}.`);
      return;
    }
    if (file.type && !ACCEPT.split(",").includes(file.type)) {
      setError(`That file is not a ${describeKinds(RULE.allowed)}.`);
      return;
    }
    upload.mutate({ filename: file.name, dataBase64: await readBase64(file) });
  }

  const busy = upload.isPending || remove.isPending;
  return (
    <section className={`card stack ${styles.logo}`} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Logo</h2>
      <div className={styles.logoRow}>
        <div className={styles.logoPreview}>
          {kit.logo ? <img src={kit.logo.url} alt="Your logo" /> : <span className="muted small">No logo yet</span>}
        </div>
        <div className="stack">
          <label htmlFor={`${id}-file`} className="visually-hidden">
            Logo file
          </label>
          <input
            ref={input}
            id={`${id}-file`}
            type="file"
            accept={ACCEPT}
            className={styles.file}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
            aria-invalid={error ? true : undefined}
            onChange={(event) => {
              void onFile(event.target.files?.[0]);
              event.target.value = "";
            }}
          />
          <div className={styles.logoActions}>
            <Button
              variant="secondary"
              pending={upload.isPending}
              pendingLabel="Uploading…"
              onClick={() => input.current?.click()}
            >
              {kit.logo ? "Replace logo" : "Upload logo"}
            </Button>
            {kit.logo && (
              <Button
                variant="ghost"
                pending={remove.isPending}
                pendingLabel="Removing…"
                disabled={busy}
                onClick={() => remove.mutate()}
              >
                Remove
              </Button>
            )}
          </div>
          <p className="hint" id={`${id}-hint`}>
            A {describeKinds(RULE.allowed)}, up to {formatBytes(RULE.maxBytes)}.
            {kit.logo ? ` Current: ${kit.logo.filename} (${formatBytes(kit.logo.byteSize)}).` : ""}
          </p>
          {error && (
            <p role="alert" className="field-error" id={`${id}-error`}>
              <span aria-hidden="true">⚠ </span>
              {error}
            </p>
          )}
          <Status>{status}</Status>
        </div>
      </div>
    </section>
  );
}
