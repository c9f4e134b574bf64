/** The sandbox platform's public shapes (what tests read) and its internal records. */
import type { IncomingHttpHeaders } from "node:http";
import type { PlatformsConfig } from "../config.ts";
import type { PlatformKind } from "../platform.types.ts";

export interface SandboxAccount {
  /** `${platform}:${platformUserId}` — the key of feed(). */
  accountId: string;
  platform: PlatformKind;
  platformUserId: string;
  username: string;
  displayName: string;
  avatarUrl: string;
  /** WordPress only. */
  applicationPassword?: string;
}

export interface SandboxPost {
  id: string;
  platform: PlatformKind;
  accountId: string;
  text: string;
  title?: string;
  slug?: string;
  replyToId?: string;
  imageUrl?: string;
  /** Images attached to the post, as the sandbox received them. */
  media?: SandboxMedia[];
  idempotencyKey?: string;
  createdAt: Date;
}

export interface SandboxMedia {
  /** The platform's media id (X media id, LinkedIn image URN, WordPress attachment id, Threads container id). */
  id: string;
  /** Sniffed from the bytes received. */
  contentType: string;
  byteSize: number;
  /** Threads: the URL the image was fetched from. */
  fetchedFrom?: string;
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  outcome: "pending" | "ok" | "failed" | "timed-out" | "hung";
}

export interface SandboxFaultFilter {
  /** Only requests whose path matches (e.g. /threads_publish$/); others pass by the fault. */
  path?: RegExp;
}

export interface SandboxFailOptions extends SandboxFaultFilter {
  status: number;
  retryAfterSeconds?: number;
  message?: string;
}

export interface SandboxPlatform {
  url: string;
  /** Adapter configuration pointing at this sandbox. */
  config: PlatformsConfig;
  /** The sandbox WordPress site and its default user's application password. */
  wordpress: { siteUrl: string; username: string; applicationPassword: string };
  requests: SandboxRequest[];
  accounts(platform?: PlatformKind): SandboxAccount[];
  /** The account authorize approves as by default (or the WordPress user). */
  defaultAccount(platform: PlatformKind): SandboxAccount;
  addAccount(platform: PlatformKind, username: string, displayName?: string): SandboxAccount;
  /** Published posts of an account, oldest first. */
  feed(accountId: string): SandboxPost[];
  failNext(n: number, options: SandboxFailOptions): void;
  /** The next n platform requests are processed (a publish commits) and then never answered. */
  timeoutNext(n: number, filter?: SandboxFaultFilter): void;
  /** The next n platform requests are neither processed nor answered. */
  hangNext(n: number, filter?: SandboxFaultFilter): void;
  /** Revokes an access token, refresh token or WordPress application password. */
  revoke(token: string): void;
  /** Revokes every token issued for an account (the person removed the app on the platform); returns how many. */
  revokeAccount(accountId: string): number;
  /** Tokens currently valid for an account (not revoked, used or expired), by kind. */
  liveTokens(accountId: string): { access: number; refresh: number };
  /**
   * While on, X and LinkedIn answer an authorization-code exchange without a refresh token (as
   * LinkedIn does for most apps, and providers do on a repeated consent).
   */
  withholdRefreshTokens(on: boolean): void;
  /** Delay every platform request by ms (0 restores). */
  slow(ms: number): void;
  /**
   * Platform requests being handled right now and the most handled at once (since the start or the
   * last `resetPeak`, which starts the peak again from the current count).
   */
  inFlight(options?: { resetPeak?: boolean }): { now: number; peak: number };
  stop(): Promise<void>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  html?: string;
}

export interface Token {
  accountId: string;
  platform: PlatformKind;
  kind: "access" | "refresh" | "short";
  expiresAt: number;
  revoked: boolean;
  used: boolean;
  scopes: string[];
  /** Tokens issued from the same authorization; reuse of a rotated refresh token revokes them all. */
  family: string;
}

export interface Code {
  accountId: string;
  platform: PlatformKind;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface Container {
  accountId: string;
  text: string;
  imageUrl?: string;
  media?: SandboxMedia;
  replyToId?: string;
  publishedId?: string;
}
