/**
 * `POST /uploads?purpose=<purpose>[&filename=]` — the streamed upload (no base64, no JSON, no tRPC body
 * limit): the raw body goes to a spool file under the purpose's cap (refused on Content-Length before a
 * byte is read, and while streaming), is sniffed against the purpose's whitelist, the media work runs in
 * the untrusted-parse pool, and the bytes land in storage under a key the server picks. Answers
 * `{ fileId, contentType, bytes }` (photos also `width`, `height`, `thumbnailUrl`); a procedure then
 * attaches the file to a row.
 *
 * Who may upload: a signed-in user (bearer or session cookie, resolved as tRPC does; a cookie needs a
 * same-origin request), or the storyteller through an answer link (`campaignId` and `promptId` in the
 * query, the token in `X-Answer-Token`), whose files belong to the campaign's primary owner and are
 * marked as that question's. Per caller: two uploads at once and 60 per ten minutes (UploadLimiter);
 * the pool bounds the parsing across everyone. Refusals are JSON `{ error: { code, message } }` with
 * 400, 401, 408, 413, 415, 422 or 429.
 */
import { asSession, asSystem, asUser } from "@inkwell/db";
import {
  files,
  type PreparedFile,
  receiveUpload,
  UploadLimiter,
  type UploadPurpose,
  uploadPurposeSchema,
} from "@inkwell/domain/files";
import { DomainError } from "@inkwell/domain/platform";
import { storiesMedia } from "@inkwell/domain/stories";
import type { Hono, Context as HonoContext } from "hono";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { type ApiDeps, SESSION_COOKIE, tokenHashFrom } from "./trpc/context.ts";

const CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  408: "REQUEST_TIMEOUT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
};

function refuse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { code: CODES[status] ?? "BAD_REQUEST", message } }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

const linkQuery = z.object({ campaignId: z.uuid(), promptId: z.uuid(), token: z.string().min(20).max(200) });

/** Purposes the storyteller may upload through an answer link. */
const LINK_PURPOSES: readonly UploadPurpose[] = ["story_photo", "story_audio"];

/** Signed thumbnails in the answer are for the page that just uploaded: an hour is plenty. */
const THUMB_URL_TTL_SECONDS = 3600;

type Uploader = { kind: "user"; userId: string } | { kind: "link"; ownerId: string; keySegment: string; promptId: string };

function bearer(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m?.[1] ?? null;
}

export function registerUploadRoutes(app: Hono<any>, deps: ApiDeps, options: { allowedOrigins: ReadonlySet<string> }): void {
  const limiter = new UploadLimiter();

  async function uploader(c: HonoContext, purpose: UploadPurpose): Promise<Uploader | Response> {
    const answerToken = c.req.header("x-answer-token");
    if (answerToken) {
      const link = linkQuery.safeParse({
        campaignId: c.req.query("campaignId"),
        promptId: c.req.query("promptId"),
        token: answerToken,
      });
      if (!link.success) return refuse(400, "The answer link is incomplete.");
      if (!LINK_PURPOSES.includes(purpose)) return refuse(400, "An answer link uploads only photos and recordings.");
      try {
        const found = await storiesMedia.answerUploader(deps.db, link.data);
        return { kind: "link", ownerId: found.ownerId, keySegment: found.keySegment, promptId: link.data.promptId };
      } catch (error) {
        if (error instanceof DomainError && error.code === "TOKEN_INVALID") return refuse(401, error.message);
        throw error;
      }
    }
    const token = bearer(c.req.header("authorization"));
    const cookieToken = token ? undefined : getCookie(c, SESSION_COOKIE);
    if (!token && cookieToken) {
      // As tRPC's mutations: a cookie rides along on cross-site requests, so it counts only from our pages.
      const origin = c.req.header("origin");
      const sameOrigin = origin ? options.allowedOrigins.has(origin) : c.req.header("sec-fetch-site") === "same-origin";
      if (!sameOrigin) return refuse(401, "Uploads with a session cookie must come from this site's pages.");
    }
    const tokenHash = tokenHashFrom(token ?? cookieToken);
    if (!tokenHash) return refuse(401, "Please sign in.");
    const auth = await asSession(deps.db, tokenHash, deps.identity.sessionIdleSeconds, async (_tx, auth) => auth);
    if (!auth) return refuse(401, "Your session has ended. Please sign in again.");
    return { kind: "user", userId: auth.userId };
  }

  app.post("/uploads", async (c) => {
    const purpose = uploadPurposeSchema.safeParse(c.req.query("purpose"));
    if (!purpose.success) return refuse(400, `Unknown upload purpose; one of: ${uploadPurposeSchema.options.join(", ")}.`);
    const who = await uploader(c, purpose.data);
    if (who instanceof Response) return who;

    const slot = limiter.acquire(who.kind === "user" ? `user:${who.userId}` : `link:${who.promptId}`);
    if (typeof slot !== "function")
      return refuse(429, `Too many uploads at once; try again in ${slot.retryAfterSeconds} s.`, {
        "retry-after": String(slot.retryAfterSeconds),
      });
    try {
      const lengthHeader = c.req.header("content-length");
      const outcome = await receiveUpload(deps, {
        purpose: purpose.data,
        ownerId: who.kind === "user" ? who.userId : who.ownerId,
        ...(who.kind === "link" ? { keySegment: who.keySegment } : {}),
        filename:
          (c.req.query("filename") ?? "").slice(0, 255) ||
          ({ story_photo: "photo", story_audio: "recording", studio_asset: "asset" } as const)[purpose.data],
        body: c.req.raw.body,
        declaredLength: lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null,
      });
      if (!outcome.ok)
        return refuse(
          outcome.status,
          outcome.message,
          outcome.retryAfterSeconds ? { "retry-after": String(outcome.retryAfterSeconds) } : {},
        );
      // The body was read to its end: the app's body middleware has nothing left to drain.
      const written: PreparedFile[] = [outcome.file, ...(outcome.thumbnail ? [outcome.thumbnail] : [])];
      const ownerId = who.kind === "user" ? who.userId : who.ownerId;
      const recordAll = async (tx: Parameters<typeof files.record>[0]) => {
        for (const file of written) await files.record(tx, ownerId, file);
      };
      try {
        if (who.kind === "user") await asUser(deps.db, who.userId, recordAll);
        else await asSystem(deps.db, recordAll);
      } catch (error) {
        for (const file of written) await files.discard(deps, file);
        throw error;
      }
      return c.json(
        {
          fileId: outcome.file.id,
          contentType: outcome.file.contentType,
          bytes: outcome.file.byteSize,
          ...(outcome.width ? { width: outcome.width, height: outcome.height } : {}),
          ...(outcome.thumbnail ? { thumbnailUrl: files.signedUrl(deps, outcome.thumbnail, THUMB_URL_TTL_SECONDS) } : {}),
          ...(outcome.durationMs !== undefined ? { durationMs: outcome.durationMs } : {}),
        },
        201,
      );
    } finally {
      slot();
    }
  });
}
