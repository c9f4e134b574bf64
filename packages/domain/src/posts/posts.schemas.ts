/** The publishing queue: inputs and the shape the browser sees (browser-safe: zod only). */
import { z } from "zod";
import { base64Schema, fileNameSchema } from "../files/files.schemas.ts";
import type { PlatformKind } from "../platforms/platforms.schemas.ts";

export const POST_STATUSES = ["draft", "pending", "publishing", "published", "failed", "cancelled", "unknown"] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

/** A scheduled (or draft, or published) post on one connection. */
export interface Post {
  id: string;
  /** Posts composed together (one per connection) share it. */
  groupId: string;
  /** Null once the connection was removed. */
  connectionId: string | null;
  platform: PlatformKind;
  status: PostStatus;
  /** One entry per post of a thread; a single post has one. */
  parts: string[];
  /** WordPress: the post title. */
  title: string | null;
  mediaFileIds: string[];
  /** ISO instant. */
  scheduledAt: string | null;
  /** IANA zone the time was picked in. */
  timeZone: string | null;
  /** The wall-clock time picked, 'YYYY-MM-DDTHH:mm'. */
  scheduledLocal: string | null;
  publishedAt: string | null;
  platformPostId: string | null;
  platformUrl: string | null;
  /** Why it failed, or what is being retried, in words for a person. */
  error: string | null;
  attemptCount: number;
  writerOutputId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PostAttempt {
  id: string;
  kind: "publish" | "reconcile";
  startedAt: string;
  durationMs: number;
  request: string;
  statusCode: number | null;
  response: string | null;
  outcome: "published" | "partial" | "retry" | "failed" | "unknown" | "found" | "not_found";
  errorKind: "transient" | "auth" | "permanent" | "unknown" | null;
  error: string | null;
}

const localTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "Pick a date and time (YYYY-MM-DDTHH:mm)");
const timeZone = z.string().min(1, "Pick a time zone").max(64);

export const postWhen = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("now") }),
  z.object({ kind: z.literal("draft") }),
  z.object({ kind: z.literal("at"), local: localTime, timeZone }),
]);
export type PostWhen = z.infer<typeof postWhen>;

const parts = z.array(z.string().max(200_000)).min(1, "Write something to post").max(25, "A thread can have at most 25 posts");

export const postChannel = z.object({
  connectionId: z.uuid(),
  parts,
  title: z.string().trim().max(500).optional(),
  mediaFileIds: z.array(z.uuid()).max(10).optional(),
});
export type PostChannel = z.infer<typeof postChannel>;

export const composePostInput = z.object({
  channels: z
    .array(postChannel)
    .min(1, "Pick at least one account to post to")
    .max(20)
    .refine((cs) => new Set(cs.map((c) => c.connectionId)).size === cs.length, "Each account can be picked once"),
  when: postWhen,
  writerOutputId: z.uuid().optional(),
  idempotencyKey: z.string().min(8).max(200),
});
export type ComposePostInput = z.infer<typeof composePostInput>;

export const listPostsInput = z.object({
  status: z.array(z.enum(POST_STATUSES)).max(7).optional(),
  /** Scheduled (or, unscheduled, created) at or after. */
  from: z.coerce.date().optional(),
  /** …and before. */
  to: z.coerce.date().optional(),
  /** 'asc' for the queue and calendar (soonest first), 'desc' for history (default). */
  order: z.enum(["asc", "desc"]).default("desc"),
  cursor: z.object({ at: z.coerce.date(), id: z.uuid() }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListPostsInput = z.input<typeof listPostsInput>;

export const postIdInput = z.object({ postId: z.uuid() });

export const updatePostInput = z.object({
  postId: z.uuid(),
  parts: parts.optional(),
  title: z.string().trim().max(500).nullable().optional(),
  mediaFileIds: z.array(z.uuid()).max(10).optional(),
  when: postWhen.optional(),
});
export type UpdatePostInput = z.infer<typeof updatePostInput>;

/** An image for a post, as base64 (≤ 5 MB decoded, the `post_media` limit; its type is sniffed from the bytes). */
export const uploadMediaInput = z.object({
  filename: fileNameSchema,
  dataBase64: base64Schema,
});
export type UploadMediaInput = z.infer<typeof uploadMediaInput>;

export interface UploadedMedia {
  fileId: string;
  contentType: string;
  byteSize: number;
  /** A signed, expiring path served by the API (`/files/:id?exp&sig`), for the composer's preview. */
  url: string;
}

export interface ComposeResult {
  groupId: string;
  posts: Post[];
}

export interface PostPage {
  items: Post[];
  nextCursor: { at: string; id: string } | null;
}

// The server's rule for a picked wall-clock time (a spring-forward gap is refused, a repeated hour takes
// the first): the composer checks with the same function, so it refuses what the server would refuse.
export { isValidTimeZone, type LocalTimeResult, localTimeOf, resolveLocalTime } from "./posts.time.ts";
