/**
 * The entry of an untrusted-parse child process (see untrusted.ts). It runs one parser module of this
 * folder per task; nothing else is reachable from here (the main process picks the file, never a user).
 */
import { readFile } from "node:fs/promises";
import workerpool from "workerpool";

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
