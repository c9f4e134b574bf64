/**
 * The test run's one mailbox. The identity mail jobs sit in queues every test file shares, so while
 * files run in parallel a job enqueued by one file could be worked by another file's pg-boss and land
 * in that file's SMTP server: the waiting file timed out, and a check that nothing was mailed passed
 * whether or not something was. Now the global setup works those queues once, into one local SMTP
 * server that keeps each message as a file in one folder, and every test file reads that folder:
 * wherever a mail was sent from, it is found by its (unique) recipient, and an absence means absent.
 */
import { readdirSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import type { ReceivedMail } from "@inkwell/domain/platform";

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared local SMTP server (global-setup.ts). */
    mailUrl: string;
    /** The folder it keeps every message in, one JSON file each. */
    mailDir: string;
  }
}

export interface Mailbox {
  /** Where mail is sent (smtp://…). */
  url: string;
  /** Every message received so far, in the order the server received them. */
  readonly messages: ReceivedMail[];
  /** Resolves with the first (or `nth`) message, already received or arriving, that matches. */
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number, nth?: number): Promise<ReceivedMail>;
}

export function openMailbox(url: string, folder: string): Mailbox {
  // Parsed once each; a file caught half-written fails to parse and is read again on its next event.
  const parsed = new Map<string, ReceivedMail>();
  // The server names files `<ms>-<counter>.json`, one counter for the run: that is receipt order.
  const order = (m: ReceivedMail) => m.id.split("-").map(Number) as [number, number];
  const read = () => {
    for (const name of readdirSync(folder)) {
      if (!name.endsWith(".json") || parsed.has(name)) continue;
      try {
        parsed.set(name, JSON.parse(readFileSync(join(folder, name), "utf8")) as ReceivedMail);
      } catch {}
    }
    return [...parsed.values()].sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] - y[0] || x[1] - y[1];
    });
  };
  return {
    url,
    get messages() {
      return read();
    },
    waitFor(predicate, timeoutMs = 10_000, nth = 1) {
      return new Promise((resolve, reject) => {
        const stop = new AbortController();
        const timer = setTimeout(() => {
          stop.abort();
          reject(new Error("no matching e-mail arrived in time"));
        }, timeoutMs);
        const check = () => {
          const found = read().filter(predicate)[nth - 1];
          if (!found || stop.signal.aborted) return;
          stop.abort();
          clearTimeout(timer);
          resolve(found);
        };
        // Watched before the first read, so a message written in between is not missed.
        watch(folder, { signal: stop.signal }, check).on("error", () => undefined);
        check();
      });
    },
  };
}
