/**
 * A file chooser that looks like the app's buttons: the native input stays in the page (keyboard,
 * screen readers and tests reach it by its label) but is visually hidden; its label is the button.
 */
import type { ChangeEvent } from "react";
import { MediaIcon } from "./MediaIcon.tsx";
import s from "./media.module.css";

export function FilePicker({
  id,
  label,
  accept,
  multiple,
  disabled,
  icon,
  onChange,
}: {
  id: string;
  label: string;
  accept: string;
  multiple?: boolean;
  disabled?: boolean;
  icon: "photo" | "file";
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
}) {
  return (
    <div className={s.filePicker}>
      <input
        id={id}
        className={s.fileInput}
        type="file"
        accept={accept}
        multiple={multiple}
        disabled={disabled}
        onChange={onChange}
      />
      <label htmlFor={id} className={`btn btn-secondary ${s.fileButton}`} aria-disabled={disabled || undefined}>
        <MediaIcon name={icon} />
        {label}
      </label>
    </div>
  );
}
