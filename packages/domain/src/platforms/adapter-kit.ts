/** What the adapters share: validating before publishing, chaining thread parts, reconciling. */
import { PLATFORM_NAMES, PlatformError } from "./errors.ts";
import { markdownToText, publishedText } from "./markdown-text.ts";
import type { PlatformKind, PublishedPart, PublishRequest, PublishResult, RecentPost } from "./platform.types.ts";
import { validatePost } from "./validate.ts";

export function assertValid(platform: PlatformKind, post: PublishRequest): void {
  const issues = validatePost(platform, post);
  if (issues.length) {
    throw new PlatformError("permanent", platform, issues.map((i) => i.message).join(" "));
  }
}

/** The Idempotency-Key of one part of a post. */
export const partKey = (post: PublishRequest, index: number) => `${post.idempotencyKey}#${index}`;

/**
 * Publishes the parts not yet published, each as a reply to the one before. A failure part-way
 * carries the parts that did go out (error.published), so a retry continues instead of duplicating.
 */
export async function publishChain(
  platform: PlatformKind,
  post: PublishRequest,
  publishPart: (text: string, index: number, replyToId: string | undefined) => Promise<PublishedPart>,
  urlOf: (platformPostId: string) => string,
): Promise<PublishResult> {
  assertValid(platform, post);
  const parts: PublishedPart[] = (post.alreadyPublished ?? []).map((id) => ({ platformPostId: id, url: urlOf(id) }));
  for (let index = parts.length; index < post.parts.length; index++) {
    try {
      // The Markdown as the platform shows it: plain text (what the validator counted).
      const text = publishedText(platform, post.parts[index] as string);
      parts.push(await publishPart(text, index, parts.at(-1)?.platformPostId));
    } catch (error) {
      if (error instanceof PlatformError) error.published = [...parts];
      throw error;
    }
  }
  const root = parts[0];
  if (!root) throw new PlatformError("permanent", platform, `Nothing to publish to ${PLATFORM_NAMES[platform]}.`);
  return { ...root, parts };
}

const same = (a: string, b: string) => a.trim().normalize("NFC") === b.trim().normalize("NFC");

/** Allowance for clock skew between us and the platform. */
const SKEW_MS = 5 * 60_000;

/**
 * The leading parts of `post` found among recent posts: the root by text (not older than `since`),
 * then each next part by text as a reply to the previous one.
 */
export function matchPublished(
  post: PublishRequest,
  recent: RecentPost[],
  urlOf: (id: string) => string,
  since?: Date,
): PublishedPart[] {
  const fresh = recent.filter((r) => !since || r.createdAt.getTime() >= since.getTime() - SKEW_MS);
  const found: PublishedPart[] = [];
  for (const [index, text] of post.parts.entries()) {
    const previous = found.at(-1)?.platformPostId;
    // Sent as plain text; a post sent before Markdown was rendered went out as written.
    const plain = markdownToText(text);
    const match = fresh.find(
      (r) => (same(r.text, plain) || same(r.text, text)) && (index === 0 ? !r.replyToId : r.replyToId === previous),
    );
    if (!match) break;
    found.push({ platformPostId: match.platformPostId, url: match.url || urlOf(match.platformPostId) });
  }
  return found;
}

export interface RecentPage {
  posts: RecentPost[];
  /** The platform's cursor for the next (older) page, when there is one. */
  next?: string | undefined;
}

/** Pages read at most while reconciling (a burst of hundreds of posts on one account). */
const MAX_PAGES = 10;

/**
 * The account's posts back to `since` (less the clock-skew allowance), page after page: one page of
 * recent posts is not enough when many posts went out on the account since (a minute boundary on a
 * busy account), and a post that is there but not seen would be published again.
 */
export async function recentSince(readPage: (cursor?: string) => Promise<RecentPage>, since?: Date): Promise<RecentPost[]> {
  const seen: RecentPost[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { posts, next } = await readPage(cursor);
    seen.push(...posts);
    const oldest = Math.min(...posts.map((p) => p.createdAt.getTime()));
    if (!since || !next || !posts.length || oldest < since.getTime() - SKEW_MS) break;
    cursor = next;
  }
  return seen;
}
