/**
 * The entry of an untrusted-parse child process (see untrusted.ts). It runs one parser module of this
 * folder per task; nothing else is reachable from here (the main process picks the file, never a user).
 */
import { readFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import workerpool from "workerpool";

/**
 * The process's memory cap, all memory counted: V8's heap cap (--max-old-space-size) leaves out the
 * buffers a parser inflates or decodes into, and a parser's own limits can be talked around by the file
 * (a filter it does not know, a stream marked as an image). A watchdog thread reads the process's RSS
 * while the parse runs (the parse itself may not yield for seconds) and kills the process past the cap;
 * the pool reports it as a file that needs too much memory (see untrusted.ts).
 */
const maxRssBytes = Number(process.env.INKWELL_UNTRUSTED_MAX_RSS_MB) * 1024 * 1024;
if (maxRssBytes > 0) {
  const watchdog = new Worker(
    `const { workerData: max } = require("node:worker_threads");
     setInterval(() => { if (process.memoryUsage.rss() > max) process.kill(process.pid, "SIGKILL"); }, 5);`,
    { eval: true, workerData: maxRssBytes },
  );
  watchdog.unref();
}

/** Byte fields arrive as the path of a temporary file (see parseUntrusted); the parser gets the bytes. */
const BYTES_FILE = "__untrustedBytesFile";

const here = new URL("./", import.meta.url).href;

workerpool.worker({
  /** @param {string} file a file URL of a parser module in this folder @param {Record<string, unknown>} input */
  async parse(file, input) {
    if (!file.startsWith(here) || file.slice(here.length).includes("/")) throw new Error(`not a parser: ${file}`);
    const parser = await import(file);
    const fields = await Promise.all(
      Object.entries(input).map(async ([key, value]) => [
        key,
        value && typeof value === "object" && BYTES_FILE in value ? new Uint8Array(await readFile(value[BYTES_FILE])) : value,
      ]),
    );
    return parser.default(Object.fromEntries(fields));
  },
});
