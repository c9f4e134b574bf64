import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxPlatformsConfig } from "./config.ts";
import { isPlatformError } from "./errors.ts";
import { unexpected } from "./http.ts";
import { createPlatformAdapters } from "./index.ts";
import { tokensFrom } from "./oauth-kit.ts";

/**
 * A WordPress site is an address a user typed. One that answers with a redirect must not send the
 * server on to another address (its own network: cloud metadata, localhost services) and echo what it
 * found back into an error message the user reads.
 */
let site: Server;
let internal: Server;
let siteUrl: string;
let internalHits = 0;
const SECRET = "instance-metadata-secret-8c1f";

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  internal = createServer((_req, res) => {
    internalHits++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ secret: SECRET }));
  });
  const internalUrl = await listen(internal);
  site = createServer((req, res) => res.writeHead(302, { location: `${internalUrl}${req.url}` }).end());
  siteUrl = await listen(site);
});
afterAll(async () => {
  site.closeAllConnections();
  internal.closeAllConnections();
  await Promise.all([new Promise((r) => site.close(r)), new Promise((r) => internal.close(r))]);
});

describe("platform requests", () => {
  it("do not follow a redirect: nothing reaches the other address and nothing of it comes back", async () => {
    const { wordpress } = createPlatformAdapters(sandboxPlatformsConfig("http://127.0.0.1:9", 2_000));
    const credentials = { siteUrl, username: "someone", applicationPassword: "abcd efgh ijkl mnop qrst uvwx" };
    const error = await wordpress.profile(credentials).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPlatformError(error)).toBe(true);
    expect(error).toMatchObject({ kind: "permanent", status: 302 });
    expect((error as Error).message).toMatch(/redirect/);
    expect((error as Error).message).not.toContain(SECRET);
    const published = await wordpress
      .publish({ parts: ["Hello"], title: "Hello", idempotencyKey: "inkwell-post-redirect" }, credentials)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(published).toMatchObject({ kind: "permanent", status: 302 });
    expect(internalHits).toBe(0);
  });
});

describe("an unexpected answer", () => {
  it("is described without the tokens or secrets it carries (it reaches logs, the connection's last error and the person)", () => {
    const reply = (text: string) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: 200, headers: new Headers(), body, text };
    };
    // A token answer without expires_in (optional in RFC 6749) is refused, but names no token.
    const error = (() => {
      try {
        tokensFrom(
          "x",
          reply('{"token_type":"bearer","access_token":"AT-live-7f3a","refresh_token":"RT-live-91bc","scope":"tweet.write"}'),
          "finishing the X sign-in",
        );
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/unexpected answer while finishing the X sign-in/);
    expect(error?.message).toContain("token_type");
    expect(error?.message).not.toMatch(/AT-live|RT-live/);
    const form = unexpected("threads", "renewing the Threads sign-in", reply("access_token=AT-form-1&expires=10"));
    expect(form.message).not.toContain("AT-form-1");
  });
});
