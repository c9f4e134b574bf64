/**
 * The one list of things a user owns (conversations, writer sessions, knowledge entries, projects):
 * an optional search box, loading / error / empty / no-match states, the rows (each page renders its
 * own), "Rename" in place and "Delete" after a confirmation dialog, and "Load more".
 *
 * Each row gets its action buttons as a part to place (`renderItem(item, { actions })`), so a row
 * that is being edited in its own way (a knowledge entry's form) can leave them out. Focus is kept
 * where a keyboard user expects it: back on "Rename" after renaming or cancelling, on the list after
 * a row is deleted.
 */
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { describeError } from "../../lib/errors.ts";
import { Button } from "../SubmitButton.tsx";
import { ConfirmDialog } from "./confirm-dialog.tsx";
import { EmptyState } from "./empty-state.tsx";
import s from "./searchable-list.module.css";
import { Tooltip } from "./tooltip.tsx";

/** What the list needs from a TanStack (infinite) query. */
export interface ListState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  hasNextPage?: boolean;
  isFetchingNextPage?: boolean;
  fetchNextPage?: () => unknown;
}

export interface ItemParts {
  /** The row's Rename / Delete (and extra) buttons, to place where the row wants them. */
  actions: ReactNode;
  active: boolean;
}

export interface SearchableListProps<T> {
  items: readonly T[];
  getKey: (item: T) => string;
  /** The name the row's buttons and the confirmation use ("Delete Plants and light"). */
  getName: (item: T) => string;
  renderItem: (item: T, parts: ItemParts) => ReactNode;
  /** The list's accessible name; say when it is filtered ("Conversations matching plants"). */
  label: string;
  state?: ListState;
  search?: {
    label: string;
    placeholder?: string;
    /** What is typed (debounce it with `useDebouncedValue` before querying). */
    value: string;
    onChange: (value: string) => void;
  };
  /** Filters shown between the search box and the rows. */
  toolbar?: ReactNode;
  /** A search or filter is applied: an empty result says nothing matches rather than nothing exists. */
  filtered?: boolean;
  loadingText: string;
  emptyText: ReactNode;
  noMatchText?: ReactNode;
  /** Offered beside the no-match text. */
  onClearFilters?: () => void;
  rename?: {
    onRename: (item: T, name: string) => Promise<unknown>;
    maxLength?: number;
    /** The message shown for a failed rename (default: the API's message). */
    describeError?: (error: unknown) => string;
  };
  remove?: {
    /** The verb on the button and the dialog ("Delete", "Unpin"). */
    verb?: string;
    title: (item: T) => ReactNode;
    description: (item: T) => ReactNode;
    onDelete: (item: T) => Promise<unknown>;
    /** Reversible actions are not painted red. */
    tone?: "danger" | "neutral";
  };
  /** More buttons per row, placed before Rename and Delete. */
  extraActions?: (item: T) => ReactNode;
  activeKey?: string | null;
  /** "sidebar": compact rows, actions on hover or focus; "cards": one card per row, text buttons. */
  variant?: "sidebar" | "cards";
  ordered?: boolean;
}

export function SearchableList<T>(props: SearchableListProps<T>) {
  const { items, getKey, getName, state, search, rename, remove, variant = "sidebar" } = props;
  const searchId = useId();
  const listRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const renameButtons = useRef(new Map<string, HTMLButtonElement>());
  const [renaming, setRenaming] = useState<string | null>(null);
  const [refocus, setRefocus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<T | null>(null);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const deleted = useRef(false);

  // Back on the row's Rename button once its form has gone.
  useEffect(() => {
    if (refocus === null) return;
    renameButtons.current.get(refocus)?.focus();
    setRefocus(null);
  }, [refocus]);

  const icons = variant === "sidebar";
  const verb = remove?.verb ?? "Delete";

  const actionsFor = (item: T): ReactNode => {
    const key = getKey(item);
    const name = getName(item);
    const extra = props.extraActions?.(item);
    if (!extra && !rename && !remove) return null;
    return (
      <div className={s.actions}>
        {extra}
        {rename &&
          (icons ? (
            <Tooltip label="Rename">
              <button
                ref={(el) => {
                  if (el) renameButtons.current.set(key, el);
                  else renameButtons.current.delete(key);
                }}
                type="button"
                className={s.iconButton}
                aria-label={`Rename ${name}`}
                onClick={() => setRenaming(key)}
              >
                <PencilIcon />
              </button>
            </Tooltip>
          ) : (
            <Button
              ref={(el: HTMLButtonElement | null) => {
                if (el) renameButtons.current.set(key, el);
                else renameButtons.current.delete(key);
              }}
              variant="ghost"
              className="btn-small"
              aria-label={`Rename ${name}`}
              onClick={() => setRenaming(key)}
            >
              Rename
            </Button>
          ))}
        {remove &&
          (icons ? (
            <Tooltip label={verb}>
              <button
                type="button"
                className={s.iconButton}
                aria-label={`${verb} ${name}`}
                onClick={() => {
                  setConfirming(item);
                  setConfirmOpen(true);
                }}
              >
                <TrashIcon />
              </button>
            </Tooltip>
          ) : (
            <Button
              variant="ghost"
              className="btn-small"
              aria-label={`${verb} ${name}`}
              onClick={() => {
                setConfirming(item);
                setConfirmOpen(true);
              }}
            >
              {verb}
            </Button>
          ))}
      </div>
    );
  };

  const List = props.ordered ? "ol" : "ul";
  let body: ReactNode;
  if (state?.isPending) {
    body = (
      <p className={s.status} role="status">
        <span className="spinner" aria-hidden="true" /> {props.loadingText}
      </p>
    );
  } else if (state?.isError && items.length === 0) {
    body = (
      <p className={s.error} role="alert">
        {describeError(state.error).message}
      </p>
    );
  } else if (items.length === 0) {
    const noMatch = props.filtered && props.noMatchText;
    body = (
      <EmptyState
        compact={variant === "sidebar"}
        action={
          noMatch && props.onClearFilters ? (
            <button type="button" className="btn-link" onClick={props.onClearFilters}>
              Clear filters
            </button>
          ) : undefined
        }
      >
        {noMatch ? props.noMatchText : props.emptyText}
      </EmptyState>
    );
  } else {
    body = (
      <List className={s.list} aria-label={props.label}>
        {items.map((item) => {
          const key = getKey(item);
          const active = key === props.activeKey;
          return (
            <li key={key} className={s.item} data-active={active || undefined} data-renaming={renaming === key || undefined}>
              {renaming === key && rename ? (
                <RenameForm
                  name={getName(item)}
                  maxLength={rename.maxLength ?? 200}
                  describe={rename.describeError}
                  onSubmit={(name) => rename.onRename(item, name)}
                  onDone={() => {
                    setRenaming(null);
                    setRefocus(key);
                  }}
                />
              ) : (
                props.renderItem(item, { actions: actionsFor(item), active })
              )}
            </li>
          );
        })}
      </List>
    );
  }

  return (
    <div ref={listRef} className={variant === "sidebar" ? s.sidebar : s.cards} tabIndex={-1}>
      {search && (
        <search className={s.search}>
          <label htmlFor={searchId} className="visually-hidden">
            {search.label}
          </label>
          <input
            ref={searchRef}
            id={searchId}
            type="search"
            placeholder={search.placeholder ?? search.label}
            value={search.value}
            onChange={(e) => search.onChange(e.target.value)}
            autoComplete="off"
          />
        </search>
      )}
      {props.toolbar}
      {body}
      {state?.hasNextPage && state.fetchNextPage && (
        <Button
          variant="ghost"
          className={`btn-small ${s.more}`}
          pending={state.isFetchingNextPage}
          pendingLabel="Loading…"
          onClick={() => void state.fetchNextPage?.()}
        >
          Load more
        </Button>
      )}
      {remove && confirming !== null && (
        <ConfirmDialog
          open={confirmOpen}
          onOpenChange={setConfirmOpen}
          title={remove.title(confirming)}
          description={remove.description(confirming)}
          confirmLabel={verb}
          tone={remove.tone}
          onConfirm={async () => {
            await remove.onDelete(confirming);
            deleted.current = true;
          }}
          onCloseAutoFocus={(event) => {
            // The row (and the button that opened the dialog) is gone: focus the search box or the list.
            if (!deleted.current) return;
            deleted.current = false;
            event.preventDefault();
            (searchRef.current ?? listRef.current)?.focus();
          }}
        />
      )}
    </div>
  );
}

function RenameForm({
  name,
  maxLength,
  describe,
  onSubmit,
  onDone,
}: {
  name: string;
  maxLength: number;
  describe?: (error: unknown) => string;
  onSubmit: (name: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const next = value.trim();
    if (!next) return setError("Enter a title");
    if (next === name) return onDone();
    setPending(true);
    try {
      await onSubmit(next);
      setPending(false);
      onDone();
    } catch (err) {
      setPending(false);
      setError(describe ? describe(err) : describeError(err).message);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className={s.rename}>
      <label htmlFor={id} className="visually-hidden">
        New title for {name}
      </label>
      <input
        id={id}
        ref={input}
        type="text"
        value={value}
        maxLength={maxLength}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            onDone();
          }
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <div className={s.renameActions}>
        <Button type="submit" className="btn-small" pending={pending}>
          Save
        </Button>
        <Button variant="ghost" className="btn-small" onClick={onDone}>
          Cancel
        </Button>
      </div>
      {error && (
        <p id={`${id}-error`} className={s.error} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** A sidebar row's link: the title, a meta line and an optional preview, each cut to one line. */
export function ListRowLink({
  to,
  active,
  title,
  meta,
  preview,
  onClick,
}: {
  to: string;
  active: boolean;
  title: ReactNode;
  meta?: ReactNode;
  preview?: ReactNode;
  onClick?: () => void;
}) {
  return (
    <Link to={to} className={s.rowLink} aria-current={active ? "page" : undefined} onClick={onClick}>
      <span className={s.rowTitle}>{title}</span>
      {meta && <span className={s.rowMeta}>{meta}</span>}
      {preview && <span className={s.rowPreview}>{preview}</span>}
    </Link>
  );
}

/** Search as you type without a request per keystroke: the value once typing pauses. */
export function useDebouncedValue(value: string, delay = 250): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(t);
  }, [value, delay]);
  return settled;
}

const PencilIcon = () => (
  <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2">
    <path d="M4 20h4L19 9l-4-4L4 16v4ZM14 6l4 4" strokeLinejoin="round" />
  </svg>
);

const TrashIcon = () => (
  <svg aria-hidden="true" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2">
    <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13" strokeLinejoin="round" />
  </svg>
);
