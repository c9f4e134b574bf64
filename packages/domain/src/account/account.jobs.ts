import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Builds one "your data" export: reads every user-owned table as the user (RLS), zips JSON per table
 * and the user's stored files, stores the zip through the files module and notifies (in-app and by
 * e-mail, with `appUrl` from the API, which the worker does not know). Safe to run twice: it claims the
 * request, and a retry rebuilds from scratch.
 */
export const buildExportJob = defineJob({
  name: "account.build-export",
  schema: z.object({ userId: z.uuid(), exportId: z.uuid(), appUrl: z.url() }),
  queue: { retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 900 },
  needs: ["storage", "enqueue"],
});

/**
 * Ends an account: deletes the user's stored objects, then (one system transaction) passes on
 * campaigns that have another owner, signs stories in other families' campaigns as a former member and
 * deletes the `users` row, which takes every other row with it. Idempotent (a deleted user is a no-op;
 * deleting a missing object is not an error).
 */
export const deleteAccountJob = defineJob({
  name: "account.delete-account",
  schema: z.object({ userId: z.uuid() }),
  queue: { retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 900 },
  needs: ["storage", "enqueue"],
});

/** Deletes the zips of exports past their expiry (hourly). */
export const expireExportsJob = defineJob({
  name: "account.expire-exports",
  schema: z.object({}).passthrough(),
  schedule: "23 * * * *",
  queue: { retryLimit: 2, expireInSeconds: 600 },
  needs: ["storage"],
});

export const accountJobs = [buildExportJob, deleteAccountJob, expireExportsJob];
