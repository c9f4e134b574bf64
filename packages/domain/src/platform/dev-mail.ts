/**
 * The dev mail folder: what the local SMTP server (`@inkwell/domain/platform/testing`) keeps when
 * `pnpm dev` runs it, one JSON file per message, read back by the API's /dev/mail page. Here, not in
 * the testing entry, because the API reads it; the server itself is a dev/test tool.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ReceivedMail {
  id: string;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string | null;
  receivedAt: string;
}

/** The messages the dev SMTP server kept, newest first (for the /dev/mail page). */
export function readMailFolder(folder: string): ReceivedMail[] {
  try {
    return readdirSync(folder)
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(folder, f), "utf8")) as ReceivedMail)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  } catch {
    return [];
  }
}
