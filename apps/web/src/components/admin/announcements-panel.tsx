/** Admin announcements: write one (enabled now or later, with an optional end), switch it on or off, delete it. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime } from "../../lib/format.ts";
import { FormError } from "../Alert.tsx";
import { Button } from "../SubmitButton.tsx";
import s from "./admin.module.css";

export function AnnouncementsPanel() {
  const id = useId();
  const qc = useQueryClient();
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  const [enabled, setEnabled] = useState(true);
  const [expires, setExpires] = useState("");
  const list = useQuery(trpc.admin.announcements.list.queryOptions());
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: trpc.admin.announcements.list.queryKey() });
    void qc.invalidateQueries({ queryKey: trpc.system.announcements.queryKey() });
  };
  const create = useMutation(
    trpc.admin.announcements.create.mutationOptions({
      onSuccess: () => {
        setTitle("");
        setMessage("");
        setExpires("");
        refresh();
      },
    }),
  );
  const update = useMutation(trpc.admin.announcements.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.admin.announcements.delete.mutationOptions({ onSuccess: refresh }));
  const now = Date.now();

  return (
    <div className={s.grid}>
      <form
        className="card stack"
        aria-labelledby={`${id}-heading`}
        onSubmit={(e) => {
          e.preventDefault();
          if (create.isPending) return;
          create.mutate({ title, message, enabled, expiresAt: expires ? new Date(expires) : null });
        }}
      >
        <h2 id={`${id}-heading`}>New announcement</h2>
        <FormError problem={create.isError ? describeError(create.error) : null} />
        <div className="field">
          <label htmlFor={`${id}-title`}>Title</label>
          <input id={`${id}-title`} maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-message`}>Message</label>
          <textarea id={`${id}-message`} rows={3} maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-expires`}>
            Ends <span className="optional">(optional)</span>
          </label>
          <input id={`${id}-expires`} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </div>
        <div className="checkbox-field">
          <input id={`${id}-enabled`} type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <label htmlFor={`${id}-enabled`}>Show it to everyone now</label>
        </div>
        <div className="form-actions">
          <Button type="submit" pending={create.isPending} pendingLabel="Publishing…">
            Save announcement
          </Button>
        </div>
      </form>

      <section className="stack" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>Announcements</h2>
        <FormError problem={update.isError ? describeError(update.error) : remove.isError ? describeError(remove.error) : null} />
        {list.data && list.data.length === 0 && <p className="muted">None yet.</p>}
        {list.data && list.data.length > 0 && (
          <ul className="list" aria-label="Announcements, newest first">
            {list.data.map((a) => {
              const expired = a.expiresAt !== null && new Date(a.expiresAt).getTime() <= now;
              const state = !a.enabled ? "Off" : expired ? "Ended" : "Showing";
              return (
                <li key={a.id} className={s.item}>
                  <p className="list-title">
                    {a.title} <span className={`badge ${state === "Showing" ? "badge-success" : ""}`}>{state}</span>
                  </p>
                  <p className={s.text}>{a.message}</p>
                  <p className="small muted">
                    {a.expiresAt ? `Ends ${formatDateTime(a.expiresAt)}` : "No end date"} · created {formatDateTime(a.createdAt)}
                  </p>
                  <div className="row-actions">
                    <Button
                      variant="secondary"
                      className="btn-small"
                      onClick={() => update.mutate({ id: a.id, enabled: !a.enabled })}
                    >
                      {a.enabled ? "Turn off" : "Turn on"}
                      <span className="visually-hidden">: {a.title}</span>
                    </Button>
                    <Button variant="ghost" className="btn-small" onClick={() => remove.mutate({ id: a.id })}>
                      Delete<span className="visually-hidden">: {a.title}</span>
                    </Button>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
