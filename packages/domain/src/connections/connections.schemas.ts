/** Publishing connections: inputs and the shape the browser sees (browser-safe: zod only, never a token). */
import { z } from "zod";

export const PUBLISHING_PLATFORMS = ["x", "linkedin", "threads", "wordpress"] as const;
export const OAUTH_PLATFORMS = ["x", "linkedin", "threads"] as const;
export const CONNECTION_STATUSES = ["active", "needs_reauth"] as const;

export type PublishingPlatform = (typeof PUBLISHING_PLATFORMS)[number];
export type OAuthPlatform = (typeof OAUTH_PLATFORMS)[number];
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** A connected account as the web shows it. Tokens and passwords stay on the server. */
export interface Connection {
  id: string;
  platform: PublishingPlatform;
  displayName: string;
  username: string;
  avatarUrl: string | null;
  status: ConnectionStatus;
  accessExpiresAt: Date | null;
  lastRefreshedAt: Date | null;
  lastError: string | null;
  /** WordPress: the site the posts go to. */
  siteUrl: string | null;
  createdAt: Date;
}

export const startOAuthInput = z.object({
  platform: z.enum(OAUTH_PLATFORMS),
  /** Renew this connection (same account) instead of adding one. */
  reconnectId: z.uuid().optional(),
});

export const connectWordPressInput = z.object({
  siteUrl: z
    .string()
    .trim()
    .min(1, "Enter your site's address")
    .max(2000)
    .transform((s) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`))
    .pipe(z.url({ protocol: /^https?$/, message: "Enter your site's address, e.g. https://example.com" })),
  username: z.string().trim().min(1, "Enter your WordPress username").max(320),
  applicationPassword: z
    .string()
    .trim()
    .min(1, "Enter an application password")
    .max(200, "That is longer than a WordPress application password"),
});

export const connectionIdInput = z.object({ connectionId: z.uuid() });

export type StartOAuthInput = z.infer<typeof startOAuthInput>;
export type ConnectWordPressInput = z.infer<typeof connectWordPressInput>;
