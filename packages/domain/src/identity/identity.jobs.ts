import { asSystem } from "@inkwell/db";
import { z } from "zod";
import { defineJob } from "../platform/queue.ts";
import * as repo from "./identity.repository.ts";

/** Mail leaves through the worker: the request only enqueues it, in the transaction that made the token. */
export const sendEmailJob = defineJob({
  name: "identity.send-email",
  schema: z.object({
    to: z.email(),
    subject: z.string().min(1).max(200),
    text: z.string().min(1).max(20_000),
    html: z.string().max(50_000).optional(),
  }),
  // A retried job may send twice if the SMTP server accepted but the ack was lost; for a sign-in link
  // that is harmless, losing it is not.
  queue: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 120 },
  async handler(data, { mailer }) {
    await mailer.send(data);
  },
});

/** Expired sessions, spent tokens and stale throttle windows are deleted every fifteen minutes. */
export const purgeExpiredJob = defineJob({
  name: "identity.purge-expired",
  schema: z.object({}).passthrough(),
  schedule: "*/15 * * * *",
  queue: { retryLimit: 2, expireInSeconds: 300 },
  async handler(_data, { db, log }) {
    const purged = await asSystem(db, (tx) => repo.purgeExpired(tx));
    log.info({ purged }, "purged expired identity rows");
  },
});

export const identityJobs = [sendEmailJob, purgeExpiredJob];
