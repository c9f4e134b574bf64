import { z } from "zod";
import { defineJob } from "../platform/queue.ts";

/**
 * Renders a book's interior and cover PDFs and its page previews (books.render-process.ts: a child
 * process under memory and time caps). Enqueued in the transaction that asks for the render, with the
 * design version it asked for: a render of a design that has changed since is dropped. A failure is
 * recorded on the book for its owner to see and try again, so the job itself is not retried.
 */
export const renderBookJob = defineJob({
  name: "books.render-book",
  schema: z.object({ userId: z.uuid(), bookId: z.uuid(), version: z.number().int().min(1) }),
  queue: { retryLimit: 0, expireInSeconds: 300 },
  // One render at a time per worker: each is a child process of up to 1 GB.
  work: { batchSize: 1 },
  needs: ["storage", "keyRing"],
});

export const booksJobs = [renderBookJob];
