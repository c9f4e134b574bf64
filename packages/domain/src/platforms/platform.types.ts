/**
 * What every publishing platform adapter offers, so the queue (built later) treats X, LinkedIn,
 * Threads and WordPress alike: validate a post against the platform's limits, publish it (a thread as
 * chained replies), look it up again after an uncertain outcome, read the connected profile, and —
 * for the OAuth platforms — the authorization-code + PKCE flow and token refresh.
 *
 * Failures are `PlatformError`s (errors.ts) classified as transient / auth / permanent / unknown.
 */
export type PlatformKind = "x" | "linkedin" | "threads" | "wordpress";

/**
 * An image attached to the first part of a post. X, LinkedIn and WordPress receive the bytes (each
 * through its own upload endpoint); Threads fetches the image itself from `url`, which must be public.
 */
export interface PostMedia {
  kind: "image";
  /** Sniffed when uploaded (image/png, image/jpeg, image/gif, image/webp). */
  contentType?: string;
  filename?: string;
  bytes?: Uint8Array;
  /** A public http(s) URL of the image (Threads). */
  url?: string;
  altText?: string;
}

export interface PublishRequest {
  /** One entry per post of a thread (X, Threads); LinkedIn and WordPress take exactly one. */
  parts: string[];
  /** WordPress only: the post title. */
  title?: string;
  /** Attached to the first part. */
  media?: PostMedia[];
  /**
   * Stable for the life of the scheduled post. Each part goes out with `Idempotency-Key: <key>#<n>`
   * (honoured by the sandbox and by platforms that support it); WordPress also derives the slug from it.
   */
  idempotencyKey: string;
  /** Platform ids of leading parts already published (from an earlier partial attempt or reconciliation): publishing continues after them. */
  alreadyPublished?: string[];
  /** What `prepare` made ready before the due instant (used for the first part only). */
  prepared?: PreparedPost;
}

/**
 * Work done ahead of a post's due instant that publishes nothing, so the instant itself costs only the
 * publish request. Threads: the first part's container (an unused one expires on its own).
 */
export interface PreparedPost {
  /** Threads: the container of the first part, ready for threads_publish. */
  containerId?: string;
}

export interface PublishedPart {
  platformPostId: string;
  url: string;
}

export interface PublishResult extends PublishedPart {
  /** Every part in order; the first is the root (same as platformPostId/url). */
  parts: PublishedPart[];
}

export interface RecentPost {
  platformPostId: string;
  text: string;
  createdAt: Date;
  url: string;
  /** Set when the post is a reply (a later part of a thread). */
  replyToId?: string;
  /** WordPress: the slug (carries the idempotency key). */
  slug?: string;
}

export interface PlatformProfile {
  platformUserId: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export interface ValidationIssue {
  /** Index into parts, when the issue is about one part. */
  part?: number;
  field: "parts" | "title" | "media";
  message: string;
}

export interface PlatformLimits {
  /** Characters per part, as the platform counts them (X weighs some characters double and URLs as 23). */
  maxCharsPerPart: number;
  maxParts: number;
  maxMedia: number;
  titleRequired: boolean;
  maxTitleChars?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface PlatformAdapter<Credentials> {
  readonly platform: PlatformKind;
  readonly displayName: string;
  readonly limits: PlatformLimits;
  /** Empty when the post can be published as it is. */
  validate(post: Pick<PublishRequest, "parts" | "title" | "media">): ValidationIssue[];
  /** Throws a permanent PlatformError for a post validate() refuses, before any request. */
  publish(post: PublishRequest, credentials: Credentials, options?: CallOptions): Promise<PublishResult>;
  /**
   * Optional: prepares the first part before the due instant without publishing anything (Threads
   * creates its container). Pass the result as `prepared` to publish; a failure here only means
   * publish does the whole work itself.
   */
  prepare?(post: PublishRequest, credentials: Credentials, options?: CallOptions): Promise<PreparedPost>;
  /** The account's newest posts (and replies), newest first. */
  listRecent(credentials: Credentials, options?: CallOptions & { limit?: number }): Promise<RecentPost[]>;
  /**
   * Reconciliation after an `unknown` outcome: the leading parts of this post that are already on the
   * platform (matched by idempotency slug on WordPress, by text + reply chain + time elsewhere), in
   * order; empty when nothing went out. Publish again with `alreadyPublished` set to their ids.
   */
  findPublished(
    post: PublishRequest,
    credentials: Credentials,
    options?: CallOptions & { since?: Date },
  ): Promise<PublishedPart[]>;
  profile(credentials: Credentials, options?: CallOptions): Promise<PlatformProfile>;
}

export interface OAuthCredentials {
  accessToken: string;
  /** The platform user id (X and Threads user id, LinkedIn member id); looked up when missing. */
  platformUserId?: string;
}

export interface OAuthTokens {
  accessToken: string;
  /** Threads has no separate refresh token: its long-lived access token is refreshed itself, so this is the access token. */
  refreshToken: string | null;
  expiresAt: Date;
  scopes: string[];
  platformUserId?: string;
}

export interface OAuthPlatformAdapter extends PlatformAdapter<OAuthCredentials> {
  readonly defaultScopes: string[];
  authorizeUrl(input: { state: string; codeChallenge: string; redirectUri: string; scopes?: string[] }): string;
  exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }, options?: CallOptions): Promise<OAuthTokens>;
  refresh(input: { refreshToken: string }, options?: CallOptions): Promise<OAuthTokens>;
  /** Revokes an access or refresh token at the platform (RFC 7009), where the platform offers it. */
  revoke?(input: { token: string }, options?: CallOptions): Promise<void>;
}

/** WordPress: site URL + username + application password (Basic auth), no OAuth. */
export interface WordPressCredentials {
  siteUrl: string;
  username: string;
  applicationPassword: string;
}

export type WordPressAdapter = PlatformAdapter<WordPressCredentials>;
