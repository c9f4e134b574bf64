import { GENERATION_STATUSES } from "@inkwell/domain/usage/schemas";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useId } from "react";
import { PagedResults } from "../components/PagedResults.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { formatCredits, operationName, usePrices } from "../lib/credits.ts";
import { formatDateTime } from "../lib/format.ts";
import { nextCursor, uniqueRows } from "../lib/pagination.ts";
import { useSearchState } from "../lib/search-state.ts";

type Generation = Outputs["usage"]["generations"][number];
type Status = Generation["status"];

const PAGE_SIZE = 25;
const STATUS_LABELS: Record<Status, string> = { running: "Running", succeeded: "Succeeded", failed: "Failed" };
const number = new Intl.NumberFormat();

const tokens = (n: number | null) => (n === null ? "—" : number.format(n));
function latency(ms: number | null) {
  if (ms === null) return "—";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

interface Filters {
  operation: string;
  status: Status | "";
}

const NO_FILTERS: Filters = { operation: "", status: "" };

function readFilters(params: URLSearchParams): Filters {
  const status = params.get("status") ?? "";
  return {
    operation: params.get("op") ?? "",
    status: (GENERATION_STATUSES as readonly string[]).includes(status) ? (status as Status) : "",
  };
}

function writeFilters(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.operation) params.set("op", filters.operation);
  if (filters.status) params.set("status", filters.status);
  return params;
}

/** /credits/usage: every AI call, with its model, tokens, time, cost and outcome. */
export function CreditsUsagePage() {
  const id = useId();
  const [filters, setFilters] = useSearchState(readFilters, writeFilters);
  const { operation, status } = filters;
  const filtered = operation !== "" || status !== "";
  const prices = usePrices().data ?? [];
  const operations = [...new Set([...prices.map((p) => p.operation), ...(operation ? [operation] : [])])];

  const input = { limit: PAGE_SIZE, ...(operation ? { operation } : {}), ...(status ? { status } : {}) };
  const generations = useInfiniteQuery(
    trpc.usage.generations.infiniteQueryOptions(input, {
      getNextPageParam: (last, all) => nextCursor(last, all, PAGE_SIZE),
      placeholderData: keepPreviousData,
    }),
  );
  const rows = uniqueRows(generations.data?.pages);

  return (
    <section className="card" aria-labelledby="usage-heading">
      <title>Usage · Credits · Inkwell</title>
      <h2 id="usage-heading">Usage</h2>
      <p className="muted">Every call to an AI model, newest first: what it was for, how big, how long, and what it cost.</p>
      <form className="filters" aria-label="Filter the usage" onSubmit={(e) => e.preventDefault()}>
        <div className="filter-row">
          <div className="field">
            <label htmlFor={`${id}-op`}>Operation</label>
            <select id={`${id}-op`} value={operation} onChange={(e) => setFilters({ ...filters, operation: e.target.value })}>
              <option value="">Any operation</option>
              {operations.map((op) => (
                <option key={op} value={op}>
                  {operationName(op)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-status`}>Status</label>
            <select
              id={`${id}-status`}
              value={status}
              onChange={(e) => setFilters({ ...filters, status: e.target.value as Status | "" })}
            >
              <option value="">Any status</option>
              {GENERATION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
        </div>
      </form>
      <PagedResults
        query={generations}
        shown={rows.length}
        filtered={filtered}
        loadingText="Loading usage…"
        emptyText="No generations yet. Each time Writer, Chat or Study calls an AI model, it is listed here."
        noMatchText="No generations match these filters."
        onClearFilters={() => setFilters(NO_FILTERS)}
        noun={["generation", "generations"]}
      >
        <UsageTable rows={rows} filtered={filtered} updating={generations.isPlaceholderData && generations.isFetching} />
      </PagedResults>
    </section>
  );
}

function UsageTable({ rows, filtered, updating }: { rows: Generation[]; filtered: boolean; updating: boolean }) {
  const captionId = useId();
  return (
    <div className="table-wrap">
      <table className="data-table usage-table" data-updating={updating || undefined} aria-busy={updating || undefined}>
        <caption id={captionId} className="visually-hidden">
          Generations{filtered ? " (filtered)" : ""}, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Operation</th>
            <th scope="col">Topic</th>
            <th scope="col">Model</th>
            <th scope="col" className="num">
              Tokens in
            </th>
            <th scope="col" className="num">
              Tokens out
            </th>
            <th scope="col" className="num">
              Latency
            </th>
            <th scope="col" className="num">
              Credits
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr key={g.id} data-status={g.status}>
              <td className="nowrap">
                <time dateTime={new Date(g.createdAt).toISOString()}>{formatDateTime(g.createdAt)}</time>
              </td>
              <td>{operationName(g.operation)}</td>
              <td className="topic">{g.topic ? <span title={g.topic}>{g.topic}</span> : <span className="muted">—</span>}</td>
              <td>
                <span className="cell-title">{g.model ?? "—"}</span>
                <span className="cell-detail">{g.provider}</span>
              </td>
              <td className="num">{tokens(g.inputTokens)}</td>
              <td className="num">{tokens(g.outputTokens)}</td>
              <td className="num">{latency(g.latencyMs)}</td>
              <td className="num">{g.status === "running" ? "—" : formatCredits(g.credits)}</td>
              <td className="status-cell">
                <span
                  className={`badge badge-status ${
                    g.status === "succeeded" ? "badge-success" : g.status === "failed" ? "badge-danger" : "badge-accent"
                  }`}
                >
                  {STATUS_LABELS[g.status]}
                </span>
                {g.status === "failed" && g.error && <span className="cell-detail error-text">{g.error}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
