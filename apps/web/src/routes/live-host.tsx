/**
 * Live quizzes, the host's side. /study/live lists the games the user hosted (results kept) and starts a
 * new one from a quiz (?itemId= from a quiz's page starts it at once). /study/live/:sessionId runs one: the
 * lobby with the big join code, the players and an invitation by e-mail, each question with its countdown
 * and answer counts, the reveal with the leaderboard, and the final podium. Updates come over
 * `study.live.watch` (SSE).
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { Button } from "../components/SubmitButton.tsx";
import { InviteForm } from "../components/study/live/InviteForm.tsx";
import s from "../components/study/live/live.module.css";
import { SHAPES, useLiveStream, useSecondsLeft } from "../components/study/live/use-live.ts";
import { EmptyState } from "../components/ui/empty-state.tsx";
import { PageHeader } from "../components/ui/page-header.tsx";
import { type Outputs, trpc, trpcClient } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";

type HostView = Outputs["study"]["live"]["get"];

export function LiveListPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const past = useQuery(trpc.study.live.list.queryOptions({ limit: 20 }));
  const quizzes = useQuery(trpc.study.library.items.list.queryOptions({ itemType: "quiz", limit: 50 }));
  const create = useMutation(trpc.study.live.create.mutationOptions({ onSuccess: (view) => navigate(`/study/live/${view.id}`) }));
  const fromItem = params.get("itemId");
  const started = useRef(false);
  useEffect(() => {
    if (fromItem && !started.current) {
      started.current = true;
      create.mutate({ itemId: fromItem });
    }
  }, [fromItem, create]);

  return (
    <div className="page">
      <title>Live quizzes · Study · Inkwell</title>
      <PageHeader
        title="Live quizzes"
        lead="Host a quiz for a room: players join on their phones at /play with a code, no account needed."
      />
      <FormError problem={create.isError ? describeError(create.error) : null} />
      <section className="stack" aria-labelledby="host-new">
        <h2 id="host-new" className="section-title">
          Host a quiz
        </h2>
        {quizzes.data && quizzes.data.items.length === 0 && (
          <EmptyState action={<Link to="/study">Go to the library</Link>}>You have no quizzes yet.</EmptyState>
        )}
        <ul className={s.list}>
          {quizzes.data?.items.map((q) => (
            <li key={q.id} className={s.item}>
              <span>{q.title}</span>
              <Button
                variant="secondary"
                pending={create.isPending && create.variables?.itemId === q.id}
                pendingLabel="Starting…"
                onClick={() => create.mutate({ itemId: q.id })}
                aria-label={`Host live: ${q.title}`}
              >
                Host live
              </Button>
            </li>
          ))}
        </ul>
      </section>
      <section className="stack" aria-labelledby="host-past">
        <h2 id="host-past" className="section-title">
          Your games
        </h2>
        {past.data?.length === 0 && <EmptyState>No games yet.</EmptyState>}
        <ul className={s.list}>
          {past.data?.map((g) => (
            <li key={g.id} className={s.item}>
              <Link to={`/study/live/${g.id}`}>{g.title}</Link>
              <span className="muted small">
                {g.status === "finished" ? "Finished" : `Running · code ${g.code}`} · {g.playerCount} player
                {g.playerCount === 1 ? "" : "s"}
                {g.winner ? ` · winner ${g.winner.nickname} (${g.winner.score})` : ""}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

export function LiveHostPage() {
  const { sessionId = "" } = useParams();
  const initial = useQuery(trpc.study.live.get.queryOptions({ sessionId }));
  const open = useCallback(
    (handlers: Parameters<typeof trpcClient.study.live.watch.subscribe>[1]) =>
      trpcClient.study.live.watch.subscribe({ sessionId }, handlers),
    [sessionId],
  );
  const live = useLiveStream<HostView>(open as never);
  const view = (live.view ?? initial.data) as HostView | undefined;
  const next = useMutation(trpc.study.live.next.mutationOptions());
  const end = useMutation(trpc.study.live.end.mutationOptions());
  const kick = useMutation(trpc.study.live.kick.mutationOptions());
  const secondsLeft = useSecondsLeft(view?.closesAt, live.offsetMs);
  const problem = [next, end, kick].find((m) => m.isError)?.error;

  // The question closes by itself: when time is up, or every player still in the game has answered.
  const present = view?.players.filter((p) => !p.away).length ?? 0;
  const autoKey = view?.status === "question" ? `${view.questionIndex}` : null;
  const advanced = useRef<string | null>(null);
  useEffect(() => {
    if (view?.status !== "question" || !autoKey || advanced.current === autoKey) return;
    if (secondsLeft === 0 || (present > 0 && view.answeredCount >= present)) {
      advanced.current = autoKey;
      next.mutate({ sessionId, expect: { status: "question", questionIndex: view.questionIndex } });
    }
  }, [view, secondsLeft, present, autoKey, next, sessionId]);

  if (initial.isError) return <FormError problem={describeError(initial.error)} />;
  if (!view) return <p className="loading">Loading…</p>;
  const step = () => next.mutate({ sessionId, expect: { status: view.status, questionIndex: view.questionIndex } });

  return (
    <div className="page page-wide">
      <title>{`${view.title} · Live · Inkwell`}</title>
      <PageHeader
        title={view.title}
        lead={
          view.status === "finished"
            ? "Final results"
            : view.status === "lobby"
              ? "Waiting for players"
              : `Question ${view.questionIndex + 1} of ${view.questionCount}`
        }
        actions={
          view.status !== "finished" && (
            <Button variant="ghost" pending={end.isPending} onClick={() => end.mutate({ sessionId })}>
              End game
            </Button>
          )
        }
      />
      <FormError problem={problem ? describeError(problem) : null} />
      {view.status === "lobby" && (
        <section className={s.lobby} aria-label="Lobby">
          <p className="lead">
            Join at <strong>{window.location.host}/play</strong> with the code
          </p>
          <p className={s.code} data-testid="live-code">
            <span className="visually-hidden">Game code </span>
            {view.code}
          </p>
          {view.skippedCount > 0 && (
            <p className="muted">
              {view.skippedCount} short-answer question{view.skippedCount === 1 ? " is" : "s are"} skipped: live games play
              multiple-choice and true/false questions.
            </p>
          )}
          <p aria-live="polite">
            {view.players.length} player{view.players.length === 1 ? "" : "s"} joined
          </p>
          <ul className={s.players} aria-label="Players">
            {view.players.map((p) => (
              <li key={p.playerId} className={`${s.player} ${p.away ? s.away : ""}`}>
                <span>{p.nickname}</span>
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  aria-label={`Remove ${p.nickname}`}
                  onClick={() => kick.mutate({ sessionId, playerId: p.playerId })}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
          <Button pending={next.isPending} onClick={step} disabled={view.players.length === 0}>
            Start the game
          </Button>
        </section>
      )}
      {view.status === "lobby" && <InviteForm sessionId={sessionId} />}
      {(view.status === "question" || view.status === "reveal") && view.question && (
        <section className="stack" aria-label={`Question ${view.questionIndex + 1}`}>
          <div className={s.bar}>
            {view.status === "question" ? (
              <span className={s.timer} role="timer" aria-label={`${secondsLeft ?? 0} seconds left`}>
                {secondsLeft ?? 0}
              </span>
            ) : (
              <span className="lead">Answer revealed</span>
            )}
            <span aria-live="polite">
              {view.answeredCount} of {view.players.length} answered
            </span>
          </div>
          <h2 className={s.prompt}>{view.question.prompt}</h2>
          <ul className={s.choices} aria-label="Choices">
            {view.question.choices.map((c, i) => {
              const right = view.status === "reveal" && i === view.question?.answerIndex;
              const dim = view.status === "reveal" && !right;
              return (
                <li key={c} className={`${s.choice} ${s[`c${i}`]} ${dim ? s.dim : ""} ${right ? s.right : ""}`}>
                  <span>
                    <span aria-hidden="true">{SHAPES[i]} </span>
                    {c}
                    {right && <span> ✓ correct</span>}
                  </span>
                  <span>
                    {view.answerCounts[i] ?? 0}
                    <span className="visually-hidden"> answers</span>
                  </span>
                </li>
              );
            })}
          </ul>
          {view.status === "reveal" && view.question.explanation && <p>{view.question.explanation}</p>}
          {view.status === "reveal" && <Leaderboard rows={view.leaderboard} title="Leaderboard" />}
          <div className="form-actions">
            <Button pending={next.isPending} onClick={step}>
              {view.status === "question"
                ? "Reveal the answer"
                : view.questionIndex + 1 < view.questionCount
                  ? "Next question"
                  : "Final results"}
            </Button>
          </div>
        </section>
      )}
      {view.status === "finished" && (
        <section className="stack" aria-label="Final results">
          <Podium rows={view.leaderboard} />
          <Leaderboard rows={view.leaderboard} title="Final leaderboard" />
          <p>
            <Link to="/study/live">All your games</Link>
          </p>
        </section>
      )}
    </div>
  );
}

type Row = HostView["leaderboard"][number];

export function Leaderboard({ rows, title, meId }: { rows: Row[]; title: string; meId?: string }) {
  return (
    <section aria-label={title} className="stack">
      <h2 className="section-title">{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">No players.</p>
      ) : (
        <ol className={s.board}>
          {rows.map((r) => (
            <li key={r.playerId} className={`${s.row} ${r.playerId === meId ? s.me : ""}`}>
              <span>{r.rank}.</span>
              <span>
                {r.nickname}
                {r.away && <span className="muted small"> (away)</span>}
                {r.streak > 1 && <span className="muted small"> · streak {r.streak}</span>}
              </span>
              <span>{r.score}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function Podium({ rows }: { rows: Row[] }) {
  const [first, second, third] = rows;
  const places = [
    { r: second, cls: s.second, label: "2nd" },
    { r: first, cls: s.first, label: "1st" },
    { r: third, cls: s.third, label: "3rd" },
  ];
  return (
    <ol className={s.podium} aria-label="Podium">
      {places.map(({ r, cls, label }) =>
        r ? (
          <li key={label} className={`${s.step} ${cls}`}>
            <strong>{label}</strong>
            <span>{r.nickname}</span>
            <span className="small">{r.score}</span>
          </li>
        ) : null,
      )}
    </ol>
  );
}
