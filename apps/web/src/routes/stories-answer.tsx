/**
 * The storyteller's page (/answer/:campaignId/:promptId?token=…): no account, the e-mailed link is the
 * key. One column with large type for a phone: the question, a big box for the answer, one button.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import s from "../components/stories/stories.module.css";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StoriesAnswerPage() {
  const { campaignId = "", promptId = "" } = useParams();
  const [params] = useSearchParams();
  const link = { campaignId, promptId, token: params.get("token") ?? "" };
  const page = useQuery({ ...trpc.stories.answers.get.queryOptions(link), retry: false });
  const [content, setContent] = useState("");
  const submit = useMutation(trpc.stories.answers.submit.mutationOptions());

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    submit.mutate({ ...link, content });
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
            <p role="status">Thank you! Your story is saved ({submit.data.wordCount} words). Your family will love it.</p>
          ) : page.data.answered ? (
            <p role="status">You have already answered this question. Thank you!</p>
          ) : (
            <form onSubmit={onSubmit} className={s.form}>
              <div className="field">
                <label htmlFor="answer">Your answer</label>
                <textarea
                  id="answer"
                  className="textarea"
                  required
                  value={content}
                  onChange={(e) => setContent(e.target.value)}
                />
              </div>
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
