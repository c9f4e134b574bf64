/**
 * Threads (Graph API, graph.threads.net):
 *   POST /v1.0/{user-id}/threads {media_type: TEXT|IMAGE, text, image_url, reply_to_id} → {id}  (a container)
 *   POST /v1.0/{user-id}/threads_publish {creation_id}                              → {id}  (the post)
 *   GET  /v1.0/{id}?fields=permalink, /v1.0/{user-id}/threads and /replies, /v1.0/me
 * Sign-in: code → POST /oauth/access_token (short-lived, 1 h) → GET /access_token?grant_type=th_exchange_token
 * (long-lived, 60 days) → GET /refresh_access_token?grant_type=th_refresh_token before it expires.
 * There is no separate refresh token: `refreshToken` is the long-lived access token itself.
 *
 * Creating a container publishes nothing (an unused one expires), so only the publish step's lost
 * answer is `unknown`. Graph errors come as 400 {error: {code}}: 190 is a dead token (auth).
 */
import { createOAuthAdapter, type FeedReader, partKey, platformApi } from "./adapter-kit.ts";
import type { OAuthPlatformConfig } from "./config.ts";
import { PlatformError } from "./errors.ts";
import { type HttpDeps, trimSlash, unexpected, type WireResponse } from "./http.ts";
import { publishedText } from "./markdown-text.ts";
import { asGrantError, tokensFrom } from "./oauth-kit.ts";
import type { OAuthCredentials, OAuthPlatformAdapter, OAuthTokens, PlatformProfile, PublishRequest } from "./platform.types.ts";

const SCOPES = ["threads_basic", "threads_content_publish"];

interface ThreadsMedia {
  id: string;
  text?: string;
  timestamp?: string;
  permalink?: string;
  replied_to?: { id: string };
}

export function createThreadsAdapter(config: OAuthPlatformConfig, deps: HttpDeps = {}): OAuthPlatformAdapter {
  const api = trimSlash(config.apiBaseUrl);
  const graph = `${api}/v1.0`;
  const fallbackUrl = (id: string) => `${trimSlash(config.webUrl)}/t/${id}`;
  const http = platformApi("threads", config.timeoutMs, deps);
  const bearer = (c: OAuthCredentials) => ({ authorization: `Bearer ${c.accessToken}` });
  const userOf = (c: OAuthCredentials) => encodeURIComponent(c.platformUserId ?? "me");

  async function profile(credentials: OAuthCredentials, options: { signal?: AbortSignal } = {}): Promise<PlatformProfile> {
    const action = "reading your Threads profile";
    const reply = await http.read(
      `${graph}/me?fields=id,username,name,threads_profile_picture_url`,
      action,
      bearer(credentials),
      options.signal,
    );
    const user = reply.body as
      | { id?: string; username?: string; name?: string; threads_profile_picture_url?: string }
      | undefined;
    if (!user?.id || !user.username) throw unexpected("threads", action, reply);
    return {
      platformUserId: user.id,
      username: user.username,
      displayName: user.name ?? user.username,
      avatarUrl: user.threads_profile_picture_url ?? null,
    };
  }

  /** The account's posts, or its replies: a thread's later parts are replies, in their own feed. */
  const feed =
    (edge: "threads" | "replies"): FeedReader =>
    async (credentials, options) => {
      const limit = Math.min(100, options.limit ?? 25);
      const after = options.cursor ? `&after=${encodeURIComponent(options.cursor)}` : "";
      const reply = await http.read(
        `${graph}/${userOf(credentials)}/${edge}?fields=id,text,timestamp,permalink,replied_to&limit=${limit}${after}`,
        "reading your recent Threads posts",
        bearer(credentials),
        options.signal,
      );
      const answer = reply.body as
        | { data?: ThreadsMedia[]; paging?: { cursors?: { after?: string }; next?: string } }
        | undefined;
      const posts = (answer?.data ?? []).map((m) => ({
        platformPostId: m.id,
        text: m.text ?? "",
        createdAt: new Date(m.timestamp ?? 0),
        url: m.permalink ?? fallbackUrl(m.id),
        ...(m.replied_to ? { replyToId: m.replied_to.id } : {}),
      }));
      // Graph API: `next` is present only when there is an older page.
      return { posts, next: answer?.paging?.next ? answer.paging.cursors?.after : undefined };
    };

  async function longLived(reply: WireResponse, action: string, userId?: string): Promise<OAuthTokens> {
    const tokens = tokensFrom("threads", reply, action, SCOPES);
    return { ...tokens, refreshToken: tokens.accessToken, ...(userId ? { platformUserId: userId } : {}) };
  }

  /** A container for one part (its image on the first): publishes nothing; returns the creation id. */
  async function createContainer(
    post: PublishRequest,
    credentials: OAuthCredentials,
    text: string,
    index: number,
    replyToId: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const step = post.parts.length > 1 ? ` ${index + 1} of the thread` : "";
    const image = index === 0 ? post.media?.[0] : undefined;
    const form = new URLSearchParams({ media_type: image ? "IMAGE" : "TEXT", text });
    if (image) {
      // Threads fetches the image itself: the URL must be public (see the publisher's mediaFor).
      if (!image.url) throw new PlatformError("permanent", "threads", "The image for Threads has no public address.");
      form.set("image_url", image.url);
    }
    if (replyToId) form.set("reply_to_id", replyToId);
    const preparing = `preparing post${step || ""}`.trim();
    const container = await http.call(`${graph}/${userOf(credentials)}/threads`, {
      headers: bearer(credentials),
      body: form,
      mutating: false,
      action: preparing,
      signal,
    });
    return http.stringIn(container, preparing, (body) => body?.id);
  }

  return createOAuthAdapter({
    platform: "threads",
    config,
    scopes: SCOPES,
    scopeSeparator: ",",
    urlOf: fallbackUrl,
    feeds: [feed("threads"), feed("replies")],
    profile,
    // The first part's container is made ahead of the due instant (it publishes nothing; an unused
    // one expires), so the instant costs only threads_publish.
    prepare: async (post, credentials, { signal }) => {
      if (post.alreadyPublished?.length) return {};
      const text = publishedText("threads", post.parts[0] as string);
      return { containerId: await createContainer(post, credentials, text, 0, undefined, signal) };
    },
    publishPart:
      (post, credentials, { signal }) =>
      async (text, index, replyToId) => {
        const step = post.parts.length > 1 ? ` ${index + 1} of the thread` : "";
        const prepared = index === 0 ? post.prepared?.containerId : undefined;
        const creationId = prepared ?? (await createContainer(post, credentials, text, index, replyToId, signal));
        const action = `publishing post${step}`;
        const published = await http.call(`${graph}/${userOf(credentials)}/threads_publish`, {
          headers: { ...bearer(credentials), "idempotency-key": partKey(post, index) },
          body: new URLSearchParams({ creation_id: creationId }),
          mutating: true,
          action,
          signal,
        });
        const id = http.stringIn(published, action, (body) => body?.id);
        // The post is out: failing to read its link must not fail the publish.
        const permalink = await http
          .read(`${graph}/${id}?fields=permalink`, "reading the post link", bearer(credentials), signal)
          .then((r) => (r.body as { permalink?: string } | undefined)?.permalink)
          .catch(() => undefined);
        return { platformPostId: id, url: permalink ?? fallbackUrl(id) };
      },

    async exchangeCode({ code, codeVerifier, redirectUri }, options = {}) {
      const action = "finishing the Threads sign-in";
      try {
        const short = await http.call(config.tokenUrl, {
          body: new URLSearchParams({
            client_id: config.clientId,
            client_secret: config.clientSecret,
            grant_type: "authorization_code",
            redirect_uri: redirectUri,
            code,
            code_verifier: codeVerifier,
          }),
          mutating: true,
          action,
          signal: options.signal,
        });
        const body = short.body as { access_token?: unknown; user_id?: unknown } | undefined;
        if (typeof body?.access_token !== "string") throw unexpected("threads", action, short);
        const query = new URLSearchParams({
          grant_type: "th_exchange_token",
          client_secret: config.clientSecret,
          access_token: body.access_token,
        });
        const long = await http.call(`${api}/access_token?${query}`, {
          method: "GET",
          mutating: true,
          action,
          signal: options.signal,
        });
        return longLived(long, action, body.user_id === undefined ? undefined : String(body.user_id));
      } catch (error) {
        throw asGrantError("threads", error);
      }
    },

    async refresh({ refreshToken }, options = {}) {
      const action = "renewing the Threads sign-in";
      const query = new URLSearchParams({ grant_type: "th_refresh_token", access_token: refreshToken });
      try {
        const reply = await http.call(`${api}/refresh_access_token?${query}`, {
          method: "GET",
          mutating: true,
          action,
          signal: options.signal,
        });
        return longLived(reply, action);
      } catch (error) {
        throw asGrantError("threads", error);
      }
    },
  });
}
