/** Inputs and outputs of "your data" (browser-safe: zod only). */
import { z } from "zod";

export const deleteAccountInput = z.object({
  /** The account's password, asked again: a session alone (a borrowed laptop) must not end an account. */
  password: z.string().min(1, "Enter your password.").max(1024),
});
export type DeleteAccountInput = z.infer<typeof deleteAccountInput>;

export const EXPORT_STATUSES = ["pending", "building", "ready", "failed", "expired"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export interface DataExport {
  id: string;
  status: ExportStatus;
  requestedAt: Date;
  finishedAt: Date | null;
  expiresAt: Date | null;
  byteSize: number | null;
  tableCount: number | null;
  rowCount: number | null;
  fileCount: number | null;
  error: string | null;
  /** A signed link to the zip, valid for a short while (fetch the list again for a fresh one). */
  downloadUrl: string | null;
}

/** A deletion asked for and not yet carried out (the account still exists for a few seconds). */
export interface DeletionStatus {
  requestedAt: Date;
}

/** How long a finished export can be downloaded before its zip is deleted. */
export const EXPORT_TTL_DAYS = 7;
/** How long one signed download link works. */
export const DOWNLOAD_LINK_TTL_SECONDS = 15 * 60;
/** The least time between two export requests. */
export const EXPORT_COOLDOWN_SECONDS = 10 * 60;
/** What a story outliving its author's account shows as its author. */
export const FORMER_MEMBER = "Former member";
