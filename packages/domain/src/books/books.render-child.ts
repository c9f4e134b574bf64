/**
 * The entry of a book-render child process (see books.render-process.ts): one render per process, the
 * input over IPC, the outcome back, then exit. A watchdog thread kills the process past its memory cap
 * (V8's heap cap leaves out the buffers decoded photos and fonts live in).
 */
import { Worker } from "node:worker_threads";
import { type RenderInput, RenderRefusal, renderBook } from "./books.render.ts";

const maxRssBytes = Number(process.env.INKWELL_BOOK_MAX_RSS_MB) * 1024 * 1024;
if (maxRssBytes > 0) {
  const watchdog = new Worker(
    `const { workerData: max } = require("node:worker_threads");
     setInterval(() => { if (process.memoryUsage.rss() > max) process.kill(process.pid, "SIGKILL"); }, 10);`,
    { eval: true, workerData: maxRssBytes },
  );
  watchdog.unref();
}

process.once("message", (input: RenderInput) => {
  renderBook(input).then(
    (output) => process.send?.({ ok: true, output }, () => process.exit(0)),
    (error: unknown) => {
      const refused = error instanceof RenderRefusal;
      process.send?.({ ok: false, refused, message: error instanceof Error ? error.message : String(error) }, () =>
        process.exit(refused ? 0 : 1),
      );
    },
  );
});
