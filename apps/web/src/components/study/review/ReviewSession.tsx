/**
 * One review sitting: the due queue (all sets, or one), a card's front, reveal (space), four ratings
 * (keys 1–4) each showing the interval FSRS would schedule, progress, and the summary when the queue is
 * empty or the user stops. A failed card (learning steps) comes back when the queue is asked again, so
 * the sitting goes on until nothing is due. Each rate carries the sitting's id and the card's review
 * index in it, so a retried request is answered from the log, never counted twice.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { type Outputs, trpc, trpcClient } from "../../../lib/api.ts";
import { describeError } from "../../../lib/errors.ts";
import { FormError } from "../../Alert.tsx";
import { Button } from "../../SubmitButton.tsx";
import s from "./review.module.css";

type ReviewCard = Outputs["study"]["review"]["due"]["cards"][number];
type Result = Outputs["study"]["review"]["finishSession"];

const RATING_NAMES = { 1: "Again", 2: "Hard", 3: "Good", 4: "Easy" } as const;
const QUEUE_SIZE = 50;

/** "1 min", "10 min", "3 h", "4 days", "2 mo", "1.5 yr": how far ahead a rating would schedule. */
export function formatInterval(ms: number): string {
  const min = Math.max(0, ms) / 60_000;
  if (min < 1) return "<1 min";
  if (min < 60) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 24) return `${Math.round(h)} h`;
  const d = h / 24;
  if (d < 30) return `${Math.round(d)} ${Math.round(d) === 1 ? "day" : "days"}`;
  if (d < 365) return `${Math.round(d / 30)} mo`;
  return `${(d / 365).toFixed(1)} yr`;
}

export function ReviewSession({ itemId, onDone }: { itemId?: string; onDone: () => void }) {
  const qc = useQueryClient();
  const [sessionId] = useState(() => crypto.randomUUID());
  const [queue, setQueue] = useState<ReviewCard[] | null>(null);
  const [position, setPosition] = useState(0);
  const [revealed, setRevealed] = useState(false);
  const [reviewed, setReviewed] = useState(0);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [finishedEmpty, setFinishedEmpty] = useState(false);
  const timesRated = useRef(new Map<string, number>());
  const shownAt = useRef(performance.now());
  const revealButton = useRef<HTMLButtonElement>(null);

  const finish = useMutation(
    trpc.study.review.finishSession.mutationOptions({
      onSuccess: (r) => {
        setResult(r);
        void qc.invalidateQueries({ queryKey: trpc.study.review.pathKey() });
      },
    }),
  );

  const end = useCallback(
    (count: number) => {
      if (count === 0) {
        setFinishedEmpty(true);
        return;
      }
      finish.mutate({ sessionId });
    },
    [finish, sessionId],
  );

  const load = useCallback(
    async (count: number) => {
      try {
        const q = await trpcClient.study.review.due.query({ limit: QUEUE_SIZE, ...(itemId ? { itemId } : {}) });
        if (q.cards.length === 0) {
          setQueue([]);
          end(count);
          return;
        }
        setQueue(q.cards);
        setPosition(0);
        setRevealed(false);
        shownAt.current = performance.now();
      } catch (error) {
        setLoadError(error);
      }
    },
    [itemId, end],
  );

  useEffect(() => {
    void load(0);
  }, []);

  const card = queue?.[position] ?? null;

  useEffect(() => {
    if (card && !revealed) revealButton.current?.focus();
  }, [card, revealed]);

  const rate = useMutation(
    trpc.study.review.rate.mutationOptions({
      onSuccess: () => {
        const count = reviewed + 1;
        setReviewed(count);
        if (queue && position + 1 < queue.length) {
          setPosition(position + 1);
          setRevealed(false);
          shownAt.current = performance.now();
        } else {
          // The end of this batch: ask again (failed cards and learning steps come back; new ones within the day's limit).
          void load(count);
        }
      },
    }),
  );

  const submit = useCallback(
    (rating: 1 | 2 | 3 | 4) => {
      if (!card || !revealed || rate.isPending) return;
      const key = `${card.itemId}:${card.cardId}`;
      const reviewIndex = timesRated.current.get(key) ?? 0;
      rate.mutate(
        {
          itemId: card.itemId,
          cardId: card.cardId,
          rating,
          sessionId,
          reviewIndex,
          durationMs: Math.min(3_600_000, Math.round(performance.now() - shownAt.current)),
        },
        { onSuccess: () => timesRated.current.set(key, reviewIndex + 1) },
      );
    },
    [card, revealed, rate, sessionId],
  );

  useEffect(() => {
    if (!card || result) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
      if (e.key === " " && !revealed) {
        e.preventDefault();
        setRevealed(true);
      } else if (revealed && ["1", "2", "3", "4"].includes(e.key)) {
        e.preventDefault();
        submit(Number(e.key) as 1 | 2 | 3 | 4);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [card, revealed, submit, result]);

  if (loadError) {
    return (
      <div role="alert" className="alert alert-error">
        {describeError(loadError).message}
      </div>
    );
  }
  if (result || finishedEmpty) {
    return (
      <section className={`card ${s.summary}`} aria-labelledby="review-summary-heading">
        <h2 id="review-summary-heading">Session summary</h2>
        {result ? (
          <dl className={s.stats}>
            <div>
              <dt>Cards reviewed</dt>
              <dd>{result.totalCards}</dd>
            </div>
            <div>
              <dt>Known</dt>
              <dd>{result.knownCount}</dd>
            </div>
            <div>
              <dt>Still learning</dt>
              <dd>{result.unknownCount}</dd>
            </div>
            <div>
              <dt>Ratings given</dt>
              <dd>{reviewed}</dd>
            </div>
          </dl>
        ) : (
          <p>Nothing is due right now. Come back later.</p>
        )}
        <div className={s.actions}>
          <Button variant="secondary" onClick={onDone}>
            Done
          </Button>
        </div>
      </section>
    );
  }
  if (!queue || !card) {
    return (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> {finish.isPending ? "Saving your session…" : "Loading your cards…"}
      </p>
    );
  }

  return (
    <section className={s.session} aria-label="Review session">
      <div className={s.progressRow}>
        <p className="small" aria-live="polite">
          Card {position + 1} of {queue.length} · {reviewed} rated
        </p>
        <progress max={queue.length} value={position} aria-label="Progress through these cards" />
      </div>
      <article className={s.flashcard} aria-labelledby="review-front">
        <p className={s.setName}>
          {card.itemTitle}
          {card.isPlaceholder ? (
            <>
              {" · "}
              <span className="offline-badge">Placeholder AI</span>
            </>
          ) : null}
          {" · "}
          {card.state === "new" ? "New" : card.state === "review" ? "Review" : "Learning"}
        </p>
        <h2 className={s.face} id="review-front">
          {card.front}
        </h2>
        {revealed ? (
          <div className={s.back}>
            <p className={s.face} data-role="card-back">
              {card.back}
            </p>
          </div>
        ) : null}
      </article>
      {revealed ? (
        <fieldset className={s.ratings} aria-describedby="review-keys">
          <legend className="visually-hidden">How well did you know it?</legend>
          {card.previews.map((p) => (
            <Button
              key={p.rating}
              variant={p.rating === 1 ? "danger" : p.rating === 3 ? "primary" : "secondary"}
              pending={rate.isPending && rate.variables?.rating === p.rating}
              onClick={() => submit(p.rating as 1 | 2 | 3 | 4)}
              aria-keyshortcuts={String(p.rating)}
            >
              <span>{RATING_NAMES[p.rating as 1 | 2 | 3 | 4]}</span>
              <span className={s.interval}>{formatInterval(p.intervalMs)}</span>
            </Button>
          ))}
        </fieldset>
      ) : (
        <div className={s.actions}>
          <Button ref={revealButton} onClick={() => setRevealed(true)} aria-keyshortcuts="Space">
            Show answer
          </Button>
        </div>
      )}
      <FormError problem={rate.isError ? describeError(rate.error) : null} />
      <div className={s.actions}>
        <p className="small muted" id="review-keys">
          Keys: space shows the answer, 1–4 rate it.
        </p>
        <Button variant="ghost" onClick={() => end(reviewed)} pending={finish.isPending} pendingLabel="Saving…">
          End session
        </Button>
      </div>
    </section>
  );
}
