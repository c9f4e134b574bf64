/** The OAuth 2.0 pieces the platforms share (authorization code + PKCE, refresh_token grant, revocation). */
import type { OAuthPlatformConfig } from "./config.ts";
import { PLATFORM_NAMES, PlatformError } from "./errors.ts";
import { type HttpDeps, send, unexpected, type WireResponse } from "./http.ts";
import type { CallOptions, OAuthPlatformAdapter, OAuthTokens, PlatformKind } from "./platform.types.ts";

export function buildAuthorizeUrl(
  config: OAuthPlatformConfig,
  input: { state: string; codeChallenge: string; redirectUri: string; scopes: string[] },
  scopeSeparator = " ",
): string {
  const url = new URL(config.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("scope", input.scopes.join(scopeSeparator));
  url.searchParams.set("state", input.state);
  url.searchParams.set("code_challenge", input.codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

export function tokensFrom(
  platform: PlatformKind,
  reply: WireResponse,
  action: string,
  requestedScopes: string[] = [],
  now = Date.now(),
): OAuthTokens {
  const body = reply.body as
    | { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; scope?: unknown }
    | undefined;
  if (typeof body?.access_token !== "string" || typeof body.expires_in !== "number") throw unexpected(platform, action, reply);
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
    expiresAt: new Date(now + body.expires_in * 1000),
    scopes: typeof body.scope === "string" ? body.scope.split(/[ ,]+/).filter(Boolean) : requestedScopes,
  };
}

/** POST to the token endpoint; a refused code or refresh token (400 invalid_grant) means re-authorising. */
export async function tokenRequest(
  platform: PlatformKind,
  config: OAuthPlatformConfig,
  form: Record<string, string>,
  options: { basicAuth: boolean; action: string } & CallOptions,
  deps: HttpDeps,
): Promise<WireResponse> {
  const params = new URLSearchParams(form);
  const headers: Record<string, string> = {};
  if (options.basicAuth) {
    headers.authorization = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`;
    params.set("client_id", config.clientId);
  } else {
    params.set("client_id", config.clientId);
    params.set("client_secret", config.clientSecret);
  }
  try {
    return await send(
      config.tokenUrl,
      {
        platform,
        body: params,
        headers,
        timeoutMs: config.timeoutMs,
        mutating: true,
        action: options.action,
        signal: options.signal,
      },
      deps,
    );
  } catch (error) {
    throw asGrantError(platform, error);
  }
}

/**
 * A token endpoint that refuses (400 invalid_grant / invalid_request: a used, expired or mismatched
 * code, verifier or refresh token) is not a validation problem: the grant is unusable, reconnect.
 */
export function asGrantError(platform: PlatformKind, error: unknown): unknown {
  if (error instanceof PlatformError && error.kind === "permanent") {
    const name = PLATFORM_NAMES[platform];
    return new PlatformError(
      "auth",
      platform,
      `${name} no longer accepts this sign-in (${error.message.replace(/^.*?: /, "")}). Reconnect ${name}.`,
      {
        ...(error.status === undefined ? {} : { status: error.status }),
      },
    );
  }
  return error;
}

/** RFC 7009 token revocation (X: /2/oauth2/revoke, LinkedIn: /oauth/v2/revoke); 200 whether or not the token was valid. */
export async function revokeRequest(
  platform: PlatformKind,
  config: OAuthPlatformConfig,
  revokeUrl: string,
  token: string,
  options: { basicAuth: boolean } & CallOptions,
  deps: HttpDeps,
): Promise<void> {
  const params = new URLSearchParams({ token, client_id: config.clientId });
  const headers: Record<string, string> = {};
  if (options.basicAuth) {
    headers.authorization = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64")}`;
  } else {
    params.set("client_secret", config.clientSecret);
  }
  await send(
    revokeUrl,
    {
      platform,
      body: params,
      headers,
      timeoutMs: config.timeoutMs,
      mutating: false,
      action: "disconnecting",
      signal: options.signal,
    },
    deps,
  );
}

/**
 * Sign-in, renewal and revocation against a standard OAuth 2.0 token endpoint (X, LinkedIn): the
 * client authenticates with HTTP Basic or in the form; `grantedScopes` stand in when the token answer
 * names none.
 */
export function standardGrants(
  platform: PlatformKind,
  config: OAuthPlatformConfig,
  deps: HttpDeps,
  options: { basicAuth: boolean; revokeUrl: string; grantedScopes?: string[] },
): Pick<OAuthPlatformAdapter, "exchangeCode" | "refresh" | "revoke"> {
  const { basicAuth } = options;
  const name = PLATFORM_NAMES[platform];
  const grant = async (form: Record<string, string>, action: string, call: CallOptions) =>
    tokensFrom(
      platform,
      await tokenRequest(platform, config, form, { basicAuth, action, ...call }, deps),
      action,
      options.grantedScopes,
    );
  return {
    exchangeCode: ({ code, codeVerifier, redirectUri }, call = {}) =>
      grant(
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: codeVerifier },
        `finishing the ${name} sign-in`,
        call,
      ),
    refresh: ({ refreshToken }, call = {}) =>
      grant({ grant_type: "refresh_token", refresh_token: refreshToken }, `renewing the ${name} sign-in`, call),
    revoke: ({ token }, call = {}) => revokeRequest(platform, config, options.revokeUrl, token, { basicAuth, ...call }, deps),
  };
}
