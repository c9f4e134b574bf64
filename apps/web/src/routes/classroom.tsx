import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { Status } from "../components/Alert.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime } from "../lib/format.ts";

/** `/classrooms/:id`: the roster, what is assigned (assign one of your library items), results per student. */
export function ClassroomPage() {
  const { classroomId = "" } = useParams();
  const queryClient = useQueryClient();
  const classroom = useQuery(trpc.classrooms.get.queryOptions({ classroomId }));
  const teacher = classroom.data?.as === "teacher";
  const results = useQuery({ ...trpc.classrooms.results.queryOptions({ classroomId }), enabled: teacher });
  const items = useQuery({ ...trpc.study.library.items.list.queryOptions({ limit: 100 }), enabled: teacher });
  const [itemId, setItemId] = useState("");
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries(trpc.classrooms.get.queryFilter({ classroomId }));
    void queryClient.invalidateQueries(trpc.classrooms.results.queryFilter({ classroomId }));
  };
  const assign = useMutation(
    trpc.classrooms.assign.mutationOptions({
      onSuccess: () => {
        setStatus({ tone: "success", text: "Assigned." });
        setItemId("");
        refresh();
      },
      onError: (error) => setStatus({ tone: "error", text: describeError(error).message }),
    }),
  );
  const unassign = useMutation(
    trpc.classrooms.unassign.mutationOptions({
      onSuccess: () => {
        setStatus({ tone: "success", text: "Removed." });
        refresh();
      },
      onError: (error) => setStatus({ tone: "error", text: describeError(error).message }),
    }),
  );

  if (classroom.isError)
    return (
      <div className="page">
        <title>Classroom · Inkwell</title>
        <h1 tabIndex={-1}>Classroom</h1>
        <p className="status status-error" role="alert">
          {describeError(classroom.error).message}
        </p>
        <Link to="/classrooms">Back to classrooms</Link>
      </div>
    );
  const c = classroom.data;
  const titles = new Map(c?.assignments.map((a) => [a.itemId, a.itemTitle]));
  const assignedIds = new Set(c?.assignments.map((a) => a.itemId));

  return (
    <div className="page">
      <title>{`${c?.name ?? "Classroom"} · Inkwell`}</title>
      <header className="page-header">
        <p>
          <Link to="/classrooms">Classrooms</Link>
        </p>
        <h1 tabIndex={-1}>{c?.name ?? "Classroom"}</h1>
        {c && (
          <p className="muted">
            {[c.subject, c.grade && `Grade ${c.grade}`, c.period && `Period ${c.period}`].filter(Boolean).join(" · ")}
          </p>
        )}
      </header>

      <section className="card" aria-labelledby="assigned-title">
        <h2 id="assigned-title">Assigned</h2>
        {c?.assignments.length === 0 && <p>Nothing assigned yet.</p>}
        <ul className="list">
          {c?.assignments.map((a) => (
            <li key={a.id} className="list-row">
              <span>
                <Link to={`/study/items/${a.itemId}`}>{a.itemTitle}</Link>
                <br />
                <small className="muted">{a.dueAt ? `Due ${formatDateTime(a.dueAt)}` : "No due date"}</small>
              </span>
              {teacher && (
                <Button
                  variant="secondary"
                  aria-label={`Remove ${a.itemTitle}`}
                  onClick={() => unassign.mutate({ classroomId, itemId: a.itemId })}
                >
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
        {teacher && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (itemId) assign.mutate({ classroomId, itemId });
            }}
          >
            <label htmlFor="assign-item">Assign a library item</label>
            <select id="assign-item" value={itemId} onChange={(e) => setItemId(e.target.value)} style={{ maxWidth: "100%" }}>
              <option value="">Choose an item…</option>
              {items.data?.items
                .filter((i) => !assignedIds.has(i.id))
                .map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.title}
                  </option>
                ))}
            </select>{" "}
            <Button type="submit" pending={assign.isPending} pendingLabel="Assigning…">
              Assign
            </Button>
          </form>
        )}
        <Status tone={status?.tone}>{status?.text}</Status>
      </section>

      {teacher && (
        <section className="card" aria-labelledby="students-title">
          <h2 id="students-title">Students and results</h2>
          {results.data?.students.length === 0 && <p>No students on this roster. Sync with Clever on the Classrooms page.</p>}
          <ul className="list">
            {results.data?.students.map((s) => (
              <li key={s.studentId} className="list-row">
                <span style={{ minWidth: 0 }}>
                  <strong>{[s.firstName, s.lastName].filter(Boolean).join(" ") || "Student"}</strong>
                  {!s.joined && <small className="muted"> · not signed in yet</small>}
                  <br />
                  <small className="muted">
                    {s.results.length === 0
                      ? "No results yet"
                      : s.results.map((r) => `${titles.get(r.itemId) ?? "Item"} (${r.kind}): ${r.percent}%`).join(" · ")}
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
