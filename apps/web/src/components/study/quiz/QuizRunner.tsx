/**
 * One question at a time, each timed from when it appears until it is answered. Multiple choice and
 * true/false are checked at once from the quiz itself (the streak counts consecutive correct ones);
 * short answers are kept and graded by the server when the quiz is finished.
 */
import { useEffect, useId, useState } from "react";
import type { Outputs } from "../../../lib/api.ts";
import { Button } from "../../SubmitButton.tsx";
import s from "./quiz.module.css";

export type QuizItem = Extract<Outputs["study"]["library"]["items"]["get"], { itemType: "quiz" }>;
type Question = QuizItem["content"]["questions"][number];
export type QuizAnswer = { questionId: string; response: number | boolean | string | null; timeMs: number };

export const formatSeconds = (ms: number) => {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
};

function checkNow(q: Question, response: QuizAnswer["response"]): "correct" | "incorrect" | "later" {
  if (q.kind === "short_answer") return "later";
  if (q.kind === "multiple_choice") return response === q.answerIndex ? "correct" : "incorrect";
  return response === q.answer ? "correct" : "incorrect";
}

function rightAnswer(q: Question): string {
  if (q.kind === "multiple_choice") return q.choices[q.answerIndex] ?? "";
  if (q.kind === "true_false") return q.answer ? "True" : "False";
  return q.expected;
}

export function QuizRunner({ quiz, onFinish }: { quiz: QuizItem; onFinish: (answers: QuizAnswer[]) => void }) {
  const questions = quiz.content.questions;
  const [index, setIndex] = useState(0);
  const [answers, setAnswers] = useState<QuizAnswer[]>([]);
  const [draft, setDraft] = useState<QuizAnswer["response"]>(null);
  const [startedAt, setStartedAt] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  const [checked, setChecked] = useState<"correct" | "incorrect" | "later" | null>(null);
  const [streak, setStreak] = useState(0);
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
    const verdict = checkNow(q, response);
    setAnswers((prev) => [...prev, { questionId: q.id, response, timeMs: Date.now() - startedAt }]);
    if (verdict === "correct") setStreak((n) => n + 1);
    else if (verdict === "incorrect") setStreak(0);
    setChecked(verdict);
  };

  const next = () => {
    if (last) {
      onFinish(answers);
      return;
    }
    setIndex(index + 1);
    setDraft(null);
    setChecked(null);
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
        <span data-role="streak">Streak: {streak}</span>
      </div>
      <h2 id={promptId} className={s.prompt}>
        {q.prompt}
      </h2>
      {checked === null ? (
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
            <Button type="submit">{q.kind === "short_answer" ? "Save answer" : "Check answer"}</Button>
            <Button variant="ghost" onClick={() => answer(null, true)}>
              Skip
            </Button>
          </div>
        </form>
      ) : (
        <div className="stack">
          <p
            role="status"
            className={checked === "correct" ? "badge badge-success" : checked === "incorrect" ? "badge badge-danger" : "badge"}
          >
            {checked === "correct" ? "Correct" : checked === "incorrect" ? "Not quite" : "Answer saved: graded at the end"}
          </p>
          {checked !== "later" ? (
            <p>
              The answer: <strong>{rightAnswer(q)}</strong>
            </p>
          ) : null}
          {checked !== "later" && q.explanation ? <p className="muted">{q.explanation}</p> : null}
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
