/**
 * Live quizzes, the player's side, phone first and without an account. /play: enter the code and a
 * nickname. /play/:code: the game: big answer buttons while a question is open, then whether it was right,
 * the points and the rank. The player token from joining is kept in this browser (localStorage, per code),
 * so a reload or a return after leaving rejoins as the same player with the same score.
 */
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { FormError } from "../components/Alert.tsx";
import { Button, SubmitButton } from "../components/SubmitButton.tsx";
import s from "../components/study/live/live.module.css";
import { SHAPES, useLiveStream, useSecondsLeft } from "../components/study/live/use-live.ts";
import { TextField } from "../components/TextField.tsx";
import { type Outputs, trpc, trpcClient } from "../lib/api.ts";
import { describeError } from "../lib/errors.ts";
import { Leaderboard } from "./live-host.tsx";

type PlayerView = Outputs["study"]["live"]["state"];
interface Seat {
  sessionId: string;
  playerId: string;
  nickname: string;
  token: string;
}

const seatKey = (code: string) => `inkwell-live:${code.toUpperCase()}`;
function readSeat(code: string): Seat | null {
  try {
    const raw = localStorage.getItem(seatKey(code));
    return raw ? (JSON.parse(raw) as Seat) : null;
  } catch {
    return null;
  }
}
const normalise = (code: string) => code.replace(/[\s-]/g, "").toUpperCase();

function JoinForm({ initialCode, onJoined }: { initialCode: string; onJoined(code: string, seat: Seat): void }) {
  const [code, setCode] = useState(initialCode);
  const [nickname, setNickname] = useState("");
  const join = useMutation(trpc.study.live.join.mutationOptions());
  const problem = join.isError ? describeError(join.error, ["code", "nickname"]) : null;
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    join.mutate(
      { code, nickname },
      {
        onSuccess: (r) => {
          if (!r.token) return;
          const seat = { sessionId: r.sessionId, playerId: r.playerId, nickname: r.nickname, token: r.token };
          localStorage.setItem(seatKey(normalise(code)), JSON.stringify(seat));
          onJoined(normalise(code), seat);
        },
      },
    );
  }
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <FormError problem={problem?.message ? problem : null} />
      <TextField
        label="Game code"
        name="code"
        onBlur={() => undefined}
        inputRef={() => undefined}
        value={code}
        onChange={(e) => setCode(e.target.value)}
        autoCapitalize="characters"
        autoComplete="off"
        maxLength={20}
        required
        error={problem?.fieldErrors.code}
      />
      <TextField
        label="Nickname"
        name="nickname"
        onBlur={() => undefined}
        inputRef={() => undefined}
        value={nickname}
        onChange={(e) => setNickname(e.target.value)}
        autoComplete="nickname"
        maxLength={24}
        required
        error={problem?.fieldErrors.nickname}
      />
      <SubmitButton pending={join.isPending} pendingLabel="Joining…" className="btn-block">
        Join
      </SubmitButton>
    </form>
  );
}

export function LivePlayJoinPage() {
  const navigate = useNavigate();
  return (
    <main id="main" className={s.phone}>
      <title>Join a live quiz · Inkwell</title>
      <h1 className={s.big}>Join a live quiz</h1>
      <JoinForm initialCode="" onJoined={(code) => navigate(`/play/${code}`)} />
    </main>
  );
}

export function LivePlayPage() {
  const { code: rawCode = "" } = useParams();
  const code = normalise(rawCode);
  const [seat, setSeat] = useState<Seat | null>(() => readSeat(code));
  const [present, setPresent] = useState(false);
  const rejoin = useMutation(trpc.study.live.join.mutationOptions());
  const leave = useMutation(trpc.study.live.leave.mutationOptions());
  // A stored seat rejoins (marks the player present again; score and place kept).
  useEffect(() => {
    if (!seat || present || rejoin.isPending || rejoin.isError) return;
    rejoin.mutate(
      { code, token: seat.token },
      {
        onSuccess: () => setPresent(true),
      },
    );
  }, [seat, present, code, rejoin]);

  return (
    <main id="main" className={s.phone}>
      <title>{`Live quiz ${code} · Inkwell`}</title>
      {!seat || rejoin.isError ? (
        <>
          <h1 className={s.big}>Join game {code}</h1>
          {rejoin.isError && <FormError problem={describeError(rejoin.error)} />}
          <JoinForm
            initialCode={code}
            onJoined={(_c, next) => {
              rejoin.reset();
              setSeat(next);
              setPresent(true);
            }}
          />
        </>
      ) : !present ? (
        <p className="loading">Joining…</p>
      ) : leave.isSuccess ? (
        <>
          <h1 className={s.big}>You left the game</h1>
          <p>Your score is kept. Come back any time before it ends.</p>
          <Button
            onClick={() => {
              leave.reset();
              setPresent(false);
            }}
          >
            Rejoin
          </Button>
        </>
      ) : (
        <Game seat={seat} onLeave={() => leave.mutate({ sessionId: seat.sessionId, token: seat.token })} />
      )}
    </main>
  );
}

function Game({ seat, onLeave }: { seat: Seat; onLeave(): void }) {
  const open = useCallback(
    (handlers: Parameters<typeof trpcClient.study.live.play.subscribe>[1]) =>
      trpcClient.study.live.play.subscribe({ sessionId: seat.sessionId, token: seat.token }, handlers),
    [seat],
  );
  const live = useLiveStream<PlayerView>(open as never);
  const view = live.view;
  const answer = useMutation(trpc.study.live.answer.mutationOptions());
  const secondsLeft = useSecondsLeft(view?.closesAt, live.offsetMs);
  const [picked, setPicked] = useState<{ index: number; choice: number } | null>(null);

  if (live.error && !view) return <FormError problem={describeError(live.error)} />;
  if (!view) return <p className="loading">Connecting…</p>;
  const me = view.me;
  const mine = me.answer?.choice ?? (picked?.index === view.questionIndex ? picked.choice : null);

  return (
    <>
      <h1 className={s.big}>{me.nickname}</h1>
      <p className="center muted">
        {view.title} · score {me.score}
        {me.rank > 0 ? ` · rank ${me.rank} of ${view.playerCount}` : ""}
      </p>
      {me.kicked && <p className={s.big}>The host removed you from this game.</p>}
      {!me.kicked && view.status === "lobby" && (
        <p className={s.big} role="status">
          You're in! Waiting for the host to start…
        </p>
      )}
      {!me.kicked && view.status === "question" && view.question && (
        <section className="stack" aria-label={`Question ${view.questionIndex + 1} of ${view.questionCount}`}>
          <div className={s.bar}>
            <span>
              Question {view.questionIndex + 1} of {view.questionCount}
            </span>
            <span className={s.timer} role="timer" aria-label={`${secondsLeft ?? 0} seconds left`}>
              {secondsLeft ?? 0}
            </span>
          </div>
          <h2 className={s.prompt}>{view.question.prompt}</h2>
          {mine !== null ? (
            <p className={s.big} role="status">
              Answer locked in: {view.question.choices[mine]}. Waiting for the others…
            </p>
          ) : secondsLeft === 0 ? (
            <p className={s.big} role="status">
              Time's up!
            </p>
          ) : (
            <div className={s.choices}>
              {view.question.choices.map((c, i) => (
                <button
                  key={c}
                  type="button"
                  className={`${s.choice} ${s[`c${i}`]}`}
                  aria-disabled={answer.isPending || undefined}
                  onClick={() => {
                    if (answer.isPending) return;
                    setPicked({ index: view.questionIndex, choice: i });
                    answer.mutate({ sessionId: seat.sessionId, token: seat.token, questionIndex: view.questionIndex, choice: i });
                  }}
                >
                  <span>
                    <span aria-hidden="true">{SHAPES[i]} </span>
                    {c}
                  </span>
                </button>
              ))}
            </div>
          )}
          {answer.isError && <FormError problem={describeError(answer.error)} />}
        </section>
      )}
      {!me.kicked && view.status === "reveal" && view.question && (
        <section className="stack" aria-label="Result">
          <p className={s.big} role="status">
            {me.answer === null ? "No answer this time" : me.answer.correct ? `Correct! +${me.answer.points}` : "Not quite"}
          </p>
          <p className="center">
            The answer: <strong>{view.answerIndex !== null ? view.question.choices[view.answerIndex] : ""}</strong>
          </p>
          {view.explanation && <p>{view.explanation}</p>}
          <Leaderboard rows={view.leaderboard} title="Leaderboard" meId={me.playerId} />
        </section>
      )}
      {view.status === "finished" && !me.kicked && (
        <section className="stack" aria-label="Final results">
          <p className={s.big} role="status">
            Game over! You finished #{me.rank} with {me.score} points.
          </p>
          <Leaderboard rows={view.leaderboard} title="Final leaderboard" meId={me.playerId} />
        </section>
      )}
      {view.status !== "finished" && !me.kicked && (
        <Button variant="ghost" onClick={onLeave}>
          Leave game
        </Button>
      )}
    </>
  );
}
