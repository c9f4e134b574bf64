import { ACTIVITY_STATES, type ActivityState } from "@inkwell/domain/credits/schemas";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { type RefObject, useId, useRef } from "react";
import { PagedResults } from "../components/PagedResults.tsx";
import { trpc } from "../lib/api.ts";
import { type CreditLine, describeLine, operationName, STATE_LABELS, usePrices } from "../lib/credits.ts";
import { formatDateTime } from "../lib/format.ts";
import { nextCursor, uniqueRows } from "../lib/pagination.ts";
import { useSearchState } from "../lib/search-state.ts";

const PAGE_SIZE = 25;

interface Filters {
  states: ActivityState[];
  operation: string;
  /** Days as YYYY-MM-DD, or "". */
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { states: [], operation: "", from: "", to: "" };

/** Filters live in the URL (?state=charged&state=reserved&op=chat.reply&from=2026-11-01&to=2026-11-30). */
function readFilters(params: URLSearchParams): Filters {
  const states = ACTIVITY_STATES.filter((t) => params.getAll("state").includes(t));
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "");
  return { states, operation: params.get("op") ?? "", from: day(params.get("from")), to: day(params.get("to")) };
}

function writeFilters(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  for (const t of filters.states) params.append("state", t);
  if (filters.operation) params.set("op", filters.operation);
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  return params;
}

/** A day in the reader's time zone: from its first moment; `to` is inclusive, so up to the next day's first. */
const startOfDay = (day: string) => new Date(`${day}T00:00:00`);
const startOfNextDay = (day: string) => {
  const d = startOfDay(day);
  d.setDate(d.getDate() + 1);
  return d;
};

export function CreditsHistoryPage() {
  const [filters, setFilters] = useSearchState(readFilters, writeFilters);
  const filtered = filters.states.length > 0 || filters.operation !== "" || filters.from !== "" || filters.to !== "";
  const rangeError = filters.from && filters.to && filters.from > filters.to ? "The end date is before the start date." : null;
  const form = useRef<HTMLFormElement>(null);
  // The button pressed goes away with the filters: keep the keyboard at the top of the filters.
  const clearFilters = () => {
    setFilters(NO_FILTERS);
    form.current?.querySelector("input")?.focus();
  };

  const input = {
    limit: PAGE_SIZE,
    ...(filters.states.length ? { states: filters.states } : {}),
    ...(filters.operation ? { operation: filters.operation } : {}),
    ...(filters.from ? { from: startOfDay(filters.from).toISOString() } : {}),
    ...(filters.to ? { to: startOfNextDay(filters.to).toISOString() } : {}),
  };
  const history = useInfiniteQuery(
    trpc.credits.history.infiniteQueryOptions(input, {
      getNextPageParam: (last, all) => nextCursor(last, all, PAGE_SIZE),
      enabled: !rangeError,
      placeholderData: keepPreviousData,
    }),
  );
  const rows = uniqueRows(history.data?.pages);

  return (
    <section className="card" aria-labelledby="history-heading">
      <title>Credits · Inkwell</title>
      <h2 id="history-heading">History</h2>
      <p className="muted">
        Every grant and every operation that used credits, newest first: one line each, with where it stands (a reservation
        becomes charged or released when its generation ends).
      </p>
      <HistoryFilters
        filters={filters}
        rangeError={rangeError}
        filtered={filtered}
        onChange={setFilters}
        onClear={clearFilters}
        formRef={form}
      />
      {rangeError ? null : (
        <PagedResults
          query={history}
          shown={rows.length}
          filtered={filtered}
          loadingText="Loading history…"
          emptyText="No credit activity yet."
          noMatchText="Nothing matches these filters."
          onClearFilters={clearFilters}
          noun={["entry", "entries"]}
        >
          <HistoryTable rows={rows} filtered={filtered} updating={history.isPlaceholderData && history.isFetching} />
        </PagedResults>
      )}
    </section>
  );
}

function HistoryFilters({
  filters,
  rangeError,
  filtered,
  onChange,
  onClear,
  formRef,
}: {
  filters: Filters;
  rangeError: string | null;
  filtered: boolean;
  onChange: (filters: Filters) => void;
  onClear: () => void;
  formRef: RefObject<HTMLFormElement | null>;
}) {
  const id = useId();
  const prices = usePrices().data ?? [];
  // Operations with a price, plus one filtered on that no longer has one (from an old link).
  const operations = [...new Set([...prices.map((p) => p.operation), ...(filters.operation ? [filters.operation] : [])])];
  const set = (change: Partial<Filters>) => onChange({ ...filters, ...change });
  const toggleState = (state: ActivityState, on: boolean) =>
    set({ states: ACTIVITY_STATES.filter((t) => (t === state ? on : filters.states.includes(t))) });

  return (
    <form ref={formRef} className="filters" aria-label="Filter the history" onSubmit={(e) => e.preventDefault()}>
      <fieldset className="filter-types">
        <legend>State</legend>
        <div className="chips">
          {ACTIVITY_STATES.map((state) => (
            <label key={state} className="chip">
              <input
                type="checkbox"
                name="state"
                value={state}
                checked={filters.states.includes(state)}
                onChange={(e) => toggleState(state, e.target.checked)}
              />
              <span className="chip-label">{STATE_LABELS[state]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="filter-row">
        <div className="field">
          <label htmlFor={`${id}-op`}>Operation</label>
          <select id={`${id}-op`} value={filters.operation} onChange={(e) => set({ operation: e.target.value })}>
            <option value="">Any operation</option>
            {operations.map((op) => (
              <option key={op} value={op}>
                {operationName(op)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="date"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(e) => set({ from: e.target.value })}
          />
        </div>
        <div className="field" data-invalid={rangeError ? "" : undefined}>
          <label htmlFor={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            type="date"
            value={filters.to}
            min={filters.from || undefined}
            aria-invalid={rangeError ? true : undefined}
            aria-describedby={rangeError ? `${id}-range-error` : undefined}
            onChange={(e) => set({ to: e.target.value })}
          />
        </div>
        {filtered && (
          <div className="filter-clear">
            <button type="button" className="btn btn-ghost btn-small" onClick={onClear}>
              Clear filters
            </button>
          </div>
        )}
      </div>
      {rangeError && (
        <p className="field-error" id={`${id}-range-error`} role="alert">
          <span aria-hidden="true">⚠ </span>
          {rangeError}
        </p>
      )}
    </form>
  );
}

/** Existing badge tones: money in, money on hold, money out; returned or lapsed lines stay plain. */
const STATE_BADGES: Record<ActivityState, string> = {
  added: "badge-success",
  reserved: "badge-warning",
  charged: "badge-accent",
  released: "",
  refunded: "badge-success",
  expired: "",
};

function HistoryTable({ rows, filtered, updating }: { rows: CreditLine[]; filtered: boolean; updating: boolean }) {
  const captionId = useId();
  return (
    // Scrolls sideways on a phone: a focusable, named region so keyboard users can scroll it too (axe's
    // scrollable-region-focusable; WCAG 2.1.1).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keyboard.
    <section className="table-wrap" aria-labelledby={captionId} tabIndex={0}>
      <table className="data-table history-table" data-updating={updating || undefined} aria-busy={updating || undefined}>
        <caption id={captionId} className="visually-hidden">
          Credit history{filtered ? " (filtered)" : ""}, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Description</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((line) => {
            const d = describeLine(line);
            return (
              <tr key={line.id} data-state={line.state}>
                <td className="nowrap">
                  <time dateTime={new Date(line.createdAt).toISOString()}>{formatDateTime(line.createdAt)}</time>
                </td>
                <td>
                  <span className="cell-title">{d.label}</span>
                  {d.detail && <span className="cell-detail">{d.detail}</span>}
                </td>
                <td className="nowrap">
                  <span className={`badge badge-status ${STATE_BADGES[line.state]}`}>{STATE_LABELS[line.state]}</span>
                </td>
                <td className={`num amount amount-${d.tone}`}>{d.change}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
