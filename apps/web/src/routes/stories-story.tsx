/**
 * A story (/stories/:campaignId/story/:storyId): owners and contributors edit it (title, text, category,
 * status; the word count shown while typing is the database's definition), everyone in the family reads
 * it, reacts and comments. Its photos and recordings (with their transcripts) sit under the text.
 */
import { CATEGORIES, countWords, REACTIONS, type Reaction, STORY_STATUSES } from "@inkwell/domain/stories/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { FormError, Status } from "../components/Alert.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { Field } from "../components/stories/Field.tsx";
import { FollowUp } from "../components/stories/FollowUp.tsx";
import { StoryMedia } from "../components/stories/media/StoryMedia.tsx";
import s from "../components/stories/stories.module.css";
import { ConfirmDialog } from "../components/ui/confirm-dialog.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { timeAgo } from "../lib/format.ts";

const EMOJI: Record<Reaction, string> = { heart: "❤️", laugh: "😂", wow: "😮", sad: "😢", clap: "👏" };

type Story = Outputs["stories"]["get"];

export function StoriesStoryPage() {
  const { campaignId = "", storyId = "" } = useParams();
  const story = useQuery(trpc.stories.get.queryOptions({ storyId }));
  if (story.isError)
    return (
      <div className="page">
        <FormError problem={describeError(story.error)} />
      </div>
    );
  const d = story.data;
  if (!d) return <div className="page" aria-busy="true" />;
  return (
    <div className="page">
      <title>{`${d.title} · Family stories · Inkwell`}</title>
      <p>
        <Link to={`/stories/${campaignId}?tab=stories`}>← All stories</Link>
      </p>
      <PageHeader title={d.title} lead={`${d.authorName} · ${d.category} · ${d.wordCount} words · ${timeAgo(d.updatedAt)}`} />
      {d.question && <p className="muted">Answering: “{d.question}”</p>}
      {d.canEdit ? (
        <Editor story={d} />
      ) : (
        <article className={s.form} style={{ whiteSpace: "pre-wrap" }}>
          {d.content}
        </article>
      )}
      <StoryMedia storyId={d.id} />
      <Reactions story={d} />
      <FollowUp campaignId={campaignId} storyId={storyId} />
      <Comments story={d} />
      {d.canDelete && <DeleteStory story={d} />}
    </div>
  );
}

function Editor({ story }: { story: Story }) {
  const qc = useQueryClient();
  const [content, setContent] = useState(story.content);
  const [saved, setSaved] = useState("");
  useEffect(() => setContent(story.content), [story.content]);
  const save = useMutation(
    trpc.stories.update.mutationOptions({
      onSuccess: (next) => {
        qc.setQueryData(trpc.stories.get.queryKey({ storyId: story.id }), next);
        void qc.invalidateQueries(trpc.stories.campaigns.pathFilter());
        setSaved(`Saved, ${next.wordCount} words.`);
      },
    }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    save.mutate({
      storyId: story.id,
      title: String(f.get("title") ?? ""),
      content,
      category: String(f.get("category")) as (typeof CATEGORIES)[number],
      status: String(f.get("status")) as (typeof STORY_STATUSES)[number],
    });
  }
  return (
    <form className={s.form} onSubmit={submit} aria-label="Edit story">
      <FormError problem={save.error ? describeError(save.error) : null} />
      <Field label="Title" name="title" required maxLength={200} defaultValue={story.title} />
      <div className="field">
        <label htmlFor="story-content">Story</label>
        <textarea
          id="story-content"
          className={`textarea ${s.textarea}`}
          value={content}
          onChange={(e) => setContent(e.target.value)}
        />
        <p className="hint" aria-live="polite">
          {countWords(content)} words
        </p>
      </div>
      <div className={s.row}>
        <div className="field">
          <label htmlFor="story-category">Category</label>
          <select id="story-category" name="category" defaultValue={story.category}>
            {CATEGORIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="story-status">Status</label>
          <select id="story-status" name="status" defaultValue={story.status}>
            {STORY_STATUSES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
      </div>
      <SubmitButton pending={save.isPending} pendingLabel="Saving…">
        Save story
      </SubmitButton>
      <Status>{saved}</Status>
    </form>
  );
}

function Reactions({ story }: { story: Story }) {
  const qc = useQueryClient();
  const react = useMutation(
    trpc.stories.react.mutationOptions({
      onSuccess: () => qc.invalidateQueries(trpc.stories.get.queryFilter({ storyId: story.id })),
    }),
  );
  return (
    <fieldset className={s.reactions}>
      <legend className="visually-hidden">Reactions</legend>
      {REACTIONS.map((r) => {
        const found = story.reactions.find((x) => x.reaction === r);
        return (
          <button
            key={r}
            type="button"
            className="btn btn-secondary btn-small"
            aria-pressed={found?.mine ?? false}
            aria-label={`${r} (${found?.count ?? 0})`}
            onClick={() => react.mutate({ storyId: story.id, reaction: r, on: !found?.mine })}
          >
            {EMOJI[r]} {found?.count ?? ""}
          </button>
        );
      })}
    </fieldset>
  );
}

function Comments({ story }: { story: Story }) {
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries(trpc.stories.get.queryFilter({ storyId: story.id }));
  const add = useMutation(trpc.stories.addComment.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.stories.deleteComment.mutationOptions({ onSuccess: refresh }));
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    add.mutate({ storyId: story.id, body: String(new FormData(form).get("body") ?? "") }, { onSuccess: () => form.reset() });
  }
  return (
    <section aria-label="Comments">
      <h2>Comments</h2>
      <ul className={s.list}>
        {story.comments.map((c) => (
          <li key={c.id} className={s.item}>
            <div>
              <strong>{c.authorName}</strong> <span className={s.meta}>{timeAgo(c.createdAt)}</span>
              <p style={{ whiteSpace: "pre-wrap" }}>{c.body}</p>
            </div>
            {c.mine && (
              <button type="button" className="btn btn-ghost btn-small" onClick={() => remove.mutate({ commentId: c.id })}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className={s.form} onSubmit={submit} aria-label="Add a comment">
        <div className="field">
          <label htmlFor="comment-body">Your comment</label>
          <textarea id="comment-body" name="body" className="textarea" required maxLength={4000} />
        </div>
        <FormError problem={add.error ? describeError(add.error) : null} />
        <SubmitButton pending={add.isPending}>Comment</SubmitButton>
      </form>
    </section>
  );
}

function DeleteStory({ story }: { story: Story }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const del = useMutation(
    trpc.stories.delete.mutationOptions({
      onSuccess: async () => {
        await qc.invalidateQueries(trpc.stories.pathFilter());
        void navigate(`/stories/${story.campaignId}?tab=stories`);
      },
    }),
  );
  const [confirming, setConfirming] = useState(false);
  return (
    <p>
      <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
        Delete story
      </button>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Delete “${story.title}”?`}
        description="Its photos, recordings, comments and reactions are deleted with it. This cannot be undone."
        confirmLabel="Delete story"
        pendingLabel="Deleting…"
        onConfirm={() => del.mutateAsync({ storyId: story.id })}
        // The page is left on success: focus goes wherever the next page puts it.
        onCloseAutoFocus={(event) => del.isSuccess && event.preventDefault()}
      />
    </p>
  );
}
