import { describe, expect, it } from "vitest";
import { publishingEnvSchema, publishingRuntimeFromEnv } from "./platforms.runtime.ts";

const envOf = (vars: Record<string, string>) => publishingEnvSchema.parse(vars);

describe("publishing configuration from the environment", () => {
  it("points every platform at the sandbox when PUBLISHING_SANDBOX_URL is set", () => {
    const runtime = publishingRuntimeFromEnv(envOf({ PUBLISHING_SANDBOX_URL: "http://127.0.0.1:4010/" }), "http://app.test/");
    expect(runtime.sandbox).toBe(true);
    expect(runtime.sandboxFeedUrl).toBe("http://127.0.0.1:4010/sandbox/feed");
    expect(runtime.configured).toEqual({ x: true, linkedin: true, threads: true, wordpress: true });
    expect(runtime.platforms.x.tokenUrl).toBe("http://127.0.0.1:4010/x/2/oauth2/token");
    expect(runtime.callbackBaseUrl).toBe("http://app.test");
    expect(runtime.allowInsecureSites).toBe(true);
  });

  it("offers only WordPress when nothing is configured", () => {
    const runtime = publishingRuntimeFromEnv(envOf({}));
    expect(runtime.sandbox).toBe(false);
    expect(runtime.sandboxFeedUrl).toBeNull();
    expect(runtime.configured).toEqual({ x: false, linkedin: false, threads: false, wordpress: true });
    expect(runtime.allowInsecureSites).toBe(false);
  });

  it("uses a platform's real endpoints once its client is set, with overrides", () => {
    const runtime = publishingRuntimeFromEnv(
      envOf({
        X_CLIENT_ID: "id",
        X_CLIENT_SECRET: "secret",
        X_API_BASE_URL: "https://x-proxy.example",
        LINKEDIN_CLIENT_ID: "only-an-id",
        PUBLISHING_TIMEOUT_MS: "8000",
      }),
    );
    expect(runtime.configured).toMatchObject({ x: true, linkedin: false, threads: false });
    expect(runtime.platforms.x).toMatchObject({
      clientId: "id",
      clientSecret: "secret",
      apiBaseUrl: "https://x-proxy.example",
      authorizeUrl: "https://x.com/i/oauth2/authorize",
      timeoutMs: 8000,
    });
  });

  it("refuses a malformed URL", () => {
    expect(() => envOf({ PUBLISHING_SANDBOX_URL: "not a url" })).toThrow();
  });
});
