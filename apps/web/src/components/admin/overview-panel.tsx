/** Admin overview: open feedback, usage and credits per day, and the credit reconciliation check. */
import { useMutation, useQuery } from "@tanstack/react-query";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import s from "./admin.module.css";

const DAYS = 14;

export function OverviewPanel() {
  const counts = useQuery(trpc.admin.dashboard.openFeedback.queryOptions());
  const dash = useQuery(trpc.admin.dashboard.overview.queryOptions({ days: DAYS }));
  const reconcile = useMutation(trpc.admin.credits.reconcile.mutationOptions());

  return (
    <div className="stack">
      <section aria-labelledby="admin-open-heading">
        <h2 id="admin-open-heading">Open work</h2>
        <div className="stats">
          <div className="stat">
            <p className="stat-value">{counts.data?.openBugReports ?? "…"}</p>
            <p className="stat-hint">Bug reports received or being worked on</p>
          </div>
          <div className="stat">
            <p className="stat-value">{counts.data?.pendingFeedback ?? "…"}</p>
            <p className="stat-hint">Feedback not yet reviewed</p>
          </div>
        </div>
      </section>

      <section aria-labelledby="admin-usage-heading">
        <h2 id="admin-usage-heading">Usage, last {DAYS} days</h2>
        {dash.isError && <FormError problem={describeError(dash.error)} />}
        {dash.data && dash.data.usageTotals.length === 0 && <p className="muted">No AI calls in this period.</p>}
        {dash.data && dash.data.usageTotals.length > 0 && (
          <div className={`table-wrap ${s.tableWrap}`}>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Operation</th>
                  <th scope="col">Status</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Credits</th>
                  <th scope="col">Users</th>
                </tr>
              </thead>
              <tbody>
                {dash.data.usageTotals.map((r) => (
                  <tr key={`${r.operation}:${r.status}`}>
                    <td>{r.operation}</td>
                    <td>{r.status}</td>
                    <td>{r.count}</td>
                    <td>{r.credits}</td>
                    <td>{r.users}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {dash.data && dash.data.usageByDay.length > 0 && (
          <div className={`table-wrap ${s.tableWrap}`}>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Operation</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Credits</th>
                </tr>
              </thead>
              <tbody>
                {dash.data.usageByDay.map((r) => (
                  <tr key={`${r.day}:${r.operation}`}>
                    <td className="nowrap">{r.day}</td>
                    <td>{r.operation}</td>
                    <td>{r.count}</td>
                    <td>{r.failed}</td>
                    <td>{r.credits}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="admin-credits-heading">
        <h2 id="admin-credits-heading">Credits, last {DAYS} days</h2>
        {dash.data && dash.data.ledgerByDay.length === 0 && <p className="muted">No credit movements in this period.</p>}
        {dash.data && dash.data.ledgerByDay.length > 0 && (
          <div className={`table-wrap ${s.tableWrap}`}>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Movement</th>
                  <th scope="col">Entries</th>
                  <th scope="col">Credits</th>
                  <th scope="col">Users</th>
                </tr>
              </thead>
              <tbody>
                {dash.data.ledgerByDay.map((r) => (
                  <tr key={`${r.day}:${r.entryType}`}>
                    <td className="nowrap">{r.day}</td>
                    <td>{r.entryType}</td>
                    <td>{r.entries}</td>
                    <td>{r.amount}</td>
                    <td>{r.users}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="stack">
          <p className="muted">Check every account's balance against its ledger (drift is also logged as an alert).</p>
          <div>
            <Button variant="secondary" pending={reconcile.isPending} pendingLabel="Checking…" onClick={() => reconcile.mutate()}>
              Reconcile credits
            </Button>
          </div>
          <FormError problem={reconcile.isError ? describeError(reconcile.error) : null} />
          <Status tone={reconcile.data?.length ? "error" : "success"}>
            {reconcile.data &&
              (reconcile.data.length === 0
                ? "Every balance matches its ledger."
                : `${reconcile.data.length} account(s) disagree with their ledger: ${reconcile.data.map((d) => d.userId).join(", ")}`)}
          </Status>
        </div>
      </section>
    </div>
  );
}
