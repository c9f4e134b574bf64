/**
 * Sends a file to `POST /uploads` as its raw bytes (no base64): the caps and the accepted types are the
 * server's (files.schemas UPLOAD_PURPOSES), checked here first only to answer at once.
 */
import { formatBytes, UPLOAD_PURPOSES, type UploadPurpose } from "@inkwell/domain/files/schemas";

export interface Uploaded {
  fileId: string;
  contentType: string;
  bytes: number;
  width?: number;
  height?: number;
  thumbnailUrl?: string;
  durationMs?: number | null;
}

/** The storyteller's answer link (no account): the token travels in a header, never in the URL. */
export interface AnswerLink {
  campaignId: string;
  promptId: string;
  token: string;
}

export async function uploadFile(purpose: UploadPurpose, file: Blob, filename: string, link?: AnswerLink): Promise<Uploaded> {
  const { maxBytes } = UPLOAD_PURPOSES[purpose];
  if (file.size > maxBytes) throw new Error(`That file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`);
  const query = new URLSearchParams({ purpose, filename });
  if (link) {
    query.set("campaignId", link.campaignId);
    query.set("promptId", link.promptId);
  }
  let res: Response;
  try {
    res = await fetch(`/uploads?${query}`, {
      method: "POST",
      body: file,
      credentials: "same-origin",
      headers: { "content-type": "application/octet-stream", ...(link ? { "x-answer-token": link.token } : {}) },
    });
  } catch {
    throw new Error("We couldn't reach Inkwell. Check your connection and try again.");
  }
  const body = (await res.json().catch(() => null)) as (Uploaded & { error?: { message: string } }) | null;
  if (!res.ok || !body) throw new Error(body?.error?.message ?? "The upload failed. Please try again.");
  return body;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return "";
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}
