/**
 * The storyteller's page (/answer/:campaignId/:promptId?token=…): no account, the e-mailed link is the
 * key. One column with large type for a phone: the question, a big box for the answer, photos and a
 * recording (uploaded as they are chosen, joined to the story once the answer is saved), one button.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import { AnswerMedia, type PendingMedia } from "../components/stories/media/AnswerMedia.tsx";
import s from "../components/stories/stories.module.css";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StoriesAnswerPage() {
  const { campaignId = "", promptId = "" } = useParams();
  const [params] = useSearchParams();
  const link = { campaignId, promptId, token: params.get("token") ?? "" };
  const page = useQuery({ ...trpc.stories.answers.get.queryOptions(link), retry: false });
  const [content, setContent] = useState("");
  const [media, setMedia] = useState<PendingMedia>({ photos: [], recordings: [] });
  const attach = useMutation(trpc.storiesMedia.answerAttach.mutationOptions());
  const submit = useMutation(
    trpc.stories.answers.submit.mutationOptions({
      onSuccess: () => {
        if (media.photos.length || media.recordings.length)
          attach.mutate({
            ...link,
            photos: media.photos.map((p) => ({ fileId: p.fileId, caption: p.caption })),
            audioFileIds: media.recordings.map((r) => r.fileId),
          });
      },
    }),
  );
  const recorded = media.recordings.length > 0;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // A spoken answer needs no typing: the story says so until its transcript is in.
    submit.mutate({ ...link, content: content.trim() || (recorded ? "(A recorded answer: listen to the recording.)" : content) });
  }

  return (
    <main id="main" className={s.answer}>
      <title>Your story · Inkwell</title>
      {page.isError && <FormError problem={describeError(page.error)} />}
      {page.data && (
        <>
          <p className="muted">
            For {page.data.storytellerName}, from “{page.data.campaignTitle}”
          </p>
          <h1 className={s.question}>{page.data.question}</h1>
          {submit.isSuccess ? (
            <>
              <p role="status">
                Thank you! Your story is saved ({submit.data.wordCount} words)
                {attach.isSuccess
                  ? `, with ${attach.data.photos} photo${attach.data.photos === 1 ? "" : "s"} and ${attach.data.recordings} recording${attach.data.recordings === 1 ? "" : "s"}`
                  : attach.isPending
                    ? " (adding your photos and recordings…)"
                    : ""}
                . Your family will love it.
              </p>
              <FormError problem={attach.error ? describeError(attach.error) : null} />
            </>
          ) : page.data.answered ? (
            <p role="status">You have already answered this question. Thank you!</p>
          ) : (
            <form onSubmit={onSubmit} className={s.form}>
              <div className="field">
                <label htmlFor="answer">Your answer</label>
                <textarea
                  id="answer"
                  className="textarea"
                  required={!recorded}
                  value={content}
                  onChange={(e) => setContent(e.target.value)}
                />
              </div>
              <AnswerMedia link={link} media={media} setMedia={(update) => setMedia(update)} />
              <FormError problem={submit.error ? describeError(submit.error) : null} />
              <SubmitButton pending={submit.isPending} pendingLabel="Saving…" className="btn-block">
                Send my story
              </SubmitButton>
            </form>
          )}
        </>
      )}
    </main>
  );
}
