/**
 * WordPress REST API on the person's own site, with an application password (Basic auth):
 *   POST {site}/wp-json/wp/v2/media (the image bytes, Content-Disposition: attachment; filename=…) → 201 {id, source_url}
 *   POST {site}/wp-json/wp/v2/posts {title, content, status: "publish", slug, featured_media?}  → 201 {id, link}
 *   GET  {site}/wp-json/wp/v2/posts?slug=…&context=edit, ?per_page=n&context=edit
 *   GET  {site}/wp-json/wp/v2/users/me?context=edit
 * The slug carries a hash of the idempotency key, so reconciliation looks the post up by slug: exact,
 * and independent of how WordPress reformats the content.
 */
import { createHash } from "node:crypto";
import { assertValid, partKey } from "./adapter-kit.ts";
import type { WordPressConfig } from "./config.ts";
import { PlatformError } from "./errors.ts";
import { type HttpDeps, send, trimSlash, unexpected } from "./http.ts";
import { markdownToHtml } from "./markdown-html.ts";
import { mediaBytes } from "./media.ts";
import type { PlatformProfile, PublishRequest, RecentPost, WordPressAdapter, WordPressCredentials } from "./platform.types.ts";
import { PLATFORM_LIMITS, validatePost } from "./validate.ts";

interface WpPost {
  id: number;
  link: string;
  slug: string;
  date_gmt?: string;
  title?: { raw?: string; rendered?: string };
  content?: { raw?: string; rendered?: string };
}

/** `my-title-<10 hex of sha256(idempotency key)>`. */
export function wordpressSlug(post: Pick<PublishRequest, "title" | "idempotencyKey">): string {
  const words = (post.title ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  const hash = createHash("sha256").update(post.idempotencyKey).digest("hex").slice(0, 10);
  return words ? `${words}-${hash}` : `post-${hash}`;
}

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function createWordPressAdapter(config: WordPressConfig, deps: HttpDeps = {}): WordPressAdapter {
  const base = { platform: "wordpress" as const, timeoutMs: config.timeoutMs };
  const root = (c: WordPressCredentials) => `${trimSlash(c.siteUrl)}/wp-json/wp/v2`;
  const auth = (c: WordPressCredentials) => ({
    authorization: `Basic ${Buffer.from(`${c.username}:${c.applicationPassword}`).toString("base64")}`,
  });
  const toRecent = (p: WpPost): RecentPost => ({
    platformPostId: String(p.id),
    text: p.content?.raw ?? p.content?.rendered ?? "",
    createdAt: new Date(p.date_gmt ? `${p.date_gmt}Z` : 0),
    url: p.link,
    slug: p.slug,
  });

  async function query(
    credentials: WordPressCredentials,
    search: string,
    action: string,
    signal?: AbortSignal,
  ): Promise<WpPost[]> {
    const reply = await send(
      `${root(credentials)}/posts?${search}`,
      { ...base, headers: auth(credentials), mutating: false, action, signal },
      deps,
    );
    if (!Array.isArray(reply.body)) throw unexpected("wordpress", action, reply);
    return reply.body as WpPost[];
  }

  return {
    platform: "wordpress",
    displayName: "WordPress",
    limits: PLATFORM_LIMITS.wordpress,
    validate: (post) => validatePost("wordpress", post),

    async publish(post, credentials, options = {}) {
      assertValid("wordpress", post);
      if (post.alreadyPublished?.[0]) {
        throw new PlatformError(
          "permanent",
          "wordpress",
          "This post is already on WordPress; look it up with findPublished instead of publishing again.",
        );
      }
      // Each image is uploaded to the media library first (again on a retry: an unused attachment, never
      // a second post); the first becomes the featured image, and each is an image block after the text.
      const uploaded: { id: number; url: string; alt: string }[] = [];
      for (const media of post.media ?? []) {
        const uploading = "uploading the image";
        const { bytes, contentType, filename } = mediaBytes("wordpress", media);
        const reply = await send(
          `${root(credentials)}/media`,
          {
            ...base,
            headers: {
              ...auth(credentials),
              "content-type": contentType,
              "content-disposition": `attachment; filename="${filename.replace(/[^\w.-]+/g, "_")}"`,
            },
            body: bytes,
            mutating: false,
            action: uploading,
            signal: options.signal,
          },
          deps,
        );
        const body = reply.body as { id?: unknown; source_url?: unknown } | undefined;
        if (typeof body?.id !== "number" || typeof body.source_url !== "string") throw unexpected("wordpress", uploading, reply);
        uploaded.push({ id: body.id, url: body.source_url, alt: media.altText ?? "" });
      }
      const action = "publishing the post";
      const images = uploaded.map(
        (m) =>
          `<!-- wp:image {"id":${m.id}} -->\n<figure class="wp-block-image"><img src="${escapeAttr(m.url)}" alt="${escapeAttr(m.alt)}" class="wp-image-${m.id}"/></figure>\n<!-- /wp:image -->`,
      );
      const reply = await send(
        `${root(credentials)}/posts`,
        {
          ...base,
          headers: { ...auth(credentials), "idempotency-key": partKey(post, 0) },
          body: {
            title: post.title,
            // The article is Markdown: WordPress gets it as sanitised HTML (it would show "## Heading" as written).
            content: [markdownToHtml(post.parts[0] ?? ""), ...images].join("\n"),
            status: "publish",
            slug: wordpressSlug(post),
            ...(uploaded[0] ? { featured_media: uploaded[0].id } : {}),
          },
          mutating: true,
          action,
          signal: options.signal,
        },
        deps,
      );
      const body = reply.body as { id?: unknown; link?: unknown } | undefined;
      if (typeof body?.id !== "number" && typeof body?.id !== "string") throw unexpected("wordpress", action, reply);
      const part = {
        platformPostId: String(body.id),
        url: typeof body.link === "string" ? body.link : `${trimSlash(credentials.siteUrl)}/?p=${body.id}`,
      };
      return { ...part, parts: [part] };
    },

    async listRecent(credentials, options = {}) {
      const posts = await query(
        credentials,
        `per_page=${Math.min(100, options.limit ?? 20)}&orderby=date&context=edit`,
        "reading your recent WordPress posts",
        options.signal,
      );
      return posts.map(toRecent);
    },

    async findPublished(post, credentials, options = {}) {
      const slug = wordpressSlug(post);
      const posts = await query(
        credentials,
        `slug=${encodeURIComponent(slug)}&status=publish,future,draft,pending,private&context=edit`,
        "checking whether the post reached WordPress",
        options.signal,
      );
      const found = posts.find((p) => p.slug === slug);
      return found ? [{ platformPostId: String(found.id), url: found.link }] : [];
    },

    async profile(credentials, options = {}): Promise<PlatformProfile> {
      const action = "signing in to your WordPress site";
      const reply = await send(
        `${root(credentials)}/users/me?context=edit`,
        { ...base, headers: auth(credentials), mutating: false, action, signal: options.signal },
        deps,
      );
      const user = reply.body as
        | { id?: number; name?: string; username?: string; slug?: string; avatar_urls?: Record<string, string> }
        | undefined;
      if (user?.id === undefined) throw unexpected("wordpress", action, reply);
      const avatars = Object.entries(user.avatar_urls ?? {}).sort(([a], [b]) => Number(b) - Number(a));
      const username = user.username ?? user.slug ?? credentials.username;
      return {
        platformUserId: String(user.id),
        username,
        displayName: user.name ?? username,
        avatarUrl: avatars[0]?.[1] ?? null,
      };
    },
  };
}
