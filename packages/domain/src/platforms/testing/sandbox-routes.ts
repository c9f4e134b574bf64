import type { IncomingHttpHeaders } from "node:http";
import { SANDBOX_CLIENT } from "../config.ts";
import type { PlatformKind } from "../platform.types.ts";
import { charLength, xWeightedLength } from "../validate.ts";
import type { Code, Container, Reply, SandboxAccount, SandboxMedia, SandboxPost, Token } from "./sandbox-platform.types.ts";
import { authFailure, escapeHtml, graphError, json, token } from "./sandbox-replies.ts";

/** What the routes share with the server: its state and the OAuth, idempotency and image helpers. */
export interface SandboxContext {
  accounts: Map<string, SandboxAccount>;
  posts: SandboxPost[];
  tokens: Map<string, Token>;
  containers: Map<string, Container>;
  uploads: Map<string, { accountId: string; media: SandboxMedia | null }>;
  /** The server's address (set once it listens). */
  readonly url: string;
  nextSequence(): number;
  authenticate(
    platform: PlatformKind,
    headers: IncomingHttpHeaders,
    query: Record<string, string>,
    body: Record<string, unknown>,
  ): SandboxAccount | Reply;
  authorize(platform: PlatformKind, query: Record<string, string>): Reply;
  oauthToken(platform: "x" | "linkedin", headers: IncomingHttpHeaders, body: Record<string, unknown>): Reply;
  revokeGrant(platform: "x" | "linkedin", headers: IncomingHttpHeaders, body: Record<string, unknown>): Reply;
  redeem(platform: PlatformKind, body: Record<string, unknown>): Code | Reply;
  rotate(platform: PlatformKind, value: string, kind: Token["kind"]): Token | Reply;
  issue(
    platform: PlatformKind,
    accountId: string,
    kind: Token["kind"],
    seconds: number,
    scopes: string[],
    family: string,
  ): string;
  once(account: SandboxAccount, route: string, headers: IncomingHttpHeaders, create: () => Reply): Reply;
  publish(
    account: SandboxAccount,
    post: Omit<SandboxPost, "id" | "platform" | "accountId" | "createdAt">,
    headers: IncomingHttpHeaders,
  ): SandboxPost;
  feedOf(accountId: string): SandboxPost[];
  postUrl(p: SandboxPost): string;
  imageOf(id: string, bytes: Uint8Array): Promise<SandboxMedia | null>;
  upload(account: SandboxAccount, id: string, media: SandboxMedia | null): void;
  uploaded(account: SandboxAccount, id: unknown): SandboxMedia | undefined;
}

export async function platformRoute(
  ctx: SandboxContext,
  method: string,
  path: string,
  query: Record<string, string>,
  headers: IncomingHttpHeaders,
  body: Record<string, unknown>,
  raw: Buffer,
): Promise<Reply> {
  const { accounts, posts, tokens, containers, uploads, url, nextSequence } = ctx;
  const { authenticate, authorize, oauthToken, revokeGrant, redeem, rotate, issue, once, publish } = ctx;
  const { feedOf, postUrl, imageOf, upload, uploaded } = ctx;
  // X
  if (method === "GET" && path === "/x/i/oauth2/authorize") return authorize("x", query);
  if (method === "POST" && path === "/x/2/oauth2/token") return oauthToken("x", headers, body);
  if (method === "POST" && path === "/x/2/oauth2/revoke") return revokeGrant("x", headers, body);
  if (path.startsWith("/x/2/")) {
    const account = authenticate("x", headers, query, body);
    if ("status" in account) return account;
    if (method === "GET" && path === "/x/2/users/me") {
      return json(200, {
        data: {
          id: account.platformUserId,
          name: account.displayName,
          username: account.username,
          profile_image_url: account.avatarUrl,
        },
      });
    }
    const timeline = /^\/x\/2\/users\/([^/]+)\/tweets$/.exec(path);
    if (method === "GET" && timeline) {
      const owner = [...accounts.values()].find((a) => a.platform === "x" && a.platformUserId === timeline[1]);
      if (!owner) return json(404, { title: "Not Found Error", detail: "Could not find user.", status: 404 });
      const limit = Math.min(100, Number(query.max_results ?? 10));
      const offset = Number(query.pagination_token ?? 0);
      const all = feedOf(owner.accountId);
      const nextToken = offset + limit < all.length ? String(offset + limit) : undefined;
      const data = all
        .slice()
        .reverse()
        .slice(offset, offset + limit)
        .map((p) => ({
          id: p.id,
          text: p.text,
          created_at: p.createdAt.toISOString(),
          edit_history_tweet_ids: [p.id],
          ...(p.replyToId ? { referenced_tweets: [{ type: "replied_to", id: p.replyToId }] } : {}),
        }));
      return json(200, { data, meta: { result_count: data.length, ...(nextToken ? { next_token: nextToken } : {}) } });
    }
    if (method === "POST" && path === "/x/2/media/upload") {
      const type = headers["content-type"] ?? "";
      if (!type.startsWith("multipart/form-data"))
        return json(400, { title: "Invalid Request", detail: "The media upload must be multipart/form-data.", status: 400 });
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
      const file = form.get("media");
      if (!(file instanceof Blob))
        return json(400, { title: "Invalid Request", detail: "The media field is required.", status: 400 });
      const seq = nextSequence();
      const id = `19000000000000${String(seq).padStart(5, "0")}`;
      const media = await imageOf(id, new Uint8Array(await file.arrayBuffer()));
      if (!media) return json(400, { title: "Invalid Request", detail: "The media is not a supported image.", status: 400 });
      upload(account, id, media);
      return json(200, { data: { id, media_key: `3_${id}`, expires_after_secs: 86_400 } });
    }
    if (method === "POST" && path === "/x/2/tweets") {
      return once(account, "tweets", headers, () => {
        const text = typeof body.text === "string" ? body.text : "";
        const replyTo = (body.reply as { in_reply_to_tweet_id?: string } | undefined)?.in_reply_to_tweet_id;
        const mediaIds = (body.media as { media_ids?: unknown[] } | undefined)?.media_ids ?? [];
        const invalid = (message: string) =>
          json(400, {
            errors: [{ message }],
            title: "Invalid Request",
            detail: "One or more parameters to your request was invalid.",
            type: "https://api.twitter.com/2/problems/invalid-request",
          });
        if (!text.trim()) return invalid("The text of the post must not be empty.");
        if (xWeightedLength(text) > 280) return invalid(`Your post is ${xWeightedLength(text)} characters; the limit is 280.`);
        if (replyTo && !posts.some((p) => p.platform === "x" && p.id === replyTo)) {
          return invalid("The post you are replying to has been deleted or is not visible to you.");
        }
        if (feedOf(account.accountId).some((p) => p.text === text)) {
          return json(403, {
            title: "Forbidden",
            status: 403,
            detail: "You are not allowed to create a Tweet with duplicate content.",
            type: "about:blank",
          });
        }
        const media = mediaIds.map((id) => uploaded(account, id));
        if (media.some((m) => !m)) return invalid("One or more media ids are invalid.");
        const post = publish(
          account,
          {
            text,
            ...(replyTo ? { replyToId: replyTo } : {}),
            ...(media.length ? { media: media as SandboxMedia[] } : {}),
          },
          headers,
        );
        return json(201, { data: { id: post.id, text, edit_history_tweet_ids: [post.id] } });
      });
    }
    return json(404, { title: "Not Found Error", detail: `No route ${method} ${path}`, status: 404 });
  }

  // LinkedIn
  if (method === "GET" && path === "/linkedin/oauth/v2/authorization") return authorize("linkedin", query);
  if (method === "POST" && path === "/linkedin/oauth/v2/accessToken") return oauthToken("linkedin", headers, body);
  if (method === "POST" && path === "/linkedin/oauth/v2/revoke") return revokeGrant("linkedin", headers, body);
  if (path.startsWith("/linkedin/")) {
    const account = authenticate("linkedin", headers, query, body);
    if ("status" in account) return account;
    if (method === "GET" && path === "/linkedin/v2/userinfo") {
      return json(200, {
        sub: account.platformUserId,
        name: account.displayName,
        given_name: account.displayName.split(" ")[0],
        picture: account.avatarUrl,
        email: account.username,
        email_verified: true,
        locale: "en_US",
      });
    }
    const linkedinUpload = /^\/linkedin\/upload\/(urn:li:image:[\w-]+)$/.exec(path);
    if (method === "PUT" && linkedinUpload) {
      const id = linkedinUpload[1] as string;
      const pending = uploads.get(id);
      if (!pending || pending.accountId !== account.accountId)
        return json(404, { status: 404, message: "No upload is waiting at this URL." });
      const media = await imageOf(id, raw);
      if (!media) return json(400, { status: 400, message: "The uploaded file is not a supported image." });
      pending.media = media;
      return { status: 201 };
    }
    if (method === "POST" && path === "/linkedin/rest/images" && query.action === "initializeUpload") {
      const owner = (body.initializeUploadRequest as { owner?: unknown } | undefined)?.owner;
      if (owner !== `urn:li:person:${account.platformUserId}`)
        return json(403, { status: 403, message: `Not allowed to upload as ${String(owner)}.` });
      const seq = nextSequence();
      const image = `urn:li:image:C4E${String(seq).padStart(10, "0")}`;
      upload(account, image, null);
      return json(200, {
        value: { uploadUrlExpiresAt: Date.now() + 86_400_000, uploadUrl: `${url}/linkedin/upload/${image}`, image },
      });
    }
    if (path === "/linkedin/rest/posts") {
      if (!headers["linkedin-version"])
        return json(426, {
          status: 426,
          code: "NONEXISTENT_VERSION",
          message: "A LinkedIn-Version header (YYYYMM) is required.",
        });
      const urn = `urn:li:person:${account.platformUserId}`;
      if (method === "GET") {
        if (query.q !== "author" || query.author !== urn)
          return json(403, { status: 403, message: "Not enough permissions to read these posts." });
        const start = Number(query.start ?? 0);
        const elements = feedOf(account.accountId)
          .slice()
          .reverse()
          .slice(start, start + Number(query.count ?? 10))
          .map((p) => ({
            id: p.id,
            author: urn,
            commentary: p.text,
            createdAt: p.createdAt.getTime(),
            lastModifiedAt: p.createdAt.getTime(),
            lifecycleState: "PUBLISHED",
            visibility: "PUBLIC",
          }));
        return json(200, { elements, paging: { start, count: elements.length } });
      }
      if (method === "POST") {
        return once(account, "posts", headers, () => {
          if (headers["x-restli-protocol-version"] !== "2.0.0")
            return json(400, { status: 400, message: "X-Restli-Protocol-Version 2.0.0 is required." });
          if (body.author !== urn) return json(403, { status: 403, message: `Not allowed to post as ${String(body.author)}.` });
          const commentary = typeof body.commentary === "string" ? body.commentary : "";
          if (charLength(commentary.replace(/\\(.)/g, "$1")) > 3000)
            return json(422, { status: 422, message: "commentary is longer than 3000 characters." });
          if (body.lifecycleState !== "PUBLISHED")
            return json(422, { status: 422, message: "lifecycleState must be PUBLISHED." });
          const mediaId = (body.content as { media?: { id?: unknown } } | undefined)?.media?.id;
          const media = mediaId === undefined ? undefined : uploaded(account, mediaId);
          if (mediaId !== undefined && !media)
            return json(422, { status: 422, message: `The image ${String(mediaId)} is not uploaded or not yours.` });
          const post = publish(account, { text: commentary, ...(media ? { media: [media] } : {}) }, headers);
          return { status: 201, headers: { "x-restli-id": post.id } };
        });
      }
    }
    return json(404, { status: 404, message: `No route ${method} ${path}` });
  }

  // Threads
  if (method === "GET" && path === "/threads/oauth/authorize") return authorize("threads", query);
  if (method === "POST" && path === "/threads/oauth/access_token") {
    if (body.client_id !== SANDBOX_CLIENT.clientId || body.client_secret !== SANDBOX_CLIENT.clientSecret)
      return graphError("Error validating client secret.", 1);
    if (body.grant_type !== "authorization_code") return graphError("grant_type must be authorization_code.");
    const code = redeem("threads", body);
    if ("status" in code)
      return graphError(
        `Invalid authorization code: ${String((code.body as { error_description?: string }).error_description)}`,
        100,
      );
    const short = issue("threads", code.accountId, "short", 3600, code.scopes, token("family"));
    return json(200, { access_token: short, user_id: Number((accounts.get(code.accountId) as SandboxAccount).platformUserId) });
  }
  if (method === "GET" && path === "/threads/access_token") {
    if (query.grant_type !== "th_exchange_token" || query.client_secret !== SANDBOX_CLIENT.clientSecret)
      return graphError("Invalid th_exchange_token request.");
    const short = tokens.get(query.access_token ?? "");
    if (short?.kind !== "short" || short.revoked || short.expiresAt < Date.now())
      return authFailure("threads", Boolean(short?.revoked));
    return json(200, {
      access_token: issue("threads", short.accountId, "access", 5_184_000, short.scopes, short.family),
      token_type: "bearer",
      expires_in: 5_184_000,
    });
  }
  if (method === "GET" && path === "/threads/refresh_access_token") {
    if (query.grant_type !== "th_refresh_token") return graphError("grant_type must be th_refresh_token.");
    const previous = rotate("threads", query.access_token ?? "", "access");
    if ("status" in previous) return authFailure("threads", true);
    return json(200, {
      access_token: issue("threads", previous.accountId, "access", 5_184_000, previous.scopes, previous.family),
      token_type: "bearer",
      expires_in: 5_184_000,
    });
  }
  if (path.startsWith("/threads/v1.0/")) {
    const account = authenticate("threads", headers, query, body);
    if ("status" in account) return account;
    const [target, edge] = path.slice("/threads/v1.0/".length).split("/") as [string, string | undefined];
    if (method === "GET" && target === "me" && !edge) {
      return json(200, {
        id: account.platformUserId,
        username: account.username,
        name: account.displayName,
        threads_profile_picture_url: account.avatarUrl,
      });
    }
    if (edge && target !== "me" && target !== account.platformUserId)
      return graphError("Unsupported request: the user id does not belong to this token.", 100);
    const media = (p: SandboxPost) => ({
      id: p.id,
      media_type: p.imageUrl ? "IMAGE" : "TEXT_POST",
      text: p.text,
      timestamp: p.createdAt.toISOString().replace(/\.\d{3}Z$/, "+0000"),
      permalink: postUrl(p),
      ...(p.replyToId ? { is_reply: true, replied_to: { id: p.replyToId } } : { is_reply: false }),
    });
    if (method === "GET" && (edge === "threads" || edge === "replies")) {
      const limit = Number(query.limit ?? 25);
      const offset = Number(query.after ?? 0);
      const all = feedOf(account.accountId).filter((p) => (edge === "replies" ? Boolean(p.replyToId) : !p.replyToId));
      const data = all
        .reverse()
        .slice(offset, offset + limit)
        .map(media);
      const more = offset + limit < all.length;
      return json(200, {
        data,
        paging: {
          cursors: { before: String(offset), after: String(offset + limit) },
          ...(more ? { next: `${url}${path}` } : {}),
        },
      });
    }
    if (method === "POST" && edge === "threads") {
      const text = String(body.text ?? query.text ?? "");
      const mediaType = String(body.media_type ?? query.media_type ?? "");
      const imageUrl = (body.image_url ?? query.image_url) as string | undefined;
      const replyToId = (body.reply_to_id ?? query.reply_to_id) as string | undefined;
      if (mediaType !== "TEXT" && mediaType !== "IMAGE") return graphError("Param media_type must be one of {TEXT, IMAGE}.");
      if (mediaType === "TEXT" && !text.trim()) return graphError("Param text is required for TEXT posts.");
      if (mediaType === "IMAGE" && !imageUrl) return graphError("Param image_url is required for IMAGE posts.");
      if (charLength(text) > 500) return graphError("Param text must be at most 500 characters long.");
      if (replyToId && !posts.some((p) => p.platform === "threads" && p.id === replyToId))
        return graphError("The post you are replying to does not exist.");
      const seq = nextSequence();
      const id = `179${String(seq).padStart(14, "0")}`;
      let image: SandboxMedia | undefined;
      if (mediaType === "IMAGE" && imageUrl) {
        // As Meta does: the image is fetched from its URL now, so it must be public and an image.
        const fetched = await fetch(imageUrl, { signal: AbortSignal.timeout(5_000), redirect: "manual" })
          .then(async (r) => (r.ok ? new Uint8Array(await r.arrayBuffer()) : null))
          .catch(() => null);
        if (!fetched) return graphError(`The image at image_url could not be downloaded: ${imageUrl}`, 100);
        const media = await imageOf(id, fetched);
        if (!media) return graphError("The file at image_url is not a supported image.", 100);
        image = { ...media, fetchedFrom: imageUrl };
      }
      containers.set(id, {
        accountId: account.accountId,
        text,
        ...(imageUrl ? { imageUrl } : {}),
        ...(image ? { media: image } : {}),
        ...(replyToId ? { replyToId } : {}),
      });
      return json(200, { id });
    }
    if (method === "POST" && edge === "threads_publish") {
      return once(account, "threads_publish", headers, () => {
        const creationId = String(body.creation_id ?? query.creation_id ?? "");
        const container = containers.get(creationId);
        if (!container || container.accountId !== account.accountId) return graphError("Media container not found.", 24);
        if (container.publishedId) return graphError("The media container has already been published.", 100);
        const post = publish(
          account,
          {
            text: container.text,
            ...(container.replyToId ? { replyToId: container.replyToId } : {}),
            ...(container.imageUrl ? { imageUrl: container.imageUrl } : {}),
            ...(container.media ? { media: [container.media] } : {}),
          },
          headers,
        );
        container.publishedId = post.id;
        return json(200, { id: post.id });
      });
    }
    if (method === "GET" && !edge) {
      const post = posts.find((p) => p.platform === "threads" && p.id === target && p.accountId === account.accountId);
      return post ? json(200, media(post)) : graphError(`Object with ID '${target}' does not exist.`, 100);
    }
    return graphError(`Unsupported ${method} request.`);
  }

  // WordPress
  if (path.startsWith("/wordpress/wp-json/wp/v2/")) {
    const account = authenticate("wordpress", headers, query, body);
    if ("status" in account) return account;
    const resource = path.slice("/wordpress/wp-json/wp/v2/".length);
    const site = `${url}/wordpress`;
    const wp = (p: SandboxPost) => ({
      id: Number(p.id),
      link: `${site}/${p.slug}/`,
      slug: p.slug,
      status: "publish",
      date_gmt: p.createdAt.toISOString().slice(0, 19),
      title: { raw: p.title, rendered: escapeHtml(p.title ?? "") },
      content: { raw: p.text, rendered: `<p>${p.text}</p>\n`, protected: false },
      author: Number(account.platformUserId),
    });
    if (method === "GET" && resource === "users/me") {
      return json(200, {
        id: Number(account.platformUserId),
        name: account.displayName,
        username: account.username,
        slug: account.username,
        // One drawing at every size (a "?s=24" suffix would end up inside the data: URL's SVG).
        avatar_urls: { "24": account.avatarUrl, "96": account.avatarUrl },
      });
    }
    if (resource === "posts" && method === "GET") {
      const list = feedOf(account.accountId)
        .filter((p) => !query.slug || query.slug.split(",").includes(p.slug ?? ""))
        .reverse()
        .slice(0, Number(query.per_page ?? 10))
        .map(wp);
      return json(200, list);
    }
    if (resource === "media" && method === "POST") {
      const seq = nextSequence();
      const id = String(seq);
      const media = await imageOf(id, raw);
      if (!media)
        return json(400, {
          code: "rest_upload_sideload_error",
          message: "Sorry, you are not allowed to upload this file type.",
          data: { status: 400 },
        });
      upload(account, id, media);
      const name = /filename="?([^";]+)"?/.exec(headers["content-disposition"] ?? "")?.[1] ?? `image-${id}`;
      return json(201, {
        id: Number(id),
        media_type: "image",
        mime_type: media.contentType,
        source_url: `${site}/wp-content/uploads/${encodeURIComponent(name)}`,
      });
    }
    if (resource === "posts" && method === "POST") {
      return once(account, "posts", headers, () => {
        const title = typeof body.title === "string" ? body.title : "";
        const content = typeof body.content === "string" ? body.content : "";
        if (!title.trim() && !content.trim())
          return json(400, { code: "empty_content", message: "Content, title, and excerpt are empty.", data: { status: 400 } });
        let slug = String(body.slug ?? (title.toLowerCase().replace(/[^a-z0-9]+/g, "-") || "post"));
        const taken = (s: string) => posts.some((p) => p.platform === "wordpress" && p.slug === s);
        if (taken(slug)) {
          let n = 2;
          while (taken(`${slug}-${n}`)) n++;
          slug = `${slug}-${n}`;
        }
        const featured = body.featured_media;
        const media = featured === undefined || featured === 0 ? undefined : uploaded(account, featured);
        if (featured !== undefined && featured !== 0 && !media)
          return json(400, {
            code: "rest_invalid_featured_media",
            message: "Invalid featured media ID.",
            data: { status: 400 },
          });
        return json(201, wp(publish(account, { text: content, title, slug, ...(media ? { media: [media] } : {}) }, headers)));
      });
    }
    return json(404, {
      code: "rest_no_route",
      message: "No route was found matching the URL and request method.",
      data: { status: 404 },
    });
  }
  return json(404, { error: `No sandbox route ${method} ${path}` });
}
