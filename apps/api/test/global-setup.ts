import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb } from "@inkwell/db";
import { provisionTestDatabase } from "@inkwell/db/testing";
import { createAiProvider } from "@inkwell/domain/ai";
import { identityJobs } from "@inkwell/domain/identity";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import { createBoss, createSmtpMailer, prepareQueues, registerJobs } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import type { TestProject } from "vitest/node";
import { apiQueues } from "../src/deps.ts";
import "./mailbox.ts";

const log = {
  info() {},
  warn() {},
  error(obj: object, msg?: string) {
    console.error(msg, obj);
  },
};

/**
 * One migrated database (embedded, or fresh on DATABASE_URL's server) with pg-boss and its queues, and
 * the run's one mailbox: a local SMTP server keeping messages in a folder, fed by the identity mail jobs
 * worked here, once for every test file (mailbox.ts says why).
 */
export default async function setup(project: TestProject) {
  const database = await provisionTestDatabase();
  const mailDir = mkdtempSync(join(tmpdir(), "inkwell-api-mail-"));
  const smtp = await startLocalSmtpServer({ folder: mailDir });
  const mailer = createSmtpMailer({ url: smtp.url, from: "Inkwell <no-reply@inkwell.test>" });
  const { db } = createDb({ url: database.url, max: 3 });
  const boss = createBoss(database.url, { supervise: false, schedule: false, max: 2 });
  // A poll that fails (the embedded database busy past the connect timeout) is retried on the next
  // one; unheard, pg-boss's error event would end the whole run from this process.
  boss.on("error", (error) => log.error({ error: error.message }, "mail queue poll failed"));
  await boss.start();
  await prepareQueues(boss, db, apiQueues);
  const ai = createAiProvider({ provider: "offline" });
  await registerJobs(boss, handlersFor(identityJobs), { db, mailer, log, ai }, { pollingIntervalSeconds: 0.5 });
  project.provide("databaseUrl", database.url);
  project.provide("mailUrl", smtp.url);
  project.provide("mailDir", mailDir);
  return async () => {
    await boss.stop({ graceful: false });
    mailer.close();
    await smtp.stop();
    await db.destroy();
    rmSync(mailDir, { recursive: true, force: true });
    await database.teardown();
  };
}
