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
import { createOAuthAdapter, type FeedReader, partKey, platformApi } from "./adapter-kit.ts";
import type { LinkedInConfig } from "./config.ts";
import { type HttpDeps, trimSlash, unexpected } from "./http.ts";
import { mediaBytes } from "./media.ts";
import { standardGrants } from "./oauth-kit.ts";
import type { OAuthCredentials, OAuthPlatformAdapter, PlatformProfile, PostMedia } from "./platform.types.ts";

const RESERVED = /[\\|{}@[\]()<>#*_~]/g;
export const escapeLittleText = (text: string) => text.replace(RESERVED, (c) => `\\${c}`);
export const unescapeLittleText = (text: string) => text.replace(/\\([\\|{}@[\]()<>#*_~])/g, "$1");

const SCOPES = ["openid", "profile", "email", "w_member_social"];

export function createLinkedInAdapter(config: LinkedInConfig, deps: HttpDeps = {}): OAuthPlatformAdapter {
  const api = trimSlash(config.apiBaseUrl);
  const urlOf = (urn: string) => `${trimSlash(config.webUrl)}/feed/update/${urn}/`;
  const http = platformApi("linkedin", config.timeoutMs, deps);
  const bearer = (c: OAuthCredentials) => ({ authorization: `Bearer ${c.accessToken}` });
  const headers = (c: OAuthCredentials) => ({
    ...bearer(c),
    "linkedin-version": config.apiVersion,
    "x-restli-protocol-version": "2.0.0",
  });

  async function profile(credentials: OAuthCredentials, options: { signal?: AbortSignal } = {}): Promise<PlatformProfile> {
    const action = "reading your LinkedIn profile";
    const reply = await http.read(`${api}/v2/userinfo`, action, bearer(credentials), options.signal);
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
    const init = await http.call(`${api}/rest/images?action=initializeUpload`, {
      headers: headers(credentials),
      body: { initializeUploadRequest: { owner: author } },
      mutating: false,
      action,
      signal,
    });
    const value = (init.body as { value?: { uploadUrl?: unknown; image?: unknown } } | undefined)?.value;
    if (typeof value?.uploadUrl !== "string" || typeof value.image !== "string") throw unexpected("linkedin", action, init);
    await http.call(value.uploadUrl, {
      method: "PUT",
      headers: { ...bearer(credentials), "content-type": contentType },
      body: bytes,
      mutating: false,
      action,
      signal,
    });
    return value.image;
  }

  const posts: FeedReader = async (credentials, options) => {
    const author = await authorOf(credentials, options.signal);
    const count = Math.min(100, options.limit ?? 20);
    const start = Number(options.cursor ?? 0);
    const reply = await http.read(
      `${api}/rest/posts?q=author&author=${encodeURIComponent(author)}&count=${count}&start=${start}&sortBy=LAST_MODIFIED`,
      "reading your recent LinkedIn posts",
      headers(credentials),
      options.signal,
    );
    const elements =
      (reply.body as { elements?: { id: string; commentary?: string; createdAt?: number }[] } | undefined)?.elements ?? [];
    return {
      posts: elements.map((e) => ({
        platformPostId: e.id,
        text: unescapeLittleText(e.commentary ?? ""),
        createdAt: new Date(e.createdAt ?? 0),
        url: urlOf(e.id),
      })),
      // A full page may have more behind it.
      next: elements.length === count ? String(start + count) : undefined,
    };
  };

  return createOAuthAdapter({
    platform: "linkedin",
    config,
    scopes: SCOPES,
    urlOf,
    feeds: [posts],
    profile,
    publishPart:
      (post, credentials, { signal }) =>
      async (text, index) => {
        const action = "publishing the post";
        const author = await authorOf(credentials, signal);
        const image = index === 0 ? post.media?.[0] : undefined;
        const imageUrn = image ? await uploadImage(image, credentials, author, signal) : undefined;
        const reply = await http.call(`${api}/rest/posts`, {
          headers: { ...headers(credentials), "idempotency-key": partKey(post, index) },
          body: {
            author,
            commentary: escapeLittleText(text),
            visibility: "PUBLIC",
            distribution: { feedDistribution: "MAIN_FEED", targetEntities: [], thirdPartyDistributionChannels: [] },
            lifecycleState: "PUBLISHED",
            isReshareDisabledByAuthor: false,
            ...(imageUrn ? { content: { media: { id: imageUrn, ...(image?.altText ? { altText: image.altText } : {}) } } } : {}),
          },
          mutating: true,
          action,
          signal,
        });
        const urn = reply.headers.get("x-restli-id") ?? reply.headers.get("x-linkedin-id");
        if (!urn) throw unexpected("linkedin", action, reply);
        return { platformPostId: urn, url: urlOf(urn) };
      },
    // Revocation lives beside the token endpoint (www.linkedin.com/oauth/v2/revoke).
    ...standardGrants("linkedin", config, deps, {
      basicAuth: false,
      revokeUrl: config.tokenUrl.replace(/\/accessToken$/, "/revoke"),
      grantedScopes: SCOPES,
    }),
  });
}
