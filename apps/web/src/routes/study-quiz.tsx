/**
 * Taking a quiz (/study/items/:itemId/quiz): one question at a time with a timer and a streak, then the
 * answers go to the server once (an attempt key per sitting, so a retried submit is graded and charged
 * once) and the end screen shows the score, each verdict with feedback, explanations and sources.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link, useParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { CostLabel } from "../components/CostLabel.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { QuizOutcome } from "../components/study/quiz/QuizOutcome.tsx";
import { type QuizAnswer, type QuizItem, QuizRunner } from "../components/study/quiz/QuizRunner.tsx";
import s from "../components/study/quiz/quiz.module.css";
import { PageHeader } from "../components/ui/page-header.tsx";
import { trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

export function StudyQuizPage() {
  const { itemId = "" } = useParams();
  // Prompts and choices only: what was right comes with the submitted result, never before.
  const item = useQuery(trpc.study.quiz.open.queryOptions({ itemId }));
  const title = item.data?.title ?? "Quiz";
  return (
    <div className="page">
      <title>{`${title} · Quiz · Inkwell`}</title>
      <PageHeader
        title={title}
        lead={
          <>
            Answer one question at a time. <Link to="/study/results">Your results</Link>
          </>
        }
      />
      {item.isPending ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the quiz…
        </p>
      ) : item.isError ? (
        <div role="alert" className="alert alert-error">
          {describeError(item.error).message}
        </div>
      ) : (
        <QuizSitting key={item.data.id} quiz={item.data} />
      )}
    </div>
  );
}

function QuizSitting({ quiz }: { quiz: QuizItem }) {
  const qc = useQueryClient();
  const costId = useId();
  const [sitting, setSitting] = useState(0);
  const [attemptKey, setAttemptKey] = useState(() => crypto.randomUUID());
  const [answers, setAnswers] = useState<QuizAnswer[] | null>(null);
  const submit = useMutation(
    trpc.study.quiz.submit.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.study.results.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() });
      },
    }),
  );
  const shortAnswers = (answers ?? []).filter((a) => typeof a.response === "string" && a.response.trim()).length;
  const send = (list: QuizAnswer[]) => submit.mutate({ itemId: quiz.id, attemptKey, answers: list });

  if (submit.data) {
    return (
      <div className="stack">
        <QuizOutcome result={submit.data} />
        <div className={s.actions}>
          <Button
            onClick={() => {
              submit.reset();
              setAnswers(null);
              setAttemptKey(crypto.randomUUID());
              setSitting((n) => n + 1);
            }}
          >
            Take it again
          </Button>
          <Link className="btn btn-secondary" to="/study/results">
            All results
          </Link>
        </div>
      </div>
    );
  }
  if (answers) {
    return (
      <section className="card stack" aria-labelledby="quiz-finish-heading">
        <h2 id="quiz-finish-heading">Grading your answers</h2>
        {quiz.isPlaceholder ? (
          <p className="offline-label small">
            <span className="offline-badge">Placeholder AI</span> This quiz was made by the offline placeholder model.
          </p>
        ) : null}
        {submit.isPending ? (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Grading…
          </p>
        ) : null}
        <FormError problem={submit.isError ? describeError(submit.error) : null} />
        {submit.isError ? (
          <div className={s.actions}>
            {/* The same attempt key: a submit that did get through is returned, not graded again. */}
            <Button onClick={() => send(answers)} aria-describedby={shortAnswers ? costId : undefined}>
              Try again
            </Button>
            {shortAnswers ? <CostLabel operation="study.grade" quantity={shortAnswers} id={costId} /> : null}
          </div>
        ) : null}
      </section>
    );
  }
  return (
    <div className="stack">
      {quiz.isPlaceholder ? (
        <p className="offline-label small">
          <span className="offline-badge">Placeholder AI</span> This quiz was made by the offline placeholder model.
        </p>
      ) : null}
      {quiz.hasShortAnswers ? (
        <p className="small muted">
          Short answers are graded by the AI when you finish: <CostLabel operation="study.grade" /> each.
        </p>
      ) : null}
      <QuizRunner
        key={sitting}
        quiz={quiz}
        onFinish={(list) => {
          setAnswers(list);
          send(list);
        }}
      />
    </div>
  );
}
