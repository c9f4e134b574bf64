/**
 * The error state every "Generate" button shares (see lib/generation-errors.ts for the wiring):
 * not enough credits (needed vs available, a link to /credits), rate limited (a live countdown, the
 * button re-enabled at zero), the AI provider failed or timed out (nothing was charged; retry).
 */
import { useQuery } from "@tanstack/react-query";
import { type ComponentProps, type ReactNode, useId } from "react";
import { Link } from "react-router";
import { balanceQuery, creditsWord, formatCredits, usePrice } from "../lib/credits.ts";
import type { GenerationErrorState, GenerationProblem } from "../lib/generation-errors.ts";
import { CostLabel } from "./CostLabel.tsx";
import { Button } from "./SubmitButton.tsx";

/**
 * Render it always (not only once there is a problem): its polite live region must already be on the
 * page when a problem arrives, or screen readers may not announce it.
 */
export function GenerationError({
  state,
  operation,
  quantity = 1,
  onRetry,
}: {
  state: GenerationErrorState;
  /** The operation the button runs: its price stands in when the server does not say what is needed. */
  operation?: string;
  quantity?: number;
  onRetry?: () => void;
}) {
  const { problem, secondsLeft, reportedAt } = state;
  const price = usePrice(operation, quantity);
  const short = problem?.kind === "insufficient-credits";
  const balance = useQuery({ ...balanceQuery(), enabled: short }).data;
  let needed = short ? (problem.needed ?? price ?? null) : null;
  let available = short ? (problem.available ?? balance?.available ?? null) : null;
  // Stand-ins (the price, a balance that may be a moment old) are shown only when they tell a consistent story.
  const fromServer = short && problem.needed !== null && problem.available !== null;
  if (!fromServer && (needed === null || available === null || needed <= available)) needed = available = null;
  return (
    <div className="generation-error-slot">
      <p role="status" className="visually-hidden">
        {/* A new node per report, so the same problem twice is announced twice. */}
        <span key={reportedAt}>{problem ? announcement(problem, secondsLeft, needed, available) : ""}</span>
      </p>
      {problem && (
        <GenerationErrorView
          problem={problem}
          secondsLeft={secondsLeft}
          needed={needed}
          available={available}
          onRetry={onRetry}
        />
      )}
    </div>
  );
}

/** What the live region says: once when the problem arrives, and once more when a wait is over. */
function announcement(problem: GenerationProblem, secondsLeft: number, needed: number | null, available: number | null) {
  switch (problem.kind) {
    case "insufficient-credits":
      return needed !== null && available !== null
        ? `Not enough credits: this needs ${formatCredits(needed)} and you have ${formatCredits(available)} available.`
        : "Not enough credits for this.";
    case "rate-limited":
      return secondsLeft > 0
        ? `Too many generations in a short time. You can try again in ${problem.retryAfterSeconds} seconds.`
        : "You can generate again now.";
    case "upstream-failed":
      return "The AI provider had a problem. Nothing was charged. Please try again.";
    case "upstream-timeout":
      return "The AI provider took too long to answer. Nothing was charged. Please try again.";
    default:
      return problem.message;
  }
}

const formatClock = (seconds: number) =>
  seconds >= 60 ? `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` : `${seconds} s`;

/** The visible card; `preview` draws it as an example (no timer semantics, no actions). */
export function GenerationErrorView({
  problem,
  secondsLeft = 0,
  needed,
  available,
  onRetry,
  preview = false,
}: {
  problem: GenerationProblem;
  secondsLeft?: number;
  needed?: number | null;
  available?: number | null;
  onRetry?: () => void;
  preview?: boolean;
}) {
  const retry = !preview && onRetry && (
    <Button variant="secondary" className="btn-small" onClick={onRetry}>
      Try again
    </Button>
  );
  switch (problem.kind) {
    case "insufficient-credits":
      return (
        <Card tone="warning" icon="coin" title="Not enough credits">
          {needed != null && available != null ? (
            <p>
              This needs <strong>{formatCredits(needed)}</strong> {creditsWord(needed)} and you have{" "}
              <strong>{formatCredits(available)}</strong> available.
              {needed > available && <> You're {formatCredits(needed - available)} short.</>}
            </p>
          ) : (
            <p>{problem.message}</p>
          )}
          <p className="muted small">Your monthly grant tops you up at the start of each month.</p>
          {!preview && (
            <p className="generation-error-actions">
              <Link to="/credits">See your credits</Link>
            </p>
          )}
        </Card>
      );
    case "rate-limited":
      return (
        <Card tone="info" icon="clock" title={secondsLeft > 0 || preview ? "Slow down a little" : "Ready again"}>
          {secondsLeft > 0 || preview ? (
            <p>
              You've started a lot of generations in a short time. You can try again in{" "}
              <strong className="countdown" role={preview ? undefined : "timer"} aria-atomic="true">
                {formatClock(preview ? problem.retryAfterSeconds : secondsLeft)}
              </strong>
              .
            </p>
          ) : (
            <>
              <p>You can generate again now.</p>
              {retry && <p className="generation-error-actions">{retry}</p>}
            </>
          )}
        </Card>
      );
    case "upstream-failed":
    case "upstream-timeout":
      return (
        <Card
          tone="error"
          icon="alert"
          title={problem.kind === "upstream-failed" ? "The AI provider had a problem" : "The AI provider took too long to answer"}
        >
          <p>
            Nothing was charged.{" "}
            {problem.kind === "upstream-failed"
              ? "These hiccups usually pass: try again in a moment."
              : "Try again; a shorter request usually finishes faster."}
          </p>
          {retry && <p className="generation-error-actions">{retry}</p>}
        </Card>
      );
    default:
      return (
        <Card tone="error" icon="alert" title="That didn't work">
          <p>{problem.message}</p>
          {retry && <p className="generation-error-actions">{retry}</p>}
        </Card>
      );
  }
}

const ICONS = {
  coin: "M12 3.5c4.4 0 8 1.6 8 3.5s-3.6 3.5-8 3.5-8-1.6-8-3.5 3.6-3.5 8-3.5ZM4 7v10c0 1.9 3.6 3.5 8 3.5s8-1.6 8-3.5V7",
  clock: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18ZM12 7v5l3 2",
  alert: "M12 3 2 20h20L12 3ZM12 10v4M12 17h.01",
};

function Card({
  tone,
  icon,
  title,
  children,
}: {
  tone: "warning" | "info" | "error";
  icon: keyof typeof ICONS;
  title: string;
  children: ReactNode;
}) {
  return (
    <div className={`generation-error generation-error-${tone}`}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" strokeWidth="1.8">
        <path d={ICONS[icon]} strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <div className="generation-error-body">
        <p className="generation-error-title">{title}</p>
        {children}
      </div>
    </div>
  );
}

/**
 * A Generate button: shows what it costs (as its description) and stays disabled while a rate
 * limit's countdown runs (aria-disabled, so keyboard focus stays on it).
 */
export function GenerateButton({
  operation,
  quantity = 1,
  state,
  pending,
  pendingLabel = "Generating…",
  children,
  onClick,
  ...rest
}: Omit<ComponentProps<typeof Button>, "variant"> & {
  operation: string;
  quantity?: number;
  state: GenerationErrorState;
}) {
  const costId = useId();
  const blocked = state.blocked;
  return (
    <span className="generate-button">
      <Button
        {...rest}
        pending={pending}
        pendingLabel={pendingLabel}
        aria-disabled={blocked || undefined}
        aria-describedby={costId}
        onClick={(event) => {
          if (blocked) {
            event.preventDefault();
            return;
          }
          onClick?.(event);
        }}
      >
        {children}
        {blocked && (
          <span className="generate-wait" aria-hidden="true">
            {formatClock(state.secondsLeft)}
          </span>
        )}
      </Button>
      <CostLabel operation={operation} quantity={quantity} id={costId} className="muted small" />
    </span>
  );
}
