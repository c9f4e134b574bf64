/** Turns an API error into what a form shows: messages per field, or one message for the form. */
import type { AppRouter } from "@inkwell/api/router";
import { isTRPCClientError } from "@trpc/client";

export interface ApiProblem {
  /** tRPC code, e.g. BAD_REQUEST, UNAUTHORIZED, CONFLICT, TOO_MANY_REQUESTS; null for network failures. */
  code: string | null;
  /** For the whole form; empty when every problem belongs to a field. */
  message: string;
  fieldErrors: Record<string, string>;
  retryAfterSeconds: number | null;
}

export function formatRetry(seconds: number | null | undefined): string {
  if (!seconds || seconds <= 0) return "in a moment";
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  return `in about ${hours} hour${hours === 1 ? "" : "s"}`;
}

/** Problems whose path names one of `fields` go under that field; the rest become the form message. */
export function describeError(error: unknown, fields: readonly string[] = []): ApiProblem {
  if (!isTRPCClientError<AppRouter>(error)) {
    return { code: null, message: "Something went wrong. Please try again.", fieldErrors: {}, retryAfterSeconds: null };
  }
  const data = error.data;
  if (!data) {
    const offline = error.cause instanceof TypeError || /fetch|network/i.test(error.message);
    return {
      code: null,
      message: offline ? "We couldn't reach Inkwell. Check your connection and try again." : error.message,
      fieldErrors: {},
      retryAfterSeconds: null,
    };
  }
  if (data.code === "TOO_MANY_REQUESTS") {
    return {
      code: data.code,
      message: `Too many attempts. Please try again ${formatRetry(data.retryAfterSeconds)}.`,
      fieldErrors: {},
      retryAfterSeconds: data.retryAfterSeconds ?? null,
    };
  }
  const fieldErrors: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of data.issues ?? []) {
    if (fields.includes(issue.path) && !fieldErrors[issue.path]) fieldErrors[issue.path] = issue.message;
    else if (!fields.includes(issue.path)) rest.push(issue.message);
  }
  // With issues, the top-level message of a validation error is a JSON dump: show the issues instead.
  const message = data.issues?.length ? rest.join(" ") : error.message;
  return { code: data.code, message, fieldErrors, retryAfterSeconds: null };
}
