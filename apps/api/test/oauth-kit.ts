/**
 * Sign-in with other accounts, end to end: the app's start route, the sandbox provider's authorize
 * page (real HTTP, redirects followed by hand), the app's callback with the state cookie the start set.
 */
import { randomUUID } from "node:crypto";
import {
  type IdentitySandbox,
  type SandboxProvider,
  type SandboxUser,
  startIdentitySandbox,
} from "@inkwell/domain/classrooms/testing";
import { OAUTH_ERROR_MESSAGES } from "@inkwell/domain/identity/schemas";
import { expect } from "vitest";
import type { Harness } from "./harness.ts";

export async function withIdentitySandbox(h: Harness): Promise<IdentitySandbox> {
  const sandbox = await startIdentitySandbox();
  h.deps.oauth = {
    providers: {
      clever: { ...cred(sandbox, "clever"), issuer: sandbox.cleverUrl },
      google: { ...cred(sandbox, "google"), issuer: sandbox.googleIssuer },
    },
    cleverApiUrl: sandbox.url,
    callbackBaseUrl: "http://app.test",
  };
  return sandbox;
}

const cred = (s: IdentitySandbox, p: SandboxProvider) => ({
  clientId: s.clients[p].clientId,
  clientSecret: s.clients[p].clientSecret,
});

export function newSandboxUser(
  sandbox: IdentitySandbox,
  provider: SandboxProvider,
  over: Partial<SandboxUser> = {},
): SandboxUser {
  const tag = randomUUID().slice(0, 8);
  return sandbox.addUser({
    id: `${provider}-${tag}`,
    provider,
    email: `${provider}-${tag}@example.test`,
    emailVerified: provider === "google",
    firstName: "Test",
    lastName: tag,
    ...over,
  });
}

const cookieValue = (res: Response, name: string) => {
  for (const c of res.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1] ?? "";
  }
  return undefined;
};

export interface Dance {
  /** The app's answer to the callback. */
  callback: Response;
  /** The callback path the provider sent the browser to, and the state cookie (to replay them). */
  callbackPath: string;
  stateCookie: string;
  /** The session token set by the callback, if any. */
  session: string | undefined;
  /** Where the app sent the browser (path and query). */
  location: string;
}

/** Start → provider (auto-approves `hint`) → callback, as a browser would with cookies. */
export async function startAndAuthorize(
  h: Harness,
  provider: SandboxProvider,
  hint: string,
  options: { sessionToken?: string; link?: boolean; redirectTo?: string } = {},
) {
  const q = new URLSearchParams({
    redirect_to: options.redirectTo ?? "/classrooms",
    login_hint: hint,
    ...(options.link ? { link: "1" } : {}),
  });
  const start = await h.app.request(`/auth/oauth/${provider}/start?${q}`, {
    headers: options.sessionToken ? { cookie: `inkwell_session=${options.sessionToken}` } : {},
  });
  expect(start.status).toBe(302);
  const stateCookie = cookieValue(start, "inkwell_oauth_state");
  expect(stateCookie).toBeTruthy();
  const authorize = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
  expect(authorize.status).toBe(302);
  const back = new URL(authorize.headers.get("location") ?? "");
  expect(back.origin).toBe("http://app.test");
  return { callbackPath: back.pathname + back.search, stateCookie: stateCookie ?? "" };
}

export async function callback(
  h: Harness,
  callbackPath: string,
  stateCookie: string | null,
): Promise<Omit<Dance, "callbackPath" | "stateCookie">> {
  const res = await h.app.request(callbackPath, {
    headers: stateCookie === null ? {} : { cookie: `inkwell_oauth_state=${stateCookie}` },
  });
  expect(res.status).toBe(302);
  return {
    callback: res,
    session: cookieValue(res, "inkwell_session") || undefined,
    location: res.headers.get("location") ?? "",
  };
}

export async function signInWith(
  h: Harness,
  provider: SandboxProvider,
  hint: string,
  options: { sessionToken?: string; link?: boolean; redirectTo?: string } = {},
): Promise<Dance> {
  const started = await startAndAuthorize(h, provider, hint, options);
  return { ...started, ...(await callback(h, started.callbackPath, started.stateCookie)) };
}

/** The failure a redirect carries; each must be one the pages show as it is (OAUTH_ERROR_MESSAGES). */
export const oauthError = (location: string) => {
  const message = new URL(location, "http://app.test").searchParams.get("oauth_error");
  if (message !== null) expect(OAUTH_ERROR_MESSAGES).toContain(message);
  return message;
};
