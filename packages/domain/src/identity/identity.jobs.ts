import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

// A retried job may send twice if the SMTP server accepted but the ack was lost; for a sign-in link
// that is harmless, losing it is not.
const mailQueue = { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 120 };

/** Mail leaves through the worker: the request only enqueues it, in the transaction that made the token. */
export const sendEmailJob = defineJob({
  name: "identity.send-email",
  schema: z.object({
    to: z.email(),
    subject: z.string().min(1).max(200),
    text: z.string().min(1).max(20_000),
    html: z.string().max(50_000).optional(),
  }),
  queue: mailQueue,
  needs: ["mailer"],
});

/** Links in the mails point at the web app; the API, which knows its address and the link lifetimes, passes them. */
const linkSettings = { appUrl: z.url(), ttlSeconds: z.number().int().positive() };

/**
 * What a sign-up mails, decided here rather than in the request: the request answers and works the same
 * whether or not the address already had an account (it enqueues this job either way), so its answer and
 * its timing tell nothing. A new account gets the confirmation link; the holder of an existing one is told
 * someone tried to sign up with their address.
 */
export const signUpMailJob = defineJob({
  name: "identity.send-sign-up-mail",
  schema: z.object({ email: z.email(), newAccount: z.boolean(), ...linkSettings }),
  queue: mailQueue,
  needs: ["mailer"],
});

/**
 * A password reset asked for an address: the request only enqueues this (for any address), and the
 * lookup, the token and the mail happen here, so the request takes the same work for every address.
 */
export const passwordResetMailJob = defineJob({
  name: "identity.send-password-reset",
  // requestedAt: a password changed after the request voids it, so the worker makes no link then
  // (optional for jobs queued before it existed).
  schema: z.object({ email: z.email(), requestedAt: z.iso.datetime().optional(), ...linkSettings }),
  queue: mailQueue,
  needs: ["mailer"],
});

/** Expired sessions, spent tokens and stale throttle windows are deleted every fifteen minutes. */
export const purgeExpiredJob = defineJob({
  name: "identity.purge-expired",
  schema: z.object({}).passthrough(),
  schedule: "*/15 * * * *",
  queue: { retryLimit: 2, expireInSeconds: 300 },
});

export const identityJobs = [sendEmailJob, signUpMailJob, passwordResetMailJob, purgeExpiredJob];
