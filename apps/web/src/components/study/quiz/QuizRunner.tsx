/**
 * One question at a time, each timed from when it appears until it is answered. The page never has the
 * answers (study.quiz.open sends prompts and choices only): every answer is kept and the server grades
 * them all when the quiz is finished; the end screen then shows the verdicts, the answers and the streak.
 */
import { useEffect, useId, useState } from "react";
import type { Outputs } from "../../../lib/api.ts";
import { Button } from "../../SubmitButton.tsx";
import s from "./quiz.module.css";

export type QuizItem = Outputs["study"]["quiz"]["open"];
export type QuizAnswer = { questionId: string; response: number | boolean | string | null; timeMs: number };

export const formatSeconds = (ms: number) => {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
};

export function QuizRunner({ quiz, onFinish }: { quiz: QuizItem; onFinish: (answers: QuizAnswer[]) => void }) {
  const questions = quiz.questions;
  const [index, setIndex] = useState(0);
  const [answers, setAnswers] = useState<QuizAnswer[]>([]);
  const [draft, setDraft] = useState<QuizAnswer["response"]>(null);
  const [startedAt, setStartedAt] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  const [checked, setChecked] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const promptId = useId();
  const q = questions[index];

  useEffect(() => {
    if (checked) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [checked]);

  if (!q) return null;
  const last = index === questions.length - 1;
  const answered = answers.at(-1);
  const elapsed = checked && answered ? answered.timeMs : now - startedAt;

  const answer = (response: QuizAnswer["response"], skipped = false) => {
    const empty = response === null || (typeof response === "string" && !response.trim());
    if (empty && !skipped && q.kind !== "short_answer") {
      setProblem("Pick an answer first, or skip the question.");
      return;
    }
    setProblem(null);
    setAnswers((prev) => [...prev, { questionId: q.id, response, timeMs: Date.now() - startedAt }]);
    setChecked(true);
  };

  const next = () => {
    if (last) {
      onFinish(answers);
      return;
    }
    setIndex(index + 1);
    setDraft(null);
    setChecked(false);
    setStartedAt(Date.now());
    setNow(Date.now());
  };

  return (
    <section className={`card ${s.runner}`} aria-labelledby={promptId}>
      <div className={s.meta}>
        <span>
          Question {index + 1} of {questions.length}
        </span>
        <span data-role="timer">
          <span aria-hidden="true">⏱ </span>
          <span className="visually-hidden">Time on this question: </span>
          {formatSeconds(elapsed)}
        </span>
      </div>
      <h2 id={promptId} className={s.prompt}>
        {q.prompt}
      </h2>
      {!checked ? (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            answer(draft);
          }}
        >
          {q.kind === "multiple_choice" ? (
            <fieldset className={s.choices}>
              <legend className="visually-hidden">Choices</legend>
              {q.choices.map((choice, i) => (
                <label key={`${i}:${choice}`} className={s.choice}>
                  <input type="radio" name={`q-${q.id}`} checked={draft === i} onChange={() => setDraft(i)} />
                  <span>{choice}</span>
                </label>
              ))}
            </fieldset>
          ) : q.kind === "true_false" ? (
            <fieldset className={s.choices}>
              <legend className="visually-hidden">True or false</legend>
              {[true, false].map((v) => (
                <label key={String(v)} className={s.choice}>
                  <input type="radio" name={`q-${q.id}`} checked={draft === v} onChange={() => setDraft(v)} />
                  <span>{v ? "True" : "False"}</span>
                </label>
              ))}
            </fieldset>
          ) : (
            <div className="field">
              <label htmlFor={`answer-${q.id}`}>Your answer</label>
              <textarea
                id={`answer-${q.id}`}
                className={`textarea ${s.textarea}`}
                maxLength={2000}
                value={typeof draft === "string" ? draft : ""}
                onChange={(e) => setDraft(e.target.value)}
              />
              <p className="hint">Graded by the AI against the source when you finish the quiz.</p>
            </div>
          )}
          {problem ? (
            <p role="alert" className="error-text">
              {problem}
            </p>
          ) : null}
          <div className={s.actions}>
            <Button type="submit">Save answer</Button>
            <Button variant="ghost" onClick={() => answer(null, true)}>
              Skip
            </Button>
          </div>
        </form>
      ) : (
        <div className="stack">
          <p role="status" className="badge">
            {answered?.response === null ? "Skipped" : "Answer saved"}: graded at the end
          </p>
          <div className={s.actions}>
            <Button onClick={next} autoFocus>
              {last ? "Finish quiz" : "Next question"}
            </Button>
          </div>
        </div>
      )}
    </section>
  );
}
