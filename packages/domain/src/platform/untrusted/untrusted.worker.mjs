/**
 * The entry of an untrusted-parse child process (see untrusted.ts). It runs one parser module of this
 * folder per task; nothing else is reachable from here (the main process picks the file, never a user).
 */
import workerpool from "workerpool";

const here = new URL("./", import.meta.url).href;

workerpool.worker({
  /** @param {string} file a file URL of a parser module in this folder @param {unknown} input */
  async parse(file, input) {
    if (!file.startsWith(here) || file.slice(here.length).includes("/")) throw new Error(`not a parser: ${file}`);
    const parser = await import(file);
    return parser.default(input);
  },
});
