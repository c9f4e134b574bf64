/**
 * Why a generation could not run, in the terms its error state needs — for every "Generate" button:
 *
 *   const generation = useGenerationError();
 *   const generate = useMutation(trpc.writer.generate.mutationOptions({
 *     onMutate: () => generation.clear(),
 *     onError: (error) => generation.report(error),
 *     onSettled: () => refreshCredits(queryClient),
 *   }));
 *   <GenerateButton operation="writer.generate" state={generation} pending={generate.isPending} onClick={…} />
 *   <GenerationError state={generation} operation="writer.generate" onRetry={…} />
 */
import type { AppRouter } from "@inkwell/api/router";
import { useQueryClient } from "@tanstack/react-query";
import { isTRPCClientError } from "@trpc/client";
import { useCallback, useEffect, useMemo, useState } from "react";
import { trpc } from "./api.ts";
import { describeError } from "./errors.ts";

export type GenerationProblem =
  | {
      kind: "insufficient-credits";
      message: string;
      /** From the server's message when it says; otherwise the error state uses the operation's price. */
      needed: number | null;
      available: number | null;
    }
  | { kind: "rate-limited"; message: string; retryAfterSeconds: number }
  | { kind: "upstream-failed"; message: string }
  | { kind: "upstream-timeout"; message: string }
  | { kind: "other"; message: string; code: string | null };

const toInt = (s: string | undefined) => (s === undefined ? null : Number.parseInt(s.replace(/[^\d-]/g, ""), 10));

/**
 * The API's insufficient-credits message reads "This needs 20 credits and you have 5 available. …";
 * the numbers are not (yet) in the error's data, so read them from there when present.
 */
export function parseCreditNumbers(message: string): { needed: number | null; available: number | null } {
  const m = /needs\s+([\d,.\s]+?)\s+credits?\b.*?\bhave\s+(-?[\d,.\s]+?)\s+available/i.exec(message);
  return { needed: toInt(m?.[1]), available: toInt(m?.[2]) };
}

export function describeGenerationError(error: unknown): GenerationProblem {
  if (isTRPCClientError<AppRouter>(error) && error.data) {
    const { code, domainCode, retryAfterSeconds } = error.data;
    if (code === "PAYMENT_REQUIRED" || domainCode === "INSUFFICIENT_CREDITS") {
      return { kind: "insufficient-credits", message: error.message, ...parseCreditNumbers(error.message) };
    }
    if (code === "TOO_MANY_REQUESTS") {
      return { kind: "rate-limited", message: error.message, retryAfterSeconds: Math.max(0, Math.ceil(retryAfterSeconds ?? 0)) };
    }
    if (code === "BAD_GATEWAY" || domainCode === "UPSTREAM_FAILED") return { kind: "upstream-failed", message: error.message };
    if (code === "GATEWAY_TIMEOUT" || domainCode === "UPSTREAM_TIMEOUT")
      return { kind: "upstream-timeout", message: error.message };
  }
  const problem = describeError(error);
  return { kind: "other", message: problem.message, code: problem.code };
}

/** Whole seconds until `deadline` (epoch ms), ticking down to 0; 0 when there is none. */
export function useCountdown(deadline: number | null): number {
  const remaining = useCallback(() => (deadline ? Math.max(0, Math.ceil((deadline - Date.now()) / 1000)) : 0), [deadline]);
  const [seconds, setSeconds] = useState(remaining);
  useEffect(() => {
    setSeconds(remaining());
    if (!deadline) return;
    // Measured against the clock, not counted: a throttled background tab still ends on time.
    const timer = setInterval(() => {
      const left = remaining();
      setSeconds(left);
      if (left <= 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [deadline, remaining]);
  return seconds;
}

/** The error state of one Generate button: what went wrong, and for rate limits the live wait. */
export function useGenerationError() {
  const queryClient = useQueryClient();
  const [state, setState] = useState<{ problem: GenerationProblem; deadline: number | null; at: number } | null>(null);
  const secondsLeft = useCountdown(state?.deadline ?? null);

  const report = useCallback(
    (error: unknown) => {
      const problem = describeGenerationError(error);
      const deadline =
        problem.kind === "rate-limited" && problem.retryAfterSeconds > 0 ? Date.now() + problem.retryAfterSeconds * 1000 : null;
      setState({ problem, deadline, at: Date.now() });
      // The balance on screen was evidently out of date.
      if (problem.kind === "insufficient-credits") void queryClient.invalidateQueries(trpc.credits.balance.queryFilter());
      return problem;
    },
    [queryClient],
  );
  const clear = useCallback(() => setState(null), []);

  return useMemo(
    () => ({
      problem: state?.problem ?? null,
      /** When the current problem was reported (a new report of the same problem is announced again). */
      reportedAt: state?.at ?? 0,
      /** Seconds until a rate-limited generation may be tried again (0 when it may). */
      secondsLeft,
      /** While a rate limit's wait runs, the Generate button stays disabled. */
      blocked: state?.problem.kind === "rate-limited" && secondsLeft > 0,
      report,
      clear,
    }),
    [state, secondsLeft, report, clear],
  );
}

export type GenerationErrorState = ReturnType<typeof useGenerationError>;
