/** The sandbox's small pieces: replies in each platform's shape, tokens, avatars. */
import { randomBytes } from "node:crypto";
import type { PlatformKind } from "../platform.types.ts";
import type { Reply } from "./sandbox-platform.types.ts";

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });
export const token = (prefix: string) => `${prefix}_${randomBytes(18).toString("base64url")}`;
export const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each platform's answer to a missing, unknown, expired or revoked credential. */
export function authFailure(platform: PlatformKind, revoked: boolean): Reply {
  switch (platform) {
    case "x":
      return json(401, { title: "Unauthorized", type: "about:blank", status: 401, detail: "Unauthorized" });
    case "linkedin":
      return json(401, {
        status: 401,
        serviceErrorCode: revoked ? 65601 : 65600,
        code: revoked ? "REVOKED_ACCESS_TOKEN" : "INVALID_ACCESS_TOKEN",
        message: revoked ? "The token used in the request has been revoked by the user" : "Invalid access token",
      });
    case "threads":
      return json(400, {
        error: {
          message: "Error validating access token: the session has been invalidated.",
          type: "OAuthException",
          code: 190,
          fbtrace_id: "sandbox",
        },
      });
    case "wordpress":
      return json(401, {
        code: "incorrect_password",
        message: "The provided password is an invalid application password.",
        data: { status: 401 },
      });
  }
}

const AVATAR_COLOURS: Record<PlatformKind, string> = {
  x: "#1d1d1f",
  linkedin: "#0a66c2",
  threads: "#5b2a86",
  wordpress: "#21759b",
};

/**
 * A sandbox account's picture: a data: URL (an initial on the platform's colour), so it shows wherever
 * the app shows the account. A URL on the sandbox's own origin (http://127.0.0.1:…) would be another
 * origin to the app, outside its CSP's img-src ('self' data: blob: https:), and the old
 * https://avatars.invalid/… never resolved.
 */
export function sandboxAvatar(platform: PlatformKind, displayName: string): string {
  const initial = escapeHtml([...displayName.trim()][0]?.toUpperCase() ?? "?");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" rx="48" fill="${AVATAR_COLOURS[platform]}"/><text x="48" y="62" font-family="system-ui,sans-serif" font-size="44" font-weight="600" fill="#fff" text-anchor="middle">${initial}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export function graphError(message: string, code = 100): Reply {
  return json(400, { error: { message, type: "OAuthException", code, fbtrace_id: "sandbox" } });
}
