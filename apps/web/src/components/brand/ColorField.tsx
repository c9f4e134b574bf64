import { colorName, HEX_COLOR } from "@inkwell/domain/brand/schemas";
import { useId } from "react";
import type { FieldProps } from "../../lib/form.ts";
import styles from "./brand.module.css";

/**
 * A brand colour: a live swatch, the system colour picker and the hex text (the source of truth, so
 * a pasted "#1E3A8A" works and a typo shows its error). The swatch also says how the writer will
 * describe the colour in prompts.
 */
export function ColorField({
  label,
  error,
  inputRef,
  onPick,
  ...field
}: FieldProps & { label: string; onPick(hex: string): void }) {
  const id = useId();
  const hex = field.value.trim();
  const valid = HEX_COLOR.test(hex);
  const hintId = `${id}-hint`;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field ${styles.color}`} data-invalid={error ? "" : undefined}>
      <label htmlFor={id}>{label}</label>
      <div className={styles.colorRow}>
        <span
          className={`${styles.swatch}${valid ? "" : ` ${styles.swatchEmpty}`}`}
          data-swatch=""
          style={valid ? { backgroundColor: hex } : undefined}
          aria-hidden="true"
        />
        <input
          {...field}
          id={id}
          ref={inputRef}
          type="text"
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          placeholder="#rrggbb"
          maxLength={7}
          className={styles.hex}
          aria-invalid={error ? true : undefined}
          aria-describedby={[errorId, hintId].filter(Boolean).join(" ")}
        />
        <input
          type="color"
          className={styles.picker}
          aria-label={`Pick the ${label.toLowerCase()}`}
          value={valid ? hex.toLowerCase() : "#000000"}
          onChange={(event) => onPick(event.target.value)}
        />
      </div>
      {error && (
        <p className="field-error" id={errorId}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
      <p className="hint" id={hintId}>
        {valid ? `The writer calls it “${colorName(hex)}”.` : hex === "" ? "Not set." : "Six hex digits after #."}
      </p>
    </div>
  );
}
