import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { Status } from "../components/Alert.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime, timeAgo } from "../lib/format.ts";

const SYNC_TEXT = { queued: "Sync queued…", ok: "Synced", failed: "Last sync failed" } as const;

/**
 * `/classrooms`: a teacher's classrooms from Clever (with Sync and the last sync's outcome) and, for a
 * student, what their teachers assigned.
 */
export function ClassroomsPage() {
  const queryClient = useQueryClient();
  const list = useQuery({
    ...trpc.classrooms.list.queryOptions(),
    // While a sync waits in the queue, look again every few seconds.
    refetchInterval: (q) => (q.state.data?.sync.status === "queued" ? 3000 : false),
  });
  const mine = useQuery(trpc.classrooms.myAssignments.queryOptions());
  const sync = useMutation(
    trpc.classrooms.sync.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries(trpc.classrooms.list.queryFilter()),
    }),
  );
  const status = list.data?.sync;
  const teaching = list.data?.classrooms.filter((c) => c.as === "teacher") ?? [];
  const attending = list.data?.classrooms.filter((c) => c.as === "student") ?? [];

  return (
    <div className="page">
      <title>Classrooms · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Classrooms</h1>
        <p className="muted">Classes come from Clever. Teachers assign library items; students find them here.</p>
      </header>

      {list.isError && (
        <p className="status status-error" role="alert">
          {describeError(list.error).message}
        </p>
      )}

      {status && !status.cleverLinked && (
        <section className="card">
          <h2>Connect Clever</h2>
          <p>Sign in with Clever (or link it in Settings) to bring in your classes.</p>
          <a className="btn btn-primary" href="/auth/oauth/clever/start?link=1&redirect_to=/classrooms">
            Link Clever
          </a>
        </section>
      )}

      {status?.role === "teacher" && (
        <section className="card" aria-labelledby="teaching-title">
          <h2 id="teaching-title">Your classes</h2>
          <p className="muted" role="status">
            {status.status ? SYNC_TEXT[status.status] : "Never synced"}
            {status.lastSyncAt ? ` · ${timeAgo(status.lastSyncAt)}` : ""}
            {status.error ? ` · ${status.error}` : ""}
          </p>
          <Button pending={sync.isPending || status.status === "queued"} pendingLabel="Syncing…" onClick={() => sync.mutate()}>
            Sync with Clever
          </Button>
          {sync.isError && <Status tone="error">{describeError(sync.error).message}</Status>}
          {teaching.length === 0 ? (
            <p>No classes yet. Sync to bring in your Clever sections.</p>
          ) : (
            <ul className="list">
              {teaching.map((c) => (
                <li key={c.id} className="list-row">
                  <span>
                    <Link to={`/classrooms/${c.id}`}>{c.name}</Link>
                    <br />
                    <small className="muted">
                      {[
                        c.grade && `Grade ${c.grade}`,
                        c.period && `Period ${c.period}`,
                        `${c.studentCount} students`,
                        `${c.assignmentCount} assigned`,
                      ]
                        .filter(Boolean)
                        .join(" · ")}
                    </small>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {(attending.length > 0 || (mine.data?.assignments.length ?? 0) > 0) && (
        <section className="card" aria-labelledby="assigned-title">
          <h2 id="assigned-title">Assigned to you</h2>
          {mine.data?.assignments.length === 0 && <p>Nothing assigned yet.</p>}
          <ul className="list">
            {mine.data?.assignments.map((a) => (
              <li key={a.id} className="list-row">
                <span>
                  <Link to={`/study/items/${a.itemId}`}>{a.itemTitle}</Link>
                  <br />
                  <small className="muted">
                    {a.classroomName}
                    {a.dueAt ? ` · due ${formatDateTime(a.dueAt)}` : ""}
                  </small>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
