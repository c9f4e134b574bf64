/**
 * A shared quiz (/q/:token): anyone with the link takes it, no account needed. Phone-first: one column,
 * large type, big tap targets. The questions come without their answers; the result at the end shows
 * each verdict, the right answer and the explanation. Short answers graded by the offline placeholder
 * grader say so.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { SubmitButton } from "../components/SubmitButton.tsx";
import s from "../components/study/share/share.module.css";
import { type Outputs, trpc } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

type Response = number | boolean | string;
type Result = Outputs["study"]["sharing"]["submitQuiz"];

const VERDICT_LABEL = { correct: "Correct", partial: "Partly right", incorrect: "Not quite", ungraded: "Not graded" } as const;

export function SharedQuizPage() {
  const { token = "" } = useParams();
  // Opening counts a view: fetched once, never again on focus or remount.
  const quiz = useQuery({
    ...trpc.study.sharing.openQuiz.queryOptions({ token }),
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  const [answers, setAnswers] = useState<Record<string, Response>>({});
  const [name, setName] = useState("");
  // One key per attempt: a retried submit is answered from the stored attempt and never charged twice.
  const [attemptKey] = useState(() => crypto.randomUUID());
  const submit = useMutation(trpc.study.sharing.submitQuiz.mutationOptions());

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate({
      token,
      attemptKey,
      ...(name.trim() ? { displayName: name.trim() } : {}),
      answers: Object.entries(answers).map(([questionId, response]) => ({ questionId, response })),
    });
    window.scrollTo({ top: 0 });
  };
  const set = (id: string, value: Response) => setAnswers((a) => ({ ...a, [id]: value }));

  return (
    <main id="main" className={s.public}>
      <title>{quiz.data ? `${quiz.data.title} · Quiz · Inkwell` : "Shared quiz · Inkwell"}</title>
      {quiz.isPending && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the quiz…
        </p>
      )}
      {quiz.isError && (
        <>
          <h1>Shared quiz</h1>
          <FormError problem={describeError(quiz.error)} />
        </>
      )}
      {quiz.data && (
        <>
          <p className="muted">A quiz shared with you{quiz.data.topic ? ` · ${quiz.data.topic}` : ""}</p>
          <h1>{quiz.data.title}</h1>
          {submit.data ? (
            <Results result={submit.data} questions={quiz.data.questions} />
          ) : (
            <form className="stack" onSubmit={onSubmit}>
              {quiz.data.questions.map((q, i) => (
                <fieldset key={q.id} className={s.question}>
                  <legend>
                    {i + 1}. {q.prompt}
                  </legend>
                  {q.kind === "multiple_choice" &&
                    q.choices.map((choice, c) => (
                      <label key={choice} className={s.option}>
                        <input type="radio" name={q.id} checked={answers[q.id] === c} onChange={() => set(q.id, c)} />
                        {choice}
                      </label>
                    ))}
                  {q.kind === "true_false" &&
                    ([true, false] as const).map((v) => (
                      <label key={String(v)} className={s.option}>
                        <input type="radio" name={q.id} checked={answers[q.id] === v} onChange={() => set(q.id, v)} />
                        {v ? "True" : "False"}
                      </label>
                    ))}
                  {q.kind === "short_answer" && (
                    <label className="stack">
                      <span className="visually-hidden">Your answer to question {i + 1}</span>
                      <textarea
                        className="textarea"
                        maxLength={2000}
                        value={typeof answers[q.id] === "string" ? (answers[q.id] as string) : ""}
                        onChange={(e) => set(q.id, e.target.value)}
                        placeholder="Your answer"
                      />
                    </label>
                  )}
                </fieldset>
              ))}
              <div className="field">
                <label htmlFor="taker-name">Your name (optional, shown to the person who shared it)</label>
                <input id="taker-name" className="input" maxLength={60} value={name} onChange={(e) => setName(e.target.value)} />
              </div>
              <FormError problem={submit.error ? describeError(submit.error) : null} />
              <SubmitButton pending={submit.isPending} pendingLabel="Checking your answers…" className="btn-block">
                See my results
              </SubmitButton>
            </form>
          )}
        </>
      )}
    </main>
  );
}

function Results({ result, questions }: { result: Result; questions: { id: string; prompt: string }[] }) {
  const prompt = new Map(questions.map((q) => [q.id, q.prompt]));
  return (
    <section className="stack" aria-labelledby="result-heading">
      <h2 id="result-heading">Your results</h2>
      <p className={s.score} role="status">
        {result.score} / {result.total}
      </p>
      <p className="muted">
        {result.counts.correct} correct · {result.counts.partial} partly right · {result.counts.incorrect} not quite
        {result.counts.ungraded ? ` · ${result.counts.ungraded} not graded` : ""}
      </p>
      <ol className={s.items}>
        {result.questions.map((q) => (
          <li key={q.questionId}>
            <strong>{prompt.get(q.questionId)}</strong>
            <span className={s.verdict} data-verdict={q.verdict}>
              {VERDICT_LABEL[q.verdict]}
            </span>
            <span>Answer: {q.correctAnswer}</span>
            {q.explanation && <span className="muted">{q.explanation}</span>}
            {q.feedback && (
              <span className="muted">
                {q.feedback}{" "}
                {q.placeholder && (
                  <span className={s.placeholder} title="Graded by the offline placeholder grader, not an AI model">
                    Placeholder AI
                  </span>
                )}
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
