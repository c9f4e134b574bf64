import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxPlatformsConfig } from "./config.ts";
import { isPlatformError } from "./errors.ts";
import { createPlatformAdapters } from "./index.ts";

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
