/**
 * Sends a file to `POST /uploads?purpose=studio_asset` as its raw bytes, reporting progress (fetch has no
 * upload progress, XMLHttpRequest does). The cap is the server's (files.schemas UPLOAD_PURPOSES),
 * checked here first only to answer at once; the type is sniffed by the server, whatever the name says.
 */
import { formatBytes, UPLOAD_PURPOSES } from "@inkwell/domain/files/schemas";

export interface UploadedAsset {
  fileId: string;
  contentType: string;
  bytes: number;
}

export const MAX_ASSET_BYTES = UPLOAD_PURPOSES.studio_asset.maxBytes;
/** What the file picker offers (the server decides; SVG is never accepted). */
export const ASSET_ACCEPT =
  "image/png,image/jpeg,image/webp,image/gif,audio/*,video/mp4,video/quicktime,video/webm,application/pdf,text/plain";

export function uploadAsset(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadedAsset> {
  if (file.size > MAX_ASSET_BYTES)
    return Promise.reject(new Error(`That file is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_ASSET_BYTES)}.`));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/uploads?${new URLSearchParams({ purpose: "studio_asset", filename: file.name })}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as (UploadedAsset & { error?: { message: string } }) | null;
      if (xhr.status >= 200 && xhr.status < 300 && body?.fileId) {
        onProgress(1);
        resolve(body);
      } else reject(new Error(body?.error?.message ?? "The upload failed. Please try again."));
    };
    xhr.onerror = () => reject(new Error("We couldn't reach Inkwell. Check your connection and try again."));
    xhr.onabort = () => reject(new Error("The upload was cancelled."));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return "";
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}
