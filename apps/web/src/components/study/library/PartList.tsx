/**
 * The editor's one way to edit a list of parts (sections, cards, questions, prompts, and inside them
 * choices and rubric lines): each part with its fields and a Remove button, then Add buttons (one per kind
 * of part). Remove is offered only above the schema's minimum (and where `canRemove` allows), Add only
 * below its maximum, so the list the editor saves always has a length the content schema accepts.
 * After Add, focus goes to the new part's first field; after Remove, to the first field of the part that took
 * its place (or the one before it), so a keyboard or screen-reader user is not left on a button that is gone.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
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
  const listId = useId();
  const listRef = useRef<HTMLDivElement>(null);
  // The part to focus once the list has re-rendered after an Add or a Remove.
  const [focusPart, setFocusPart] = useState<{ index: number } | null>(null);
  useEffect(() => {
    if (!focusPart) return;
    const parts = listRef.current?.querySelectorAll<HTMLElement>(`[data-part="${listId}"]`);
    const part = parts?.[Math.min(focusPart.index, parts.length - 1)];
    part?.querySelector<HTMLElement>("input, textarea, select")?.focus();
    setFocusPart(null);
  }, [focusPart, listId]);
  return (
    <div ref={listRef} className={rows ? s.partRows : "stack"}>
      {items.map((item, i) => {
        const title = `${name} ${i + 1}`;
        const put = (next: T) => onChange(items.map((x, j) => (j === i ? next : x)));
        const remove = items.length > min && canRemove(item, i) && (
          <Button
            variant="ghost"
            className={rows ? "btn-small" : undefined}
            onClick={() => {
              onChange(items.filter((_, j) => j !== i));
              setFocusPart({ index: i });
            }}
          >
            Remove {noun} {i + 1}
          </Button>
        );
        return rows ? (
          <PartRow key={keyOf(item, i)} title={title} listId={listId}>
            {children(item, put, i)}
            {remove}
          </PartRow>
        ) : (
          <fieldset key={keyOf(item, i)} className={s.editorPart} data-part={listId}>
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
              onClick={() => {
                onChange([...items, adder.make(items)]);
                setFocusPart({ index: items.length });
              }}
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
function PartRow({ title, listId, children }: { title: string; listId: string; children: ReactNode }) {
  return (
    <fieldset className={s.partRow} data-part={listId}>
      <legend className="visually-hidden">{title}</legend>
      {children}
    </fieldset>
  );
}
