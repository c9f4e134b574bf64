/** How the books jobs run (the definitions, which the service enqueues, are in books.jobs.ts). */
import { handle } from "../jobs/worker-deps.ts";
import { renderBookJob } from "./books.jobs.ts";
import { renderBook } from "./books.service.ts";

export const booksHandlers = [
  handle(renderBookJob, async (data, { db, storage, keyRing, log }) => {
    const outcome = await renderBook({ db, storage, keyRing }, data);
    log.info({ bookId: data.bookId, outcome }, "book rendered");
  }),
];
