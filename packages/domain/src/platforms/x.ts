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
import { createOAuthAdapter, type FeedReader, partKey, platformApi } from "./adapter-kit.ts";
import type { OAuthPlatformConfig } from "./config.ts";
import { type HttpDeps, trimSlash, unexpected } from "./http.ts";
import { mediaBytes } from "./media.ts";
import { standardGrants } from "./oauth-kit.ts";
import type { OAuthCredentials, OAuthPlatformAdapter, PlatformProfile, PostMedia } from "./platform.types.ts";

interface Tweet {
  id: string;
  text: string;
  created_at?: string;
  referenced_tweets?: { type: string; id: string }[];
}

const SCOPES = ["tweet.read", "tweet.write", "users.read", "offline.access"];

export function createXAdapter(config: OAuthPlatformConfig, deps: HttpDeps = {}): OAuthPlatformAdapter {
  const api = trimSlash(config.apiBaseUrl);
  const urlOf = (id: string) => `${trimSlash(config.webUrl)}/i/web/status/${id}`;
  const bearer = (c: OAuthCredentials) => ({ authorization: `Bearer ${c.accessToken}` });
  const http = platformApi("x", config.timeoutMs, deps);

  async function profile(credentials: OAuthCredentials, options: { signal?: AbortSignal } = {}): Promise<PlatformProfile> {
    const action = "reading your X profile";
    const reply = await http.read(`${api}/2/users/me?user.fields=profile_image_url`, action, bearer(credentials), options.signal);
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
  async function uploadImage(media: PostMedia, credentials: OAuthCredentials, signal: AbortSignal | undefined): Promise<string> {
    const action = "uploading the image";
    const { bytes, contentType, filename } = mediaBytes("x", media);
    const form = new FormData();
    form.set("media", new Blob([bytes as Uint8Array<ArrayBuffer>], { type: contentType }), filename);
    form.set("media_category", "tweet_image");
    form.set("media_type", contentType);
    const reply = await http.call(`${api}/2/media/upload`, {
      headers: bearer(credentials),
      body: form,
      mutating: false,
      action,
      signal,
    });
    return http.stringIn(reply, action, (body) => (body?.data as { id?: unknown } | undefined)?.id);
  }

  const timeline: FeedReader = async (credentials, options) => {
    const userId =
      credentials.platformUserId ?? (await profile(credentials, options.signal ? { signal: options.signal } : {})).platformUserId;
    const limit = Math.min(100, Math.max(5, options.limit ?? 20));
    const page = options.cursor ? `&pagination_token=${encodeURIComponent(options.cursor)}` : "";
    const reply = await http.read(
      `${api}/2/users/${encodeURIComponent(userId)}/tweets?max_results=${limit}&tweet.fields=created_at,referenced_tweets${page}`,
      "reading your recent posts on X",
      bearer(credentials),
      options.signal,
    );
    const answer = reply.body as { data?: Tweet[]; meta?: { next_token?: string } } | undefined;
    const posts = (answer?.data ?? []).map((t) => {
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
  };

  return createOAuthAdapter({
    platform: "x",
    config,
    scopes: SCOPES,
    urlOf,
    feeds: [timeline],
    profile,
    publishPart:
      (post, credentials, { signal }) =>
      async (text, index, replyToId) => {
        const action = post.parts.length > 1 ? `publishing post ${index + 1} of the thread` : "publishing the post";
        // Images go on the first part, uploaded just before it (again on a retry: never the post).
        const mediaIds: string[] = [];
        for (const media of index === 0 ? (post.media ?? []) : []) mediaIds.push(await uploadImage(media, credentials, signal));
        const reply = await http.call(`${api}/2/tweets`, {
          headers: { ...bearer(credentials), "idempotency-key": partKey(post, index) },
          body: {
            text,
            ...(replyToId ? { reply: { in_reply_to_tweet_id: replyToId } } : {}),
            ...(mediaIds.length ? { media: { media_ids: mediaIds } } : {}),
          },
          mutating: true,
          action,
          signal,
        });
        const id = http.stringIn(reply, action, (body) => (body?.data as { id?: unknown } | undefined)?.id);
        return { platformPostId: id, url: urlOf(id) };
      },
    ...standardGrants("x", config, deps, { basicAuth: true, revokeUrl: `${api}/2/oauth2/revoke` }),
  });
}
