/**
 * X API v2 with OAuth 2.0 user context:
 *   POST /2/media/upload (multipart: media, media_category=tweet_image, media_type) → {data: {id}}
 *   POST /2/tweets {text, reply: {in_reply_to_tweet_id}, media: {media_ids}} → 201 {data: {id, text}}
 *   GET  /2/users/me?user.fields=profile_image_url              → {data: {id, name, username, profile_image_url}}
 *   GET  /2/users/{id}/tweets?tweet.fields=created_at,referenced_tweets
 *   POST /2/oauth2/token (authorization_code + PKCE, refresh_token; refresh tokens rotate)
 * A thread is each part posted as a reply to the previous one. X has no idempotency key of its own
 * (we still send Idempotency-Key; the sandbox honours it) and refuses identical text, so reconciling
 * by text in the recent timeline is reliable.
 */
import { matchPublished, partKey, publishChain, type RecentPage, recentSince } from "./adapter-kit.ts";
import type { OAuthPlatformConfig } from "./config.ts";
import { type HttpDeps, send, trimSlash, unexpected } from "./http.ts";
import { mediaBytes } from "./media.ts";
import { buildAuthorizeUrl, revokeRequest, tokenRequest, tokensFrom } from "./oauth-kit.ts";
import type { OAuthCredentials, OAuthPlatformAdapter, PlatformProfile, PostMedia, RecentPost } from "./platform.types.ts";
import { PLATFORM_LIMITS, validatePost } from "./validate.ts";

interface Tweet {
  id: string;
  text: string;
  created_at?: string;
  referenced_tweets?: { type: string; id: string }[];
}

export function createXAdapter(config: OAuthPlatformConfig, deps: HttpDeps = {}): OAuthPlatformAdapter {
  const api = trimSlash(config.apiBaseUrl);
  const urlOf = (id: string) => `${trimSlash(config.webUrl)}/i/web/status/${id}`;
  const bearer = (c: OAuthCredentials) => ({ authorization: `Bearer ${c.accessToken}` });
  const base = { platform: "x" as const, timeoutMs: config.timeoutMs };

  async function profile(credentials: OAuthCredentials, options: { signal?: AbortSignal } = {}): Promise<PlatformProfile> {
    const action = "reading your X profile";
    const reply = await send(
      `${api}/2/users/me?user.fields=profile_image_url`,
      { ...base, headers: bearer(credentials), mutating: false, action, signal: options.signal },
      deps,
    );
    const user = (reply.body as { data?: { id?: string; name?: string; username?: string; profile_image_url?: string } })?.data;
    if (!user?.id || !user.username) throw unexpected("x", action, reply);
    return {
      platformUserId: user.id,
      username: user.username,
      displayName: user.name ?? user.username,
      avatarUrl: user.profile_image_url ?? null,
    };
  }

  /**
   * Uploads one image and returns its media id. Not `mutating`: an upload whose answer is lost only
   * leaves an unused media object on X (it expires), so it is simply retried; only the post is unique.
   */
  async function uploadImage(
    media: PostMedia,
    credentials: OAuthCredentials,
    options: { signal?: AbortSignal | undefined },
  ): Promise<string> {
    const action = "uploading the image";
    const { bytes, contentType, filename } = mediaBytes("x", media);
    const form = new FormData();
    form.set("media", new Blob([bytes as Uint8Array<ArrayBuffer>], { type: contentType }), filename);
    form.set("media_category", "tweet_image");
    form.set("media_type", contentType);
    const reply = await send(
      `${api}/2/media/upload`,
      { ...base, headers: bearer(credentials), body: form, mutating: false, action, signal: options.signal },
      deps,
    );
    const id = (reply.body as { data?: { id?: unknown } } | undefined)?.data?.id;
    if (typeof id !== "string") throw unexpected("x", action, reply);
    return id;
  }

  async function listPage(
    credentials: OAuthCredentials,
    options: { signal?: AbortSignal; limit?: number; cursor?: string } = {},
  ): Promise<RecentPage> {
    const userId = credentials.platformUserId ?? (await profile(credentials, options)).platformUserId;
    const action = "reading your recent posts on X";
    const limit = Math.min(100, Math.max(5, options.limit ?? 20));
    const page = options.cursor ? `&pagination_token=${encodeURIComponent(options.cursor)}` : "";
    const reply = await send(
      `${api}/2/users/${encodeURIComponent(userId)}/tweets?max_results=${limit}&tweet.fields=created_at,referenced_tweets${page}`,
      { ...base, headers: bearer(credentials), mutating: false, action, signal: options.signal },
      deps,
    );
    const answer = reply.body as { data?: Tweet[]; meta?: { next_token?: string } } | undefined;
    const tweets = answer?.data ?? [];
    const posts = tweets.map((t) => {
      const replyTo = t.referenced_tweets?.find((r) => r.type === "replied_to")?.id;
      return {
        platformPostId: t.id,
        text: t.text,
        createdAt: new Date(t.created_at ?? 0),
        url: urlOf(t.id),
        ...(replyTo ? { replyToId: replyTo } : {}),
      };
    });
    return { posts, next: answer?.meta?.next_token };
  }

  async function listRecent(
    credentials: OAuthCredentials,
    options: { signal?: AbortSignal; limit?: number } = {},
  ): Promise<RecentPost[]> {
    return (await listPage(credentials, options)).posts;
  }

  return {
    platform: "x",
    displayName: "X",
    limits: PLATFORM_LIMITS.x,
    defaultScopes: ["tweet.read", "tweet.write", "users.read", "offline.access"],
    validate: (post) => validatePost("x", post),

    publish(post, credentials, options = {}) {
      return publishChain(
        "x",
        post,
        async (text, index, replyToId) => {
          const action = post.parts.length > 1 ? `publishing post ${index + 1} of the thread` : "publishing the post";
          // Images go on the first part, uploaded just before it (again on a retry: never the post).
          const mediaIds: string[] = [];
          for (const media of index === 0 ? (post.media ?? []) : []) {
            mediaIds.push(await uploadImage(media, credentials, options));
          }
          const reply = await send(
            `${api}/2/tweets`,
            {
              ...base,
              headers: { ...bearer(credentials), "idempotency-key": partKey(post, index) },
              body: {
                text,
                ...(replyToId ? { reply: { in_reply_to_tweet_id: replyToId } } : {}),
                ...(mediaIds.length ? { media: { media_ids: mediaIds } } : {}),
              },
              mutating: true,
              action,
              signal: options.signal,
            },
            deps,
          );
          const id = (reply.body as { data?: { id?: unknown } } | undefined)?.data?.id;
          if (typeof id !== "string") throw unexpected("x", action, reply);
          return { platformPostId: id, url: urlOf(id) };
        },
        urlOf,
      );
    },

    listRecent,
    async findPublished(post, credentials, options = {}) {
      const read = (cursor?: string) =>
        listPage(credentials, {
          limit: 100,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(cursor ? { cursor } : {}),
        });
      return matchPublished(post, await recentSince(read, options.since), urlOf, options.since);
    },
    profile,

    authorizeUrl: ({ state, codeChallenge, redirectUri, scopes }) =>
      buildAuthorizeUrl(config, {
        state,
        codeChallenge,
        redirectUri,
        scopes: scopes ?? ["tweet.read", "tweet.write", "users.read", "offline.access"],
      }),

    async exchangeCode({ code, codeVerifier, redirectUri }, options = {}) {
      const action = "finishing the X sign-in";
      const reply = await tokenRequest(
        "x",
        config,
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: codeVerifier },
        { basicAuth: true, action, ...options },
        deps,
      );
      return tokensFrom("x", reply, action);
    },

    async refresh({ refreshToken }, options = {}) {
      const action = "renewing the X sign-in";
      const reply = await tokenRequest(
        "x",
        config,
        { grant_type: "refresh_token", refresh_token: refreshToken },
        { basicAuth: true, action, ...options },
        deps,
      );
      return tokensFrom("x", reply, action);
    },

    revoke: ({ token }, options = {}) =>
      revokeRequest("x", config, `${api}/2/oauth2/revoke`, token, { basicAuth: true, ...options }, deps),
  };
}
