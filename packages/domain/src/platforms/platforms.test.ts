import { type AddressInfo, createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createOAuthState,
  createPkcePair,
  createPlatformAdapters,
  type OAuthCredentials,
  type OAuthPlatformAdapter,
  type PlatformAdapters,
  PlatformError,
  readOAuthCallback,
  sandboxPlatformsConfig,
  type WordPressCredentials,
} from "./index.ts";
import { type SandboxPlatform, startSandboxPlatform } from "./testing/index.ts";

let sandbox: SandboxPlatform;
let adapters: PlatformAdapters;
/** Same sandbox, 300 ms timeouts. */
let impatient: PlatformAdapters;
let wp: WordPressCredentials;

const redirectUri = "http://127.0.0.1:5173/connections/callback";
let keySeq = 0;
const key = () => `post-${Date.now()}-${++keySeq}`;

async function caught(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PlatformError);
    return error as PlatformError;
  }
  throw new Error("expected a PlatformError");
}

async function authorize(adapter: OAuthPlatformAdapter) {
  const pkce = createPkcePair();
  const state = createOAuthState();
  const response = await fetch(adapter.authorizeUrl({ state, codeChallenge: pkce.codeChallenge, redirectUri }), {
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  const location = response.headers.get("location") as string;
  expect(location.startsWith(redirectUri)).toBe(true);
  return { pkce, state, location };
}

async function connect(adapter: OAuthPlatformAdapter) {
  const { pkce, state, location } = await authorize(adapter);
  const callback = readOAuthCallback(location, state);
  if (!callback.ok) throw new Error(callback.reason);
  const tokens = await adapter.exchangeCode({ code: callback.code, codeVerifier: pkce.codeVerifier, redirectUri });
  const profile = await adapter.profile({ accessToken: tokens.accessToken });
  const credentials: OAuthCredentials = { accessToken: tokens.accessToken, platformUserId: profile.platformUserId };
  return { tokens, profile, credentials };
}

beforeAll(async () => {
  sandbox = await startSandboxPlatform();
  adapters = createPlatformAdapters(sandbox.config);
  impatient = createPlatformAdapters(sandboxPlatformsConfig(sandbox.url, 300));
  wp = sandbox.wordpress;
});
afterAll(() => sandbox.stop());
afterEach(() => sandbox.slow(0));

describe("sandbox accounts", () => {
  it("have a picture that loads without the network: an SVG data: URL on every platform's profile", async () => {
    const urls = [
      ...(await Promise.all(
        (["x", "linkedin", "threads"] as const).map(async (p) => (await connect(adapters[p])).profile.avatarUrl),
      )),
      (await adapters.wordpress.profile(wp)).avatarUrl,
    ];
    for (const url of urls) {
      expect(url).toMatch(/^data:image\/svg\+xml,/);
      const svg = decodeURIComponent((url as string).slice("data:image/svg+xml,".length));
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/);
      // Kept whole by the connection's avatar_url (cut at 2,000 characters).
      expect((url as string).length).toBeLessThan(2000);
    }
  });
});

describe("OAuth connect (authorize → code → exchange with PKCE → profile)", () => {
  it.each(["x", "linkedin", "threads"] as const)("%s", async (platform) => {
    const before = Date.now();
    const { tokens, profile } = await connect(adapters[platform]);
    const account = sandbox.defaultAccount(platform);
    expect(profile).toMatchObject({
      platformUserId: account.platformUserId,
      username: account.username,
      displayName: account.displayName,
    });
    expect(profile.avatarUrl).toBe(account.avatarUrl);
    const lifetimeDays = (tokens.expiresAt.getTime() - before) / 86_400_000;
    if (platform === "x") expect(lifetimeDays).toBeCloseTo(2 / 24, 2);
    else expect(Math.round(lifetimeDays)).toBe(60); // LinkedIn access tokens and Threads long-lived tokens
    expect(tokens.refreshToken).toBeTruthy();
    if (platform === "threads") expect(tokens.platformUserId).toBe(account.platformUserId);
  });

  it("the state round-trips and a forged one is refused", async () => {
    const { state, location } = await authorize(adapters.x);
    expect(new URL(location).searchParams.get("state")).toBe(state);
    expect(readOAuthCallback(location, createOAuthState())).toMatchObject({ ok: false });
  });

  it.each(["x", "linkedin", "threads"] as const)(
    "%s refuses a wrong PKCE verifier and a reused code (auth)",
    async (platform) => {
      const adapter = adapters[platform];
      const { state, location } = await authorize(adapter);
      const callback = readOAuthCallback(location, state);
      if (!callback.ok) throw new Error(callback.reason);
      const wrong = await caught(
        adapter.exchangeCode({ code: callback.code, codeVerifier: createPkcePair().codeVerifier, redirectUri }),
      );
      expect(wrong.kind).toBe("auth");
      const second = await authorize(adapter);
      const ok = readOAuthCallback(second.location, second.state);
      if (!ok.ok) throw new Error(ok.reason);
      await adapter.exchangeCode({ code: ok.code, codeVerifier: second.pkce.codeVerifier, redirectUri });
      expect(
        (await caught(adapter.exchangeCode({ code: ok.code, codeVerifier: second.pkce.codeVerifier, redirectUri }))).kind,
      ).toBe("auth");
    },
  );
});

describe("refresh rotation", () => {
  it.each(["x", "linkedin", "threads"] as const)(
    "%s: the new tokens work, the old refresh token is refused",
    async (platform) => {
      const adapter = adapters[platform];
      const { tokens } = await connect(adapter);
      const renewed = await adapter.refresh({ refreshToken: tokens.refreshToken as string });
      expect(renewed.accessToken).not.toBe(tokens.accessToken);
      expect(renewed.refreshToken).not.toBe(tokens.refreshToken);
      expect((await adapter.profile({ accessToken: renewed.accessToken })).username).toBe(
        sandbox.defaultAccount(platform).username,
      );
      const reused = await caught(adapter.refresh({ refreshToken: tokens.refreshToken as string }));
      expect(reused.kind).toBe("auth");
      expect(reused.message).toContain(`Reconnect ${adapter.displayName}`);
    },
  );
});

describe("publishing", () => {
  it("X: a 3-part thread is chained as replies", async () => {
    const { credentials } = await connect(adapters.x);
    const parts = ["A thread about lighthouses 🧵", "First, the lens.", "Finally, the keeper."];
    const result = await adapters.x.publish({ parts, idempotencyKey: key() }, credentials);
    expect(result.parts).toHaveLength(3);
    const feed = sandbox.feed(sandbox.defaultAccount("x").accountId).slice(-3);
    expect(feed.map((p) => p.text)).toEqual(parts);
    expect(feed.map((p) => p.replyToId)).toEqual([undefined, result.parts[0]?.platformPostId, result.parts[1]?.platformPostId]);
    expect(result.platformPostId).toBe(feed[0]?.id);
    const sent = sandbox.requests.filter((r) => r.path === "/x/2/tweets").slice(-3);
    expect(sent.map((r) => (r.body.reply as { in_reply_to_tweet_id?: string } | undefined)?.in_reply_to_tweet_id)).toEqual([
      undefined,
      result.parts[0]?.platformPostId,
      result.parts[1]?.platformPostId,
    ]);
  });

  it("Threads: each part is a container then a publish, replies via reply_to_id", async () => {
    const { credentials } = await connect(adapters.threads);
    const before = sandbox.requests.length;
    const result = await adapters.threads.publish(
      { parts: ["Morning pages, day 1.", "Wrote 700 words."], idempotencyKey: key() },
      credentials,
    );
    const calls = sandbox.requests
      .slice(before)
      .filter((r) => r.method === "POST")
      .map((r) => r.path.split("/").at(-1));
    expect(calls).toEqual(["threads", "threads_publish", "threads", "threads_publish"]);
    const feed = sandbox.feed(sandbox.defaultAccount("threads").accountId).slice(-2);
    expect(feed.map((p) => p.text)).toEqual(["Morning pages, day 1.", "Wrote 700 words."]);
    expect(feed[1]?.replyToId).toBe(feed[0]?.id);
    expect(result.url).toContain("/sandbox/feed");
    const recent = await adapters.threads.listRecent(credentials);
    expect(recent.find((r) => r.platformPostId === feed[1]?.id)?.replyToId).toBe(feed[0]?.id);
  });

  it("LinkedIn: POST /rest/posts, the URN from x-restli-id, reserved characters escaped", async () => {
    const { credentials } = await connect(adapters.linkedin);
    const text = "Shipping (finally) a #launch post for @everyone_here";
    const result = await adapters.linkedin.publish({ parts: [text], idempotencyKey: key() }, credentials);
    expect(result.platformPostId).toMatch(/^urn:li:share:\d+$/);
    expect(result.url).toContain(`/feed/update/${result.platformPostId}/`);
    const stored = sandbox.feed(sandbox.defaultAccount("linkedin").accountId).at(-1);
    expect(stored?.text).toBe("Shipping \\(finally\\) a \\#launch post for \\@everyone\\_here");
    expect((await adapters.linkedin.listRecent(credentials))[0]?.text).toBe(text);
  });

  it("WordPress: application password, title and content, a slug from the idempotency key", async () => {
    const profile = await adapters.wordpress.profile(wp);
    expect(profile).toMatchObject({ username: "sandbox-editor", displayName: "Sandbox Editor" });
    const post = { parts: ["<p>Hello from Inkwell.</p>"], title: "Hello, world!", idempotencyKey: key() };
    const result = await adapters.wordpress.publish(post, wp);
    expect(result.url).toMatch(/\/wordpress\/hello-world-[0-9a-f]{10}\/$/);
    expect(await adapters.wordpress.findPublished(post, wp)).toEqual([
      { platformPostId: result.platformPostId, url: result.url },
    ]);
    expect(await adapters.wordpress.findPublished({ ...post, idempotencyKey: key() }, wp)).toEqual([]);
  });

  it("WordPress: the article's Markdown is stored as sanitised HTML (no raw ## heading, no script)", async () => {
    const article = [
      "## Heading",
      "",
      "Some **bold** text and [a link](https://example.com) and [a trap](javascript:alert(1)).",
      "",
      "- one",
      "- two",
      "",
      "<script>alert('x')</script>",
      "",
      '<img src="https://example.com/a.png" onerror="alert(1)">',
    ].join("\n");
    const post = { parts: [article], title: "Markdown", idempotencyKey: key() };
    await adapters.wordpress.publish(post, wp);
    const stored = sandbox.feed(sandbox.defaultAccount("wordpress").accountId).at(-1)?.text ?? "";
    expect(stored).toContain("<h2>Heading</h2>");
    expect(stored).toContain("<strong>bold</strong>");
    expect(stored).toContain('<a href="https://example.com">a link</a>');
    expect(stored).toContain("<li>one</li>");
    expect(stored).not.toContain("##");
    expect(stored).not.toMatch(/<script|alert\('x'\)|onerror|javascript:/i);
  });

  it("X, Threads and LinkedIn get the Markdown as clean plain text, counted and reconciled as such", async () => {
    const markdown = "## Launch day\n\n**Big** news: [our site](https://example.com) is _live_.\n\n- faster\n- simpler";
    const plain = "Launch day\n\nBig news: our site (https://example.com) is live.\n\n• faster\n• simpler";
    for (const platform of ["x", "threads"] as const) {
      const { credentials } = await connect(adapters[platform]);
      const post = { parts: [markdown, "2. **second** post"], idempotencyKey: key() };
      await adapters[platform].publish(post, credentials);
      const feed = sandbox.feed(sandbox.defaultAccount(platform).accountId);
      expect(feed.slice(-2).map((p) => p.text)).toEqual([plain, "2. second post"]);
      expect(await adapters[platform].findPublished(post, credentials, { since: new Date(Date.now() - 60_000) })).toHaveLength(2);
    }
    const { credentials } = await connect(adapters.linkedin);
    await adapters.linkedin.publish({ parts: [markdown], idempotencyKey: key() }, credentials);
    expect((await adapters.linkedin.listRecent(credentials))[0]?.text).toBe(plain);
    // X counts what it receives: the link is 23, the asterisks and "## " count nothing.
    expect(adapters.x.validate({ parts: [`**${"a".repeat(276)}** [x](https://example.com/very/long)`] })).toHaveLength(1);
    expect(adapters.x.validate({ parts: [`**${"a".repeat(250)}** [x](https://example.com/very/long)`] })).toEqual([]);
  });

  it("a repeated publish with the same idempotency key creates one post", async () => {
    const { credentials } = await connect(adapters.x);
    const post = { parts: ["Said once, sent twice.", "And its reply."], idempotencyKey: key() };
    const first = await adapters.x.publish(post, credentials);
    const second = await adapters.x.publish(post, credentials);
    expect(second.parts).toEqual(first.parts);
    const feed = sandbox.feed(sandbox.defaultAccount("x").accountId);
    expect(feed.filter((p) => p.text === "Said once, sent twice.")).toHaveLength(1);
    const wpPost = { parts: ["Body"], title: "Twice", idempotencyKey: key() };
    const a = await adapters.wordpress.publish(wpPost, wp);
    const b = await adapters.wordpress.publish(wpPost, wp);
    expect(b.platformPostId).toBe(a.platformPostId);
  });

  it("the sandbox feed page lists published posts", async () => {
    const { credentials } = await connect(adapters.x);
    await adapters.x.publish({ parts: ["Visible <in> the feed"], idempotencyKey: key() }, credentials);
    const page = await (await fetch(`${sandbox.url}/sandbox/feed`)).text();
    expect(page).toContain("Visible &lt;in&gt; the feed");
    expect(page).toContain("@inkwell_sandbox");
  });
});

describe("errors are classified", () => {
  it("429 is transient with retry-after; 500 is transient", async () => {
    const { credentials } = await connect(adapters.x);
    sandbox.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const limited = await caught(adapters.x.publish({ parts: ["rate limited"], idempotencyKey: key() }, credentials));
    expect(limited).toMatchObject({ kind: "transient", retryAfterSeconds: 7, code: "RATE_LIMITED", status: 429 });
    expect(limited.message).toContain("7 s");
    const threads = await connect(adapters.threads);
    sandbox.failNext(1, { status: 500 });
    const broken = await caught(adapters.threads.listRecent(threads.credentials));
    expect(broken).toMatchObject({ kind: "transient", code: "UPSTREAM_FAILED", status: 500 });
  });

  it.each(["x", "linkedin", "threads"] as const)("%s: a revoked token is auth (reconnect)", async (platform) => {
    const { credentials } = await connect(adapters[platform]);
    sandbox.revoke(credentials.accessToken);
    const error = await caught(adapters[platform].publish({ parts: ["after revocation"], idempotencyKey: key() }, credentials));
    expect(error.kind).toBe("auth");
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.message).toContain("Reconnect");
  });

  it("WordPress: a revoked application password is auth", async () => {
    const account = sandbox.addAccount("wordpress", "second-editor");
    const credentials = {
      siteUrl: wp.siteUrl,
      username: account.username,
      applicationPassword: account.applicationPassword as string,
    };
    await adapters.wordpress.profile(credentials);
    sandbox.revoke(credentials.applicationPassword);
    expect((await caught(adapters.wordpress.profile(credentials))).kind).toBe("auth");
  });

  it("a platform's validation refusal is permanent with its own words", async () => {
    const { credentials } = await connect(adapters.x);
    await adapters.x.publish({ parts: ["Only once, please."], idempotencyKey: key() }, credentials);
    const duplicate = await caught(adapters.x.publish({ parts: ["Only once, please."], idempotencyKey: key() }, credentials));
    expect(duplicate).toMatchObject({ kind: "permanent", status: 403, code: "INVALID_INPUT" });
    expect(duplicate.message).toContain("duplicate content");
  });

  it("an invalid post is refused before any request", async () => {
    const { credentials } = await connect(adapters.x);
    const before = sandbox.requests.length;
    const error = await caught(adapters.x.publish({ parts: ["ok", "x".repeat(281)], idempotencyKey: key() }, credentials));
    expect(error.kind).toBe("permanent");
    expect(error.message).toContain("Post 2 of the thread is 281 characters; X allows 280");
    expect(sandbox.requests.length).toBe(before);
  });

  it("a timeout after the post was committed is unknown; reconciliation finds it; republishing with the key adds nothing", async () => {
    const { credentials } = await connect(adapters.x);
    const since = new Date();
    const post = { parts: ["Did this go out?"], idempotencyKey: key() };
    sandbox.timeoutNext(1);
    const error = await caught(impatient.x.publish(post, credentials));
    expect(error).toMatchObject({ kind: "unknown", code: "UPSTREAM_TIMEOUT" });
    expect(error.message).toContain("don't know yet");
    const found = await adapters.x.findPublished(post, credentials, { since });
    const feed = sandbox.feed(sandbox.defaultAccount("x").accountId);
    expect(found).toEqual([{ platformPostId: feed.at(-1)?.id, url: expect.stringContaining(feed.at(-1)?.id as string) }]);
    const again = await adapters.x.publish(post, credentials);
    expect(again.platformPostId).toBe(feed.at(-1)?.id);
    expect(sandbox.feed(sandbox.defaultAccount("x").accountId).filter((p) => p.text === "Did this go out?")).toHaveLength(1);
  });

  it("Threads: an unknown publish step is reconciled by text and reply chain, and continued", async () => {
    const { credentials } = await connect(adapters.threads);
    const post = { parts: ["Part one of two.", "Part two of two."], idempotencyKey: key() };
    // The container answers; the first publish commits and never answers.
    sandbox.timeoutNext(1, { path: /threads_publish$/ });
    const error = await caught(impatient.threads.publish(post, credentials));
    expect(error.kind).toBe("unknown");
    const found = await adapters.threads.findPublished(post, credentials);
    expect(found).toHaveLength(1);
    const result = await adapters.threads.publish({ ...post, alreadyPublished: found.map((f) => f.platformPostId) }, credentials);
    const feed = sandbox.feed(sandbox.defaultAccount("threads").accountId).slice(-2);
    expect(feed.map((p) => p.text)).toEqual(post.parts);
    expect(feed[1]?.replyToId).toBe(feed[0]?.id);
    expect(result.parts.map((p) => p.platformPostId)).toEqual(feed.map((p) => p.id));
  });

  it("WordPress: an unknown outcome is reconciled by slug", async () => {
    const post = { parts: ["Uncertain"], title: "Maybe published", idempotencyKey: key() };
    sandbox.timeoutNext(1);
    expect((await caught(impatient.wordpress.publish(post, wp))).kind).toBe("unknown");
    const [found] = await adapters.wordpress.findPublished(post, wp);
    expect(found?.url).toContain("/maybe-published-");
  });

  it("slow responses: a slow publish is unknown, a slow read is transient", async () => {
    const { credentials } = await connect(adapters.linkedin);
    sandbox.slow(600);
    expect((await caught(impatient.linkedin.publish({ parts: ["slow one"], idempotencyKey: key() }, credentials))).kind).toBe(
      "unknown",
    );
    expect((await caught(impatient.linkedin.listRecent(credentials))).kind).toBe("transient");
    sandbox.slow(0);
    await new Promise((r) => setTimeout(r, 700));
    expect((await adapters.linkedin.listRecent(credentials)).some((p) => p.text === "slow one")).toBe(true);
  });

  it("a connection refused is transient", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const dead = createPlatformAdapters(sandboxPlatformsConfig(`http://127.0.0.1:${port}`, 1000));
    expect((await caught(dead.x.publish({ parts: ["nowhere"], idempotencyKey: key() }, { accessToken: "t" }))).kind).toBe(
      "transient",
    );
  });
});

describe("reconciliation on a busy account", () => {
  it.each(["x", "linkedin", "threads"] as const)(
    "%s: finds a post with more than a page of newer posts after it (a minute boundary's burst)",
    async (platform) => {
      const adapter = adapters[platform];
      const { credentials } = await connect(adapter);
      const since = new Date();
      const post = { parts: [`Deep in the timeline ${key()}`], idempotencyKey: key() };
      const published = await adapter.publish(post, credentials);
      // 120 posts go out after it: more than the 100 one page holds.
      for (let i = 0; i < 120; i++) await adapter.publish({ parts: [`Burst ${i} ${key()}`], idempotencyKey: key() }, credentials);
      expect(await adapter.findPublished(post, credentials, { since })).toEqual([
        { platformPostId: published.platformPostId, url: expect.any(String) },
      ]);
    },
    30_000,
  );
});
