/**
 * The process-wide budget of buffered body bytes cannot be held by one address: uploads announced at
 * their full size but sent slowly (or never) reserve their bytes until the server gives up on them, so
 * one address holding the whole budget would have every other user's calls refused.
 */
import { type ClientRequest, request } from "node:http";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { BODY_BUDGET_BYTES } from "../src/http/trpc-edge.ts";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
let server: ServerType | undefined;
const held: ClientRequest[] = [];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  for (const r of held) r.destroy();
  server?.close();
  if (server && "closeAllConnections" in server) server.closeAllConnections();
  await h.stop();
});

describe("the body budget", () => {
  it("is not all held by one address's slow uploads", async () => {
    const app = createApp({
      deps: h.deps,
      env: {
        APP_URL: "http://app.test",
        ALLOWED_ORIGINS: [],
        TRUST_PROXY: true,
        INKWELL_DEV_MAIL_DIR: undefined,
        WEB_DIST_DIR: undefined,
      },
    });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    const port = (server.address() as AddressInfo).port;
    const upload = 8 * 1024 * 1024;
    // One address, a few callers (any bearer token is a caller of its own until tRPC checks it), each
    // announcing a full-size upload and sending only its first bytes.
    const count = Math.ceil(BODY_BUDGET_BYTES / upload) + 2;
    // More uploads than the whole budget holds, so one is refused either way: once one is, the budget
    // is as full as this address can make it (its share with the fix, all of it without).
    let refused!: () => void;
    const oneRefused = new Promise<void>((resolve) => {
      refused = resolve;
    });
    for (let i = 0; i < count; i++) {
      const req = request({
        host: "127.0.0.1",
        port,
        path: "/trpc/chat.addDocument",
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": String(upload),
          authorization: `Bearer hostile-caller-token-${i % 4}`,
          "x-forwarded-for": "10.66.0.1",
        },
      });
      req.on("error", () => {});
      req.on("response", (res) => {
        res.resume();
        if (res.statusCode === 429) refused();
      });
      req.write('{"conversationId":');
      held.push(req);
    }
    await oneRefused;
    // Someone else signs in.
    const status = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ email: h.uniqueEmail("victim"), password: "correct horse battery staple" });
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/trpc/auth.signIn",
          method: "POST",
          agent: false,
          headers: {
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
            origin: "http://app.test",
            "x-forwarded-for": "10.66.0.2",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(status).not.toBe(429);
  });
});
