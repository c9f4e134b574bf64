/**
 * The sign-in providers (Clever, Google) behind one mechanism: oauth4webapi (panva) speaks the
 * protocol (authorization request with state and PKCE S256, response validation, code exchange, ID
 * token claims, userinfo); this file says where each provider lives and how its profile reads.
 *
 * Configured by env (`OAUTH_<P>_CLIENT_ID`, `_CLIENT_SECRET`, `_ISSUER`, and `CLEVER_API_URL`); the
 * defaults point at the local identity sandbox `pnpm dev` starts (classrooms/testing), so nothing
 * leaves the machine until real credentials are set.
 */
import * as oauth from "oauth4webapi";
import { z } from "zod";
import { DomainError } from "../platform/errors.ts";

export const OAUTH_PROVIDERS = ["clever", "google"] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

export const DEFAULT_IDENTITY_SANDBOX_URL = "http://127.0.0.1:4050";

export const oauthEnvSchema = z.object({
  OAUTH_CLEVER_CLIENT_ID: z.string().min(1).default("sandbox-clever-client"),
  OAUTH_CLEVER_CLIENT_SECRET: z.string().min(1).default("sandbox-clever-secret"),
  /** Where /oauth/authorize and /oauth/tokens live (https://clever.com for the real one). */
  OAUTH_CLEVER_ISSUER: z.url().default(DEFAULT_IDENTITY_SANDBOX_URL),
  /** Clever's data API (https://api.clever.com for the real one). */
  CLEVER_API_URL: z.url().default(DEFAULT_IDENTITY_SANDBOX_URL),
  OAUTH_GOOGLE_CLIENT_ID: z.string().min(1).default("sandbox-google-client"),
  OAUTH_GOOGLE_CLIENT_SECRET: z.string().min(1).default("sandbox-google-secret"),
  /** An OpenID Connect issuer, discovered (https://accounts.google.com for the real one). */
  OAUTH_GOOGLE_ISSUER: z.url().default(`${DEFAULT_IDENTITY_SANDBOX_URL}/google`),
});
export type OAuthEnv = z.infer<typeof oauthEnvSchema>;

export interface OAuthProviderSettings {
  clientId: string;
  clientSecret: string;
  issuer: string;
}

export interface OAuthSignInRuntime {
  providers: Record<OAuthProvider, OAuthProviderSettings>;
  /** Clever's data API base (the roster sync and the sign-in profile read it). */
  cleverApiUrl: string;
  /** The app's public origin: callbacks come back to `${callbackBaseUrl}/auth/oauth/<provider>/callback`. */
  callbackBaseUrl: string;
}

export function oauthRuntimeFromEnv(env: OAuthEnv, callbackBaseUrl: string): OAuthSignInRuntime {
  return {
    providers: {
      clever: {
        clientId: env.OAUTH_CLEVER_CLIENT_ID,
        clientSecret: env.OAUTH_CLEVER_CLIENT_SECRET,
        issuer: env.OAUTH_CLEVER_ISSUER,
      },
      google: {
        clientId: env.OAUTH_GOOGLE_CLIENT_ID,
        clientSecret: env.OAUTH_GOOGLE_CLIENT_SECRET,
        issuer: env.OAUTH_GOOGLE_ISSUER,
      },
    },
    cleverApiUrl: env.CLEVER_API_URL,
    callbackBaseUrl,
  };
}

export const callbackUrl = (runtime: OAuthSignInRuntime, provider: OAuthProvider) =>
  `${runtime.callbackBaseUrl.replace(/\/$/, "")}/auth/oauth/${provider}/callback`;

/** Plain http only for a local address (the sandbox); oauth4webapi refuses http otherwise. */
export const insecureOption = (url: string) =>
  new URL(url).protocol === "http:" ? ({ [oauth.allowInsecureRequests]: true } as const) : ({} as const);

const discovered = new Map<string, Promise<oauth.AuthorizationServer>>();

/** The provider's metadata: Clever's endpoints are fixed paths; Google's are discovered (and cached). */
export async function authorizationServer(
  runtime: OAuthSignInRuntime,
  provider: OAuthProvider,
): Promise<oauth.AuthorizationServer> {
  const issuer = runtime.providers[provider].issuer.replace(/\/$/, "");
  if (provider === "clever") {
    return { issuer, authorization_endpoint: `${issuer}/oauth/authorize`, token_endpoint: `${issuer}/oauth/tokens` };
  }
  let found = discovered.get(issuer);
  if (!found) {
    const url = new URL(issuer);
    found = oauth
      .discoveryRequest(url, { algorithm: "oidc", signal: AbortSignal.timeout(10_000), ...insecureOption(issuer) })
      .then((res) => oauth.processDiscoveryResponse(url, res));
    discovered.set(issuer, found);
    found.catch(() => discovered.delete(issuer));
  }
  try {
    return await found;
  } catch {
    throw new DomainError("UPSTREAM_FAILED", "The sign-in provider could not be reached. Please try again.");
  }
}

export const scopesOf = (provider: OAuthProvider) => (provider === "google" ? "openid email profile" : "");

/** What a provider says about the person, reduced to what sign-in needs. */
export interface ProviderProfile {
  id: string;
  email: string | null;
  /** Only a provider's own verification counts for linking to an existing account by e-mail. */
  emailVerified: boolean;
  name: string | null;
  /** Clever: the user's role, district and school (the classrooms module records them). */
  clever?: { role: string; districtId: string | null; schoolId: string | null; raw: Record<string, unknown> };
}

async function getJson(url: string, accessToken: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new DomainError("UPSTREAM_FAILED", "The sign-in provider did not return your profile. Please try again.");
  return (await res.json()) as Record<string, unknown>;
}

const cleverUser = z.object({
  id: z.string().min(1).max(255),
  district: z.string().max(255).nullish(),
  email: z.string().max(254).nullish(),
  name: z.object({ first: z.string().nullish(), last: z.string().nullish() }).partial().nullish(),
  roles: z.record(z.string(), z.object({ school: z.string().nullish() }).passthrough()).default({}),
});

/**
 * Clever's profile: `/v3.0/me` names the user, `/v3.0/users/:id` describes them. Clever's e-mails come
 * from the district's records, not from a check Clever made, so they never count as verified.
 */
export async function cleverProfile(apiUrl: string, accessToken: string): Promise<ProviderProfile> {
  const base = apiUrl.replace(/\/$/, "");
  const me = z
    .object({ data: z.object({ id: z.string().min(1).max(255) }) })
    .safeParse(await getJson(`${base}/v3.0/me`, accessToken));
  if (!me.success) throw new DomainError("UPSTREAM_FAILED", "Clever returned an unexpected profile.");
  const body = (await getJson(`${base}/v3.0/users/${encodeURIComponent(me.data.data.id)}`, accessToken)) as { data?: unknown };
  const user = cleverUser.safeParse(body.data);
  if (!user.success) throw new DomainError("UPSTREAM_FAILED", "Clever returned an unexpected profile.");
  const [role, details] = Object.entries(user.data.roles)[0] ?? ["student", {}];
  const name = [user.data.name?.first, user.data.name?.last].filter(Boolean).join(" ") || null;
  return {
    id: user.data.id,
    email: user.data.email?.toLowerCase() ?? null,
    emailVerified: false,
    name,
    clever: {
      role,
      districtId: user.data.district ?? null,
      schoolId: (details as { school?: string | null }).school ?? null,
      raw: body.data as Record<string, unknown>,
    },
  };
}
