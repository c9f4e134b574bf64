/**
 * LinkedIn (versioned REST API, member posts):
 *   POST /rest/images?action=initializeUpload {initializeUploadRequest: {owner}} → {value: {uploadUrl, image}}
 *   PUT  {uploadUrl} (the image bytes)                 → 201
 *   POST /rest/posts {author: urn:li:person:{id}, commentary, visibility, distribution, lifecycleState,
 *        content?: {media: {id: urn:li:image:…, altText}}}
 *        → 201, the post URN in the x-restli-id header
 *   GET  /rest/posts?q=author&author={urn}&count=n  → {elements: [{id, commentary, createdAt}]}
 *   GET  /v2/userinfo (OpenID Connect)              → {sub, name, picture, email}
 * with LinkedIn-Version and X-Restli-Protocol-Version 2.0.0. Commentary is LinkedIn's "little text":
 * the reserved characters are backslash-escaped so they come out literally. One post, no threads.
 */
import { matchPublished, partKey, publishChain, type RecentPage, recentSince } from "./adapter-kit.ts";
import type { LinkedInConfig } from "./config.ts";
import { type HttpDeps, send, trimSlash, unexpected } from "./http.ts";
import { mediaBytes } from "./media.ts";
import { buildAuthorizeUrl, revokeRequest, tokenRequest, tokensFrom } from "./oauth-kit.ts";
import type { OAuthCredentials, OAuthPlatformAdapter, PlatformProfile, PostMedia, RecentPost } from "./platform.types.ts";
import { PLATFORM_LIMITS, validatePost } from "./validate.ts";

const RESERVED = /[\\|{}@[\]()<>#*_~]/g;
export const escapeLittleText = (text: string) => text.replace(RESERVED, (c) => `\\${c}`);
export const unescapeLittleText = (text: string) => text.replace(/\\([\\|{}@[\]()<>#*_~])/g, "$1");

const SCOPES = ["openid", "profile", "email", "w_member_social"];

export function createLinkedInAdapter(config: LinkedInConfig, deps: HttpDeps = {}): OAuthPlatformAdapter {
  const api = trimSlash(config.apiBaseUrl);
  const urlOf = (urn: string) => `${trimSlash(config.webUrl)}/feed/update/${urn}/`;
  const base = { platform: "linkedin" as const, timeoutMs: config.timeoutMs };
  const headers = (c: OAuthCredentials) => ({
    authorization: `Bearer ${c.accessToken}`,
    "linkedin-version": config.apiVersion,
    "x-restli-protocol-version": "2.0.0",
  });

  async function profile(credentials: OAuthCredentials, options: { signal?: AbortSignal } = {}): Promise<PlatformProfile> {
    const action = "reading your LinkedIn profile";
    const reply = await send(
      `${api}/v2/userinfo`,
      {
        ...base,
        headers: { authorization: `Bearer ${credentials.accessToken}` },
        mutating: false,
        action,
        signal: options.signal,
      },
      deps,
    );
    const user = reply.body as { sub?: string; name?: string; picture?: string; email?: string } | undefined;
    if (!user?.sub) throw unexpected("linkedin", action, reply);
    return {
      platformUserId: user.sub,
      username: user.email ?? user.sub,
      displayName: user.name ?? user.email ?? user.sub,
      avatarUrl: user.picture ?? null,
    };
  }

  const authorOf = async (credentials: OAuthCredentials, signal?: AbortSignal) =>
    `urn:li:person:${credentials.platformUserId ?? (await profile(credentials, signal ? { signal } : {})).platformUserId}`;

  /**
   * Initialises an image upload, PUTs the bytes to the URL LinkedIn hands out, and returns the image
   * URN. Not `mutating`: a lost answer leaves an unused image on LinkedIn, so it is simply retried.
   */
  async function uploadImage(
    media: PostMedia,
    credentials: OAuthCredentials,
    author: string,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const action = "uploading the image";
    const { bytes, contentType } = mediaBytes("linkedin", media);
    const init = await send(
      `${api}/rest/images?action=initializeUpload`,
      {
        ...base,
        headers: headers(credentials),
        body: { initializeUploadRequest: { owner: author } },
        mutating: false,
        action,
        signal,
      },
      deps,
    );
    const value = (init.body as { value?: { uploadUrl?: unknown; image?: unknown } } | undefined)?.value;
    if (typeof value?.uploadUrl !== "string" || typeof value.image !== "string") throw unexpected("linkedin", action, init);
    await send(
      value.uploadUrl,
      {
        ...base,
        method: "PUT",
        headers: { authorization: `Bearer ${credentials.accessToken}`, "content-type": contentType },
        body: bytes,
        mutating: false,
        action,
        signal,
      },
      deps,
    );
    return value.image;
  }

  async function listPage(
    credentials: OAuthCredentials,
    options: { signal?: AbortSignal | undefined; limit?: number; cursor?: string | undefined } = {},
  ): Promise<RecentPage> {
    const author = await authorOf(credentials, options.signal);
    const action = "reading your recent LinkedIn posts";
    const count = Math.min(100, options.limit ?? 20);
    const start = Number(options.cursor ?? 0);
    const reply = await send(
      `${api}/rest/posts?q=author&author=${encodeURIComponent(author)}&count=${count}&start=${start}&sortBy=LAST_MODIFIED`,
      { ...base, headers: headers(credentials), mutating: false, action, signal: options.signal },
      deps,
    );
    const elements =
      (reply.body as { elements?: { id: string; commentary?: string; createdAt?: number }[] } | undefined)?.elements ?? [];
    const posts = elements.map((e) => ({
      platformPostId: e.id,
      text: unescapeLittleText(e.commentary ?? ""),
      createdAt: new Date(e.createdAt ?? 0),
      url: urlOf(e.id),
    }));
    // A full page may have more behind it.
    return { posts, next: elements.length === count ? String(start + count) : undefined };
  }

  async function listRecent(
    credentials: OAuthCredentials,
    options: { signal?: AbortSignal; limit?: number } = {},
  ): Promise<RecentPost[]> {
    return (await listPage(credentials, options)).posts;
  }

  return {
    platform: "linkedin",
    displayName: "LinkedIn",
    limits: PLATFORM_LIMITS.linkedin,
    defaultScopes: SCOPES,
    validate: (post) => validatePost("linkedin", post),

    publish(post, credentials, options = {}) {
      return publishChain(
        "linkedin",
        post,
        async (text, index) => {
          const action = "publishing the post";
          const author = await authorOf(credentials, options.signal);
          const image = index === 0 ? post.media?.[0] : undefined;
          const imageUrn = image ? await uploadImage(image, credentials, author, options.signal) : undefined;
          const reply = await send(
            `${api}/rest/posts`,
            {
              ...base,
              headers: { ...headers(credentials), "idempotency-key": partKey(post, index) },
              body: {
                author,
                commentary: escapeLittleText(text),
                visibility: "PUBLIC",
                distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
                lifecycleState: "PUBLISHED",
                isReshareDisabledByAuthor: false,
                ...(imageUrn
                  ? { content: { media: { id: imageUrn, ...(image?.altText ? { altText: image.altText } : {}) } } }
                  : {}),
              },
              mutating: true,
              action,
              signal: options.signal,
            },
            deps,
          );
          const urn = reply.headers.get("x-restli-id") ?? reply.headers.get("x-linkedin-id");
          if (!urn) throw unexpected("linkedin", action, reply);
          return { platformPostId: urn, url: urlOf(urn) };
        },
        urlOf,
      );
    },

    listRecent,
    async findPublished(post, credentials, options = {}) {
      const read = (cursor?: string) => listPage(credentials, { limit: 100, signal: options.signal, cursor });
      return matchPublished(post, await recentSince(read, options.since), urlOf, options.since);
    },
    profile,

    authorizeUrl: ({ state, codeChallenge, redirectUri, scopes }) =>
      buildAuthorizeUrl(config, { state, codeChallenge, redirectUri, scopes: scopes ?? SCOPES }),

    async exchangeCode({ code, codeVerifier, redirectUri }, options = {}) {
      const action = "finishing the LinkedIn sign-in";
      const reply = await tokenRequest(
        "linkedin",
        config,
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: codeVerifier },
        { basicAuth: false, action, ...options },
        deps,
      );
      return tokensFrom("linkedin", reply, action, SCOPES);
    },

    async refresh({ refreshToken }, options = {}) {
      const action = "renewing the LinkedIn sign-in";
      const reply = await tokenRequest(
        "linkedin",
        config,
        { grant_type: "refresh_token", refresh_token: refreshToken },
        { basicAuth: false, action, ...options },
        deps,
      );
      return tokensFrom("linkedin", reply, action, SCOPES);
    },

    // Revocation lives beside the token endpoint (www.linkedin.com/oauth/v2/revoke).
    revoke: ({ token }, options = {}) =>
      revokeRequest(
        "linkedin",
        config,
        config.tokenUrl.replace(/\/accessToken$/, "/revoke"),
        token,
        { basicAuth: false, ...options },
        deps,
      ),
  };
}
