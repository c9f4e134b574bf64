/**
 * The editor's one way to edit a list of parts (sections, cards, questions, prompts, and inside them
 * choices and rubric lines): each part with its fields and a Remove button, then Add buttons (one per kind
 * of part). Remove is offered only above the schema's minimum (and where `canRemove` allows), Add only
 * below its maximum, so the list the editor saves always has a length the content schema accepts.
 */
import type { ReactNode } from "react";
import { Button } from "../../SubmitButton.tsx";
import s from "./library.module.css";

export interface PartListProps<T> {
  items: T[];
  onChange: (items: T[]) => void;
  /** What one part is called on screen, capitalised: "Section", "Choice". */
  name: string;
  min: number;
  max: number;
  /** One Add button each: its words and the new part (given the list, e.g. to pick an unused id). */
  adders: { label: string; make: (items: T[]) => T }[];
  /** A stable key (a part id); parts without ids are keyed by position, which is their identity. */
  keyOf?: (item: T, index: number) => string | number;
  /** The part's heading after "<name> <n>", e.g. its kind. */
  describe?: (item: T) => string;
  /** Whether this part may go (e.g. not a question's right answer). */
  canRemove?: (item: T, index: number) => boolean;
  /** Rows (choices, rubric lines) rather than framed parts. */
  rows?: boolean;
  /** The part's fields; `put` replaces the part. */
  children: (item: T, put: (next: T) => void, index: number) => ReactNode;
}

export function PartList<T>({
  items,
  onChange,
  name,
  min,
  max,
  adders,
  keyOf = (_item, index) => index,
  describe,
  canRemove = () => true,
  rows = false,
  children,
}: PartListProps<T>) {
  const noun = name.toLowerCase();
  return (
    <div className={rows ? s.partRows : "stack"}>
      {items.map((item, i) => {
        const title = `${name} ${i + 1}`;
        const put = (next: T) => onChange(items.map((x, j) => (j === i ? next : x)));
        const remove = items.length > min && canRemove(item, i) && (
          <Button
            variant="ghost"
            className={rows ? "btn-small" : undefined}
            onClick={() => onChange(items.filter((_, j) => j !== i))}
          >
            Remove {noun} {i + 1}
          </Button>
        );
        return rows ? (
          <PartRow key={keyOf(item, i)} title={title}>
            {children(item, put, i)}
            {remove}
          </PartRow>
        ) : (
          <fieldset key={keyOf(item, i)} className={s.editorPart}>
            <legend>
              {title}
              {describe && ` (${describe(item)})`}
            </legend>
            {children(item, put, i)}
            {remove}
          </fieldset>
        );
      })}
      {items.length < max && (
        <div className={s.actions}>
          {adders.map((adder) => (
            <Button
              key={adder.label}
              variant="secondary"
              className={rows ? "btn-small" : undefined}
              onClick={() => onChange([...items, adder.make(items)])}
            >
              {adder.label}
            </Button>
          ))}
        </div>
      )}
    </div>
  );
}

/** A row named for assistive technology ("Choice 2"), so its radio and its Remove say whose they are. */
function PartRow({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className={s.partRow}>
      <legend className="visually-hidden">{title}</legend>
      {children}
    </fieldset>
  );
}
