/** Admin queue health: jobs per queue (pg-boss's counts), a queue's failed jobs with their errors, retry. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime } from "../../lib/format.ts";
import { FormError, Status } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import s from "./admin.module.css";

export function QueuesPanel() {
  const depths = useQuery(trpc.admin.queues.depths.queryOptions());
  const [queue, setQueue] = useState<string | null>(null);

  return (
    <div className="stack">
      {depths.isError && <FormError problem={describeError(depths.error)} />}
      {depths.isPending && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Counting jobs…
        </p>
      )}
      {depths.data && (
        <div className={`table-wrap ${s.tableWrap}`}>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Waiting</th>
                <th scope="col">Running</th>
                <th scope="col">Failed</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {depths.data.map((d) => (
                <tr key={d.name}>
                  <td style={{ overflowWrap: "anywhere" }}>{d.name}</td>
                  <td>{d.queued}</td>
                  <td>{d.active}</td>
                  <td>{d.failed}</td>
                  <td>
                    {d.failed > 0 && (
                      <Button variant="ghost" className="btn-small" onClick={() => setQueue(d.name)}>
                        Show failed<span className="visually-hidden"> jobs of {d.name}</span>
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {queue && <FailedJobs queue={queue} />}
    </div>
  );
}

function FailedJobs({ queue }: { queue: string }) {
  const qc = useQueryClient();
  const failed = useQuery(trpc.admin.queues.failed.queryOptions({ queue }));
  const [status, setStatus] = useState<string | null>(null);
  const retry = useMutation(
    trpc.admin.queues.retry.mutationOptions({
      onSuccess: () => {
        setStatus("The job is queued again.");
        void qc.invalidateQueries({ queryKey: trpc.admin.queues.failed.queryKey({ queue }) });
        void qc.invalidateQueries({ queryKey: trpc.admin.queues.depths.queryKey() });
      },
    }),
  );
  return (
    <section className="stack" aria-labelledby="failed-jobs-heading">
      <h2 id="failed-jobs-heading" style={{ overflowWrap: "anywhere" }}>
        Failed jobs: {queue}
      </h2>
      <FormError problem={retry.isError ? describeError(retry.error) : failed.isError ? describeError(failed.error) : null} />
      <Status>{status}</Status>
      {failed.data && failed.data.length === 0 && <p className="muted">No failed jobs in this queue.</p>}
      {failed.data && failed.data.length > 0 && (
        <ul className="list" aria-label={`Failed jobs of ${queue}`}>
          {failed.data.map((j) => (
            <li key={j.id} className={s.item}>
              <p className="small muted" style={{ margin: 0, overflowWrap: "anywhere" }}>
                Job {j.id} · failed {j.completedOn ? formatDateTime(j.completedOn) : ""} · {j.retryCount} of {j.retryLimit}{" "}
                retries used
              </p>
              <pre className={s.error}>{j.error}</pre>
              <div>
                <Button
                  variant="secondary"
                  className="btn-small"
                  pending={retry.isPending && retry.variables?.jobId === j.id}
                  pendingLabel="Retrying…"
                  onClick={() => {
                    setStatus(null);
                    retry.mutate({ queue, jobId: j.id });
                  }}
                >
                  Retry<span className="visually-hidden"> job {j.id}</span>
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
