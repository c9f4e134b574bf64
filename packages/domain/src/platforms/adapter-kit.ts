/**
 * What the adapters share: validating before publishing, chaining thread parts, reconciling, the
 * requests and answers of a platform's API, and (createOAuthAdapter) the whole shape of an OAuth
 * platform's adapter, so X, LinkedIn and Threads write only what is theirs.
 */
import type { OAuthPlatformConfig } from "./config.ts";
import { PLATFORM_NAMES, PlatformError } from "./errors.ts";
import { type HttpDeps, type SendOptions, send, unexpected, type WireResponse } from "./http.ts";
import { markdownToText, publishedText } from "./markdown-text.ts";
import { buildAuthorizeUrl } from "./oauth-kit.ts";
import type {
  CallOptions,
  OAuthCredentials,
  OAuthPlatformAdapter,
  PlatformKind,
  PreparedPost,
  PublishedPart,
  PublishRequest,
  PublishResult,
  RecentPost,
} from "./platform.types.ts";
import { PLATFORM_LIMITS, validatePost } from "./validate.ts";

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

/** A platform's API calls: `send` with its name, timeout and fetch filled in, and answers read safely. */
export function platformApi(platform: PlatformKind, timeoutMs: number, deps: HttpDeps) {
  const call = (url: string, options: Omit<SendOptions, "platform" | "timeoutMs">) =>
    send(url, { platform, timeoutMs, ...options }, deps);
  return {
    call,
    /** A GET that changes nothing (a lost answer is simply retried). */
    read: (url: string, action: string, headers: Record<string, string>, signal?: AbortSignal) =>
      call(url, { headers, mutating: false, action, signal }),
    /** The string `pick` finds in the answer's body (an id, a URN), or an "unexpected answer" error. */
    stringIn(reply: WireResponse, action: string, pick: (body: Record<string, unknown> | undefined) => unknown): string {
      const value = pick(reply.body as Record<string, unknown> | undefined);
      if (typeof value !== "string") throw unexpected(platform, action, reply);
      return value;
    },
  };
}

export interface PageOptions {
  signal?: AbortSignal | undefined;
  limit?: number;
  /** The platform's cursor from the previous (newer) page. */
  cursor?: string | undefined;
}

/** One page of one of the account's feeds, newest first. */
export type FeedReader = (credentials: OAuthCredentials, options: PageOptions) => Promise<RecentPage>;

/** What an OAuth platform's adapter is made of; createOAuthAdapter adds the rest. */
export interface OAuthAdapterSpec extends Pick<OAuthPlatformAdapter, "exchangeCode" | "refresh" | "revoke" | "profile"> {
  platform: Exclude<PlatformKind, "wordpress">;
  config: OAuthPlatformConfig;
  scopes: string[];
  /** How the authorize URL joins the scopes (Threads: ","). */
  scopeSeparator?: string;
  /** A post's address from its id, where the platform's answer has none. */
  urlOf(platformPostId: string): string;
  /** Where published posts show: one feed (X, LinkedIn), or posts and replies (Threads). */
  feeds: FeedReader[];
  /** Prepares the first part ahead of its instant, publishing nothing (see PlatformAdapter.prepare). */
  prepare?: (post: PublishRequest, credentials: OAuthCredentials, options: CallOptions) => Promise<PreparedPost>;
  /** Publishes one part of `post` (a reply to `replyToId` for the parts after the first). */
  publishPart(
    post: PublishRequest,
    credentials: OAuthCredentials,
    options: CallOptions,
  ): (text: string, index: number, replyToId: string | undefined) => Promise<PublishedPart>;
}

export function createOAuthAdapter(spec: OAuthAdapterSpec): OAuthPlatformAdapter {
  const { platform, feeds, urlOf } = spec;
  return {
    platform,
    displayName: PLATFORM_NAMES[platform],
    limits: PLATFORM_LIMITS[platform],
    defaultScopes: spec.scopes,
    validate: (post) => validatePost(platform, post),
    publish: (post, credentials, options = {}) =>
      publishChain(platform, post, spec.publishPart(post, credentials, options), urlOf),
    ...(spec.prepare
      ? {
          prepare: (post: PublishRequest, credentials: OAuthCredentials, options: CallOptions = {}) => {
            assertValid(platform, post);
            return (spec.prepare as NonNullable<OAuthAdapterSpec["prepare"]>)(post, credentials, options);
          },
        }
      : {}),

    async listRecent(credentials, options = {}) {
      const posts: RecentPost[] = [];
      for (const feed of feeds) posts.push(...(await feed(credentials, options)).posts);
      // Several feeds are merged newest first; one is already in the platform's order.
      return feeds.length > 1 ? posts.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) : posts;
    },
    async findPublished(post, credentials, options = {}) {
      const recent: RecentPost[] = [];
      for (const feed of feeds) {
        const read = (cursor?: string) => feed(credentials, { limit: 100, signal: options.signal, cursor });
        recent.push(...(await recentSince(read, options.since)));
      }
      return matchPublished(post, recent, urlOf, options.since);
    },
    profile: spec.profile,

    authorizeUrl: ({ state, codeChallenge, redirectUri, scopes }) =>
      buildAuthorizeUrl(spec.config, { state, codeChallenge, redirectUri, scopes: scopes ?? spec.scopes }, spec.scopeSeparator),
    exchangeCode: spec.exchangeCode,
    refresh: spec.refresh,
    ...(spec.revoke ? { revoke: spec.revoke } : {}),
  };
}
