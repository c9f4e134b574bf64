/**
 * Family stories (/stories): the campaigns the signed-in person runs or belongs to, each with its
 * progress to the goal and next question date, and a form to start one.
 */
import { RELATIONSHIPS, THEMES } from "@inkwell/domain/stories/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { Field } from "../components/stories/Field.tsx";
import s from "../components/stories/stories.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDate } from "../lib/format.ts";

export function StoriesPage() {
  const campaigns = useQuery(trpc.stories.campaigns.list.queryOptions());
  const [creating, setCreating] = useState(false);
  return (
    <div className="page page-wide">
      <title>Family stories · Inkwell</title>
      <PageHeader
        title="Family stories"
        lead="Collect a loved one's life stories: a question by e-mail each week, answered without an account, read and kept by the family."
        actions={
          !creating && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New campaign
            </button>
          )
        }
      />
      {creating && <CreateCampaign onCancel={() => setCreating(false)} />}
      {campaigns.isError && <FormError problem={describeError(campaigns.error)} />}
      {campaigns.data?.length === 0 && !creating && (
        <EmptyState
          action={
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              Start a campaign
            </button>
          }
        >
          No campaigns yet. Start one for a parent, a grandparent or anyone whose stories you want to keep.
        </EmptyState>
      )}
      <ul className={s.grid} aria-label="Campaigns">
        {campaigns.data?.map((c) => (
          <li key={c.id} className={s.campaign}>
            <Link to={`/stories/${c.id}`}>{c.title}</Link>
            <span className={s.meta}>
              {c.storytellerName} · {c.myRole} · {c.status}
            </span>
            <progress
              className={s.progress}
              max={100}
              value={c.completionPercentage}
              aria-label={`${c.title}: progress to goal`}
            />
            <span className={s.meta}>
              {c.storyCount} of {c.goalStories} stories · {c.totalWords} words
              {c.nextPromptAt ? ` · next question ${formatDate(c.nextPromptAt)}` : ""}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function CreateCampaign({ onCancel }: { onCancel(): void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation(
    trpc.stories.campaigns.create.mutationOptions({
      onSuccess: async (c) => {
        await qc.invalidateQueries(trpc.stories.campaigns.pathFilter());
        void navigate(`/stories/${c.id}`);
      },
    }),
  );
  const problem = create.error
    ? describeError(create.error, ["title", "storytellerName", "storytellerEmail", "goalStories"])
    : null;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const themes = THEMES.filter((t) => f.get(`theme-${t}`) === "on");
    create.mutate({
      title: String(f.get("title") ?? ""),
      storytellerName: String(f.get("storytellerName") ?? ""),
      storytellerEmail: String(f.get("storytellerEmail") ?? ""),
      relationshipType: String(f.get("relationshipType")) as (typeof RELATIONSHIPS)[number],
      goalStories: Number(f.get("goalStories") ?? 52),
      ...(themes.length ? { themes } : {}),
    });
  }
  return (
    <form className={`card ${s.form}`} onSubmit={submit} aria-label="New campaign">
      <h2>New campaign</h2>
      <FormError problem={problem} />
      <Field
        label="Title"
        name="title"
        required
        maxLength={120}
        placeholder="Dad's life stories"
        error={problem?.fieldErrors.title}
      />
      <Field
        label="Storyteller's name"
        name="storytellerName"
        required
        maxLength={80}
        error={problem?.fieldErrors.storytellerName}
      />
      <Field
        label="Storyteller's e-mail"
        name="storytellerEmail"
        type="email"
        optional
        hint="The weekly questions go here; they answer through a link, no account needed."
        error={problem?.fieldErrors.storytellerEmail}
      />
      <div className={s.row}>
        <div className="field">
          <label htmlFor="relationshipType">They are my</label>
          <select id="relationshipType" name="relationshipType" defaultValue="parent">
            {RELATIONSHIPS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <Field label="Goal (stories)" name="goalStories" type="number" min={1} max={1000} defaultValue={52} />
      </div>
      <fieldset>
        <legend>Question themes (none ticked: all)</legend>
        <div className={s.row}>
          {THEMES.map((t) => (
            <label key={t}>
              <input type="checkbox" name={`theme-${t}`} /> {t}
            </label>
          ))}
        </div>
      </fieldset>
      <div className={s.row}>
        <SubmitButton pending={create.isPending} pendingLabel="Creating…">
          Create campaign
        </SubmitButton>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
