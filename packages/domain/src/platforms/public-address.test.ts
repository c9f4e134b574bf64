import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxPlatformsConfig } from "./config.ts";
import { PlatformError } from "./errors.ts";
import { publishingRuntime } from "./platforms.runtime.ts";
import { PrivateAddressError, publicAddressesOf, publicOnlyAgent, type ResolveHost } from "./public-address.ts";
import { type SandboxPlatform, startSandboxPlatform } from "./testing/index.ts";

let sandbox: SandboxPlatform;
beforeAll(async () => {
  sandbox = await startSandboxPlatform();
});
afterAll(() => sandbox.stop());

describe("WordPress sites outside the sandbox: the address is checked when the connection is opened", () => {
  it("refuses a name that resolved to a public address at the check and to 127.0.0.1 when connecting (DNS rebinding)", async () => {
    // A rebinding name server: a public address for the first question, loopback afterwards. The site is
    // named "localhost" so that, were the check not made at connect time, the system resolver would
    // really connect to the sandbox on this machine (and the profile would come back).
    let asked = 0;
    const rebinding: ResolveHost = async () => {
      asked += 1;
      return [asked === 1 ? { address: "93.184.216.34", family: 4 } : { address: "127.0.0.1", family: 4 }];
    };
    const runtime = publishingRuntime({ platforms: sandboxPlatformsConfig(sandbox.url), resolveHost: rebinding });
    expect(runtime.allowInsecureSites).toBe(false);
    const siteUrl = sandbox.wordpress.siteUrl.replace("127.0.0.1", "localhost");
    const before = sandbox.requests.length;

    // The early check (as on connecting and before each use) sees the public address…
    await expect(publicAddressesOf("localhost", runtime.resolveHost)).resolves.toEqual([{ address: "93.184.216.34", family: 4 }]);
    // …and the connection, resolved again, is refused before anything is sent.
    const refused = await runtime.adapters.wordpress.profile({ ...sandbox.wordpress, siteUrl }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PlatformError);
    expect((refused as PlatformError).kind).toBe("permanent");
    expect((refused as PlatformError).message).toMatch(/localhost resolves to 127\.0\.0\.1, an address on a private network/);
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(sandbox.requests.length).toBe(before);
  });

  it("refuses an IP literal on a private network, and leaves the sandbox's own runtime alone", async () => {
    const runtime = publishingRuntime({
      platforms: sandboxPlatformsConfig(sandbox.url),
      resolveHost: async () => [{ address: "127.0.0.1", family: 4 }],
    });
    const refused = await runtime.adapters.wordpress.profile(sandbox.wordpress).then(
      () => undefined,
      (error: unknown) => error as PlatformError,
    );
    expect(refused?.kind).toBe("permanent");
    expect(refused?.message).toMatch(/127\.0\.0\.1 resolves to 127\.0\.0\.1, an address on a private network/);
    // The sandbox runtime (pnpm dev, the tests) allows its own loopback site.
    const allowed = publishingRuntime({ platforms: sandboxPlatformsConfig(sandbox.url), sandboxUrl: sandbox.url });
    await expect(allowed.adapters.wordpress.profile(sandbox.wordpress)).resolves.toMatchObject({ username: "sandbox-editor" });
  });
});

describe("users' own AI connections: every connection is checked, redirect hops included", () => {
  it("refuses a connection to a private IP literal at connect time (where a followed redirect goes), before anything is sent", async () => {
    // The OpenAI SDK lets fetch follow redirects: https://public.example/v1 answering 307 to
    // http://127.0.0.1:<port>/ is a second connection to an IP literal, for which sockets skip the lookup.
    let reached = 0;
    const local = createServer((_req, res) => {
      reached += 1;
      res.end("internal");
    });
    await new Promise<void>((r) => local.listen(0, "127.0.0.1", r));
    const { port } = local.address() as AddressInfo;
    const agent = publicOnlyAgent(async () => [{ address: "93.184.216.34", family: 4 }]);
    try {
      const refused = await agent.request({ origin: `http://127.0.0.1:${port}`, path: "/", method: "GET" }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(PrivateAddressError);
      expect(reached).toBe(0);
    } finally {
      await agent.close();
      await new Promise((r) => local.close(r));
    }
  });
});
