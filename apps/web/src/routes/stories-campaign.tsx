/**
 * One campaign (/stories/:campaignId): the dashboard (progress to the goal, stories by category, who
 * contributed, the next question and when it goes out), the stories with search, the family, and the
 * questions with the weekly schedule. Which tab is open lives in the URL (?tab=family).
 */
import { CATEGORIES } from "@inkwell/domain/stories/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { FamilyPanel } from "../components/stories/FamilyPanel.tsx";
import { Field } from "../components/stories/Field.tsx";
import { PromptsPanel } from "../components/stories/PromptsPanel.tsx";
import s from "../components/stories/stories.module.css";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { formatDateTime, timeAgo } from "../lib/format.ts";

const TABS = [
  ["overview", "Overview"],
  ["stories", "Stories"],
  ["family", "Family"],
  ["questions", "Questions"],
] as const;

export function StoriesCampaignPage() {
  const { campaignId = "" } = useParams();
  const [params] = useSearchParams();
  const tab = TABS.find(([key]) => key === params.get("tab"))?.[0] ?? "overview";
  const dashboard = useQuery(trpc.stories.campaigns.dashboard.queryOptions({ campaignId }));
  if (dashboard.isError) {
    return (
      <div className="page">
        <FormError problem={describeError(dashboard.error)} />
        <Link to="/stories">Back to campaigns</Link>
      </div>
    );
  }
  const d = dashboard.data;
  if (!d) return <div className="page" aria-busy="true" />;
  const c = d.campaign;
  return (
    <div className="page page-wide">
      <title>{`${c.title} · Family stories · Inkwell`}</title>
      <PageHeader
        title={c.title}
        lead={`${c.storytellerName}'s stories · you are ${c.myRole === "owner" ? "an owner" : `a ${c.myRole}`}`}
      />
      <p>
        <Link to={`/books#campaign-${c.id}`}>Books made from these stories</Link>
      </p>
      <nav aria-label="Campaign">
        <ul className={s.tabs}>
          {TABS.map(([key, label]) => (
            <li key={key}>
              <Link to={`?tab=${key}`} aria-current={tab === key ? "page" : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === "overview" && <Overview d={d} />}
      {tab === "stories" && <StoriesTab campaign={c} />}
      {tab === "family" && <FamilyPanel campaign={c} />}
      {tab === "questions" && <PromptsPanel campaign={c} />}
    </div>
  );
}

type Dashboard = Outputs["stories"]["campaigns"]["dashboard"];
type Campaign = Dashboard["campaign"];

function Overview({ d }: { d: Dashboard }) {
  const c = d.campaign;
  return (
    <section aria-label="Overview">
      <dl className={s.stats}>
        <div>
          <dt>Progress to goal</dt>
          <dd>
            {d.finishedCount} of {c.goalStories} ({c.completionPercentage}%)
            <progress className={s.progress} max={100} value={c.completionPercentage} aria-label="Progress to goal" />
          </dd>
        </div>
        <div>
          <dt>Words</dt>
          <dd>{c.totalWords}</dd>
        </div>
        <div>
          <dt>Questions sent</dt>
          <dd>
            {c.usedPrompts} of {c.totalPrompts}
          </dd>
        </div>
        <div>
          <dt>Next question</dt>
          <dd>{c.nextPromptAt ? formatDateTime(c.nextPromptAt) : c.schedule ? "Queue empty" : "Not scheduled"}</dd>
        </div>
      </dl>
      {d.nextPrompt && <p>Up next: “{d.nextPrompt.question}”</p>}
      <div className={s.stats}>
        <section aria-label="Stories by category">
          <h2>By category</h2>
          {d.byCategory.length === 0 ? (
            <p className="muted">No stories yet.</p>
          ) : (
            <ul className={s.list}>
              {d.byCategory.map((b) => (
                <li key={b.category}>
                  {b.category}: {b.count}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-label="Who contributed">
          <h2>Who contributed</h2>
          {d.contributors.length === 0 ? (
            <p className="muted">Nobody yet.</p>
          ) : (
            <ul className={s.list}>
              {d.contributors.map((p) => (
                <li key={p.name}>
                  {p.name}: {p.stories} {p.stories === 1 ? "story" : "stories"}, {p.words} words
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <h2>Latest stories</h2>
      <StoryList campaignId={c.id} stories={d.recent} />
    </section>
  );
}

function StoryList({ campaignId, stories }: { campaignId: string; stories: Dashboard["recent"] }) {
  if (!stories.length) return <EmptyState>No stories yet.</EmptyState>;
  return (
    <ul className={s.list} aria-label="Stories">
      {stories.map((story) => (
        <li key={story.id} className={s.item}>
          <div>
            <Link to={`/stories/${campaignId}/story/${story.id}`}>{story.title}</Link>
            <div className={s.meta}>
              {story.authorName} · {story.category} · {story.status} · {story.wordCount} words · {timeAgo(story.updatedAt)}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

function StoriesTab({ campaign }: { campaign: Campaign }) {
  const [query, setQuery] = useState("");
  const [category, setCategory] = useState("");
  const list = useQuery(
    trpc.stories.list.queryOptions({
      campaignId: campaign.id,
      ...(query.trim() ? { query: query.trim() } : {}),
      ...(category ? { category: category as (typeof CATEGORIES)[number] } : {}),
    }),
  );
  return (
    <section aria-label="Stories">
      <div className={s.row}>
        <Field label="Search stories" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <div className="field">
          <label htmlFor="category-filter">Category</label>
          <select id="category-filter" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">All</option>
            {CATEGORIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
      </div>
      {campaign.myRole !== "viewer" && <NewStory campaignId={campaign.id} />}
      {list.isError && <FormError problem={describeError(list.error)} />}
      {list.data && <StoryList campaignId={campaign.id} stories={list.data} />}
    </section>
  );
}

function NewStory({ campaignId }: { campaignId: string }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const create = useMutation(
    trpc.stories.create.mutationOptions({
      onSuccess: async (story) => {
        await qc.invalidateQueries(trpc.stories.pathFilter());
        void navigate(`/stories/${campaignId}/story/${story.id}`);
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = String(new FormData(event.currentTarget).get("title") ?? "");
    create.mutate({ campaignId, title });
  }
  return (
    <form className={s.row} onSubmit={submit} aria-label="New story">
      <Field label="New story title" name="title" required maxLength={200} />
      <SubmitButton pending={create.isPending}>Write a story</SubmitButton>
      <FormError problem={create.error ? describeError(create.error) : null} />
    </form>
  );
}
