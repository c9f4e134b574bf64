/**
 * The weekly questions: the schedule (weekday, time, the storyteller's time zone), "send the next one
 * now", and the queue (move, remove, add from the library or your own; for sent questions: revoke the
 * link, send again).
 */
import { WEEKDAYS } from "@inkwell/domain/stories/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Outputs, trpc } from "../../lib/api.ts";
import { describeError } from "../../lib/errors.ts";
import { formatDate } from "../../lib/format.ts";
import { FormError, Status } from "../Alert.tsx";
import { SubmitButton } from "../SubmitButton.tsx";
import { Field } from "./Field.tsx";
import s from "./stories.module.css";

type Campaign = Outputs["stories"]["campaigns"]["get"];

export function PromptsPanel({ campaign }: { campaign: Campaign }) {
  const qc = useQueryClient();
  const queue = useQuery(trpc.stories.prompts.list.queryOptions({ campaignId: campaign.id }));
  const library = useQuery(trpc.stories.prompts.library.queryOptions());
  const [status, setStatus] = useState("");
  const refresh = () => qc.invalidateQueries(trpc.stories.pathFilter());
  const opts = { onSuccess: refresh };
  const saying = (message: string) => () => {
    setStatus(message);
    return refresh();
  };
  const schedule = useMutation(trpc.stories.prompts.setSchedule.mutationOptions({ onSuccess: saying("Schedule saved.") }));
  const sendNow = useMutation(trpc.stories.prompts.sendNow.mutationOptions({ onSuccess: saying("Question sent.") }));
  const add = useMutation(trpc.stories.prompts.add.mutationOptions(opts));
  const move = useMutation(trpc.stories.prompts.move.mutationOptions(opts));
  const remove = useMutation(trpc.stories.prompts.remove.mutationOptions(opts));
  const revoke = useMutation(trpc.stories.prompts.revoke.mutationOptions({ onSuccess: saying("Links revoked.") }));
  const resend = useMutation(trpc.stories.prompts.resend.mutationOptions({ onSuccess: saying("Sent again with a new link.") }));
  const error = [schedule, sendNow, add, move, remove, revoke, resend].map((m) => m.error).find(Boolean);
  const isOwner = campaign.myRole === "owner";
  const zone = campaign.schedule?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

  function saveSchedule(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    schedule.mutate({
      campaignId: campaign.id,
      schedule: { weekday: Number(f.get("weekday")), time: String(f.get("time")), timeZone: String(f.get("timeZone")) },
    });
  }
  function addQuestion(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const fromLibrary = String(f.get("library") ?? "");
    add.mutate(
      fromLibrary
        ? { campaignId: campaign.id, storyPromptId: fromLibrary }
        : { campaignId: campaign.id, question: String(f.get("question") ?? "") },
      { onSuccess: () => form.reset() },
    );
  }

  return (
    <section aria-label="Questions">
      <FormError problem={error ? describeError(error) : null} />
      <Status>{status}</Status>
      {isOwner && (
        <form className={`card ${s.form}`} onSubmit={saveSchedule} aria-label="Weekly schedule">
          <h2>Weekly schedule</h2>
          <p className="muted">
            {campaign.storytellerEmail
              ? `Questions go to ${campaign.storytellerEmail}, at this time in their time zone.`
              : "Add the storyteller's e-mail to the campaign to send questions."}
          </p>
          <div className={s.row}>
            <div className="field">
              <label htmlFor="weekday">Day</label>
              <select id="weekday" name="weekday" defaultValue={campaign.schedule?.weekday ?? 7}>
                {WEEKDAYS.map((d, i) => (
                  <option key={d} value={i + 1}>
                    {d}
                  </option>
                ))}
              </select>
            </div>
            <Field label="Time" name="time" type="time" required defaultValue={campaign.schedule?.time ?? "09:00"} />
            <Field label="Their time zone" name="timeZone" required defaultValue={zone} hint="An IANA name, e.g. Europe/London" />
          </div>
          <div className={s.row}>
            <SubmitButton pending={schedule.isPending}>Save schedule</SubmitButton>
            {campaign.schedule && (
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => schedule.mutate({ campaignId: campaign.id, schedule: null })}
              >
                Stop weekly questions
              </button>
            )}
            <button type="button" className="btn btn-secondary" onClick={() => sendNow.mutate({ campaignId: campaign.id })}>
              Send the next question now
            </button>
          </div>
        </form>
      )}
      <h2>Questions</h2>
      <ol className={s.list} aria-label="Question queue">
        {queue.data?.map((p) => (
          <li key={p.id} className={s.item}>
            <div>
              {p.question}
              <div className={s.meta}>
                {p.theme} · {p.status}
                {p.sentAt ? ` ${formatDate(p.sentAt)}` : ""}
                {p.linksRevokedAt ? " · links revoked" : ""}
              </div>
            </div>
            {isOwner && p.status === "queued" && (
              <div className={s.row}>
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  aria-label={`Move up: ${p.question}`}
                  onClick={() => move.mutate({ promptId: p.id, direction: "up" })}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  aria-label={`Move down: ${p.question}`}
                  onClick={() => move.mutate({ promptId: p.id, direction: "down" })}
                >
                  ↓
                </button>
                <button type="button" className="btn btn-secondary btn-small" onClick={() => remove.mutate({ promptId: p.id })}>
                  Remove
                </button>
              </div>
            )}
            {isOwner && p.status === "sent" && (
              <div className={s.row}>
                <button type="button" className="btn btn-secondary btn-small" onClick={() => revoke.mutate({ promptId: p.id })}>
                  Revoke links
                </button>
                <button type="button" className="btn btn-secondary btn-small" onClick={() => resend.mutate({ promptId: p.id })}>
                  Send again
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
      {isOwner && (
        <form className={`card ${s.form}`} onSubmit={addQuestion} aria-label="Add a question">
          <h2>Add a question</h2>
          <div className="field">
            <label htmlFor="library">From the library</label>
            <select id="library" name="library" defaultValue="">
              <option value="">— write your own below —</option>
              {library.data?.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.theme}: {q.question}
                </option>
              ))}
            </select>
          </div>
          <Field label="Your own question" name="question" maxLength={300} optional />
          <SubmitButton pending={add.isPending}>Add to the queue</SubmitButton>
        </form>
      )}
    </section>
  );
}
