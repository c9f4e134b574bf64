/** How the identity jobs run (the definitions, which services enqueue, are in identity.jobs.ts). */

import { asSystem } from "@inkwell/db";
import { handle } from "../jobs/worker-deps.ts";
import { passwordResetMailJob, purgeExpiredJob, sendEmailJob, signUpMailJob } from "./identity.jobs.ts";
import { linkMail, type Mail, signUpAttemptMail } from "./identity.mail.ts";
import * as repo from "./identity.repository.ts";

export const identityHandlers = [
  handle(sendEmailJob, async (data, { mailer }) => {
    await mailer.send(data);
  }),
  handle(signUpMailJob, async (data, { db, mailer }) => {
    const mail = await asSystem(db, async (tx): Promise<Mail | undefined> => {
      const user = await repo.findUserForMail(tx, data.email);
      if (!user) return undefined;
      if (data.newAccount && !user.email_verified_at) {
        return linkMail(tx, { userId: user.id, purpose: "verify_email", appUrl: data.appUrl, ttlSeconds: data.ttlSeconds });
      }
      return signUpAttemptMail(data.appUrl);
    });
    // The token is committed before the mail leaves; a retry makes a fresh one (voiding this one).
    if (mail) await mailer.send({ to: data.email, ...mail });
  }),
  handle(passwordResetMailJob, async (data, { db, mailer }) => {
    const mail = await asSystem(db, async (tx) => {
      const user = await repo.findUserForMail(tx, data.email);
      if (!user) return undefined;
      // A password change voids outstanding reset links; one asked for before the change (and mailed
      // only now, by a late or retried job) is void as well.
      if (data.requestedAt && user.password_changed_at > new Date(data.requestedAt)) return undefined;
      return linkMail(tx, { userId: user.id, purpose: "reset_password", appUrl: data.appUrl, ttlSeconds: data.ttlSeconds });
    });
    if (mail) await mailer.send({ to: data.email, ...mail });
  }),
  handle(purgeExpiredJob, async (_data, { db, log }) => {
    const purged = await asSystem(db, (tx) => repo.purgeExpired(tx));
    log.info({ purged }, "purged expired identity rows");
  }),
];
