/**
 * Publishing in a real browser against the real stack and the sandbox platform: sign up, connect a
 * sandbox X account through the platform's OAuth authorize page (and back through the API's
 * callback), compose a post with the live preview and counts, schedule it about a minute ahead in the
 * browser's own time zone (Europe/Berlin here, not the machine's), and watch the queue flip it to
 * Published without a reload; then find it on the sandbox feed and in the history.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeViolations, describeFindings } from "./axe.ts";
import { openBrowser, STEP_TIMEOUT, signUpInBrowser, stepRunner } from "./browser.ts";
import { goTo } from "./shell-nav.ts";
import { type Stack, startStack } from "./stack.ts";

/** The post is due 20–80 s after it is scheduled; the worker then has a few seconds. */
const PUBLISH_TIMEOUT = 120_000;
const TIME_ZONE = "Europe/Berlin";
const resultsDir = fileURLToPath(new URL("../test-results", import.meta.url));
const keepScreenshots = process.env.E2E_SCREENSHOTS === "1";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(resultsDir, { recursive: true });
  stack = await startStack(inject("databaseUrl"));
  ({ browser, context, page } = await openBrowser(stack.baseUrl, {
    viewport: { width: 1280, height: 900 },
    timezoneId: TIME_ZONE,
    consoleErrors: true,
  }));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

const step = stepRunner(() => page, "publishing");

const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const eventually = <T>(read: () => Promise<T>, timeout = STEP_TIMEOUT) => expect.poll(read, { timeout, interval: 100 });
const visible = (locator: Locator) => locator.first().waitFor({ state: "visible" });
const tabs = () => page.getByRole("navigation", { name: "Publishing" });
/** The posts in the calendar's day cells (the calendar is the queue page's one table). */
const calendarPosts = () => page.getByRole("table").getByRole("listitem");

/** Wall-clock fields of an instant in a zone, as the date and time inputs take them. */
function localIn(timeZone: string, instant: number): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

describe("publishing in the browser", () => {
  it("connects a sandbox account, schedules a post a minute ahead and sees it published", async () => {
    const started = performance.now();
    const email = `publish-${Date.now()}@example.test`;
    const text = `Hello from the Inkwell browser test ${Date.now().toString(36)} — scheduled, then published.`;
    const xAccount = stack.sandbox.defaultAccount("x");

    await step("sign up", async () => {
      await signUpInBrowser(page, { name: "Ada Lovelace", email: email });
    });

    await step("publishing starts empty and points at connecting an account", async () => {
      await goTo(page, "Publish", "Queue & calendar");
      await visible(heading("Publishing"));
      await visible(page.getByText("Nothing scheduled."));
      await tabs().getByRole("link", { name: "Connections" }).click();
      await visible(heading("Connections"));
      await visible(page.getByText("No accounts yet."));
      // This installation publishes to the sandbox; its feed is linked.
      const feed = page.getByRole("link", { name: "Open the sandbox feed" });
      await visible(feed);
      expect(await feed.getAttribute("href")).toBe(`${stack.sandbox.url}/sandbox/feed`);
    });

    await step("connect X through the sandbox's OAuth authorize page", async () => {
      const authorizeRequests = stack.sandbox.requests.filter((r) => r.path === "/x/i/oauth2/authorize").length;
      await page.getByRole("button", { name: "Connect X" }).click();
      await page.waitForURL(/\/publishing\/connections\?connected=[0-9a-f-]{36}$/);
      // The browser really went to the platform (with PKCE and a state) and came back through the callback.
      const authorize = stack.sandbox.requests.filter((r) => r.path === "/x/i/oauth2/authorize");
      expect(authorize.length).toBe(authorizeRequests + 1);
      expect(authorize.at(-1)?.query).toMatchObject({ code_challenge_method: "S256", response_type: "code" });
      expect(authorize.at(-1)?.query.redirect_uri).toBe(`${stack.baseUrl}/oauth/callback/x`);
      await visible(page.getByText("Account connected"));
      const row = page.getByRole("listitem", { name: `${xAccount.displayName} on X` });
      await visible(row);
      await visible(row.getByText(`@${xAccount.username}`));
      await visible(row.getByText("Connected", { exact: true }));
    });

    await step("compose: pick the account, watch the live preview and count, catch a post that is too long", async () => {
      await tabs().getByRole("link", { name: "Compose" }).click();
      await visible(heading("Compose"));
      await page.getByRole("checkbox", { name: `${xAccount.displayName} on X` }).check();
      const preview = page.getByRole("article", { name: `X preview for ${xAccount.displayName}` });
      await visible(preview);
      const box = page.getByRole("textbox", { name: /^Post 1/ });
      await box.fill("x".repeat(290));
      await visible(preview.getByText("290 of 280 characters"));
      await visible(preview.getByText("Needs changes"));
      await page.getByRole("button", { name: "Split into a thread" }).click();
      await eventually(() => page.getByRole("textbox", { name: /^Post \d of 2/ }).count()).toBe(2);
      await page.getByRole("button", { name: "Remove post 2" }).click();
      await box.fill(text);
      await visible(preview.getByText(text));
      await visible(preview.getByText(`${text.length} of 280 characters`));
      await visible(preview.getByText("Ready"));
    });

    let due = 0;
    let postUrl = "";
    await step("schedule it about a minute ahead in the browser's time zone", async () => {
      // The browser's IANA zone is preselected.
      expect(await page.getByLabel("Time zone").inputValue()).toBe(TIME_ZONE);
      due = Math.ceil((Date.now() + 20_000) / 60_000) * 60_000;
      const { date, time } = localIn(TIME_ZONE, due);
      await page.getByLabel("Date", { exact: true }).fill(date);
      await page.getByLabel("Time", { exact: true }).fill(time);
      await page.getByRole("button", { name: "Schedule", exact: true }).click();
      await page.waitForURL(/\/publishing\?saved=scheduled$/);
      await visible(heading("Publishing"));
      const post = page.getByRole("list", { name: "Queue" }).getByRole("listitem").filter({ hasText: text });
      await visible(post);
      expect(await post.getAttribute("data-status")).toBe("pending");
      await visible(post.getByText("Scheduled", { exact: true }));
      // The calendar places it on its day, at its local time.
      const calendarPost = calendarPosts().filter({ hasText: time });
      await visible(calendarPost);
    });

    await step(
      "the queue flips it to Published on its own, without a reload",
      async () => {
        await page.evaluate(() => {
          (window as unknown as { __noReload: boolean }).__noReload = true;
        });
        const post = page.getByRole("list", { name: "Queue" }).getByRole("listitem").filter({ hasText: text });
        await eventually(() => post.getAttribute("data-status"), PUBLISH_TIMEOUT).toBe("published");
        expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
        await visible(post.getByText("Published", { exact: true }));
        // On the platform exactly once, and not before its time; the link is the platform's URL of it.
        const onPlatform = stack.sandbox.feed(xAccount.accountId).filter((p) => p.text === text);
        expect(onPlatform).toHaveLength(1);
        expect(onPlatform[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(due);
        console.log(`[e2e] published ${onPlatform[0]!.createdAt.getTime() - due} ms after its scheduled minute`);
        const link = post.getByRole("link", { name: "View on X" });
        await visible(link);
        postUrl = (await link.getAttribute("href")) ?? "";
        expect(postUrl).toBe(`${stack.sandbox.url}/sandbox/web/x/i/web/status/${onPlatform[0]!.id}`);
      },
      PUBLISH_TIMEOUT + STEP_TIMEOUT,
    );

    await step("the post's link opens the sandbox feed, which shows it", async () => {
      const feed = await context.newPage();
      await feed.goto(postUrl);
      await visible(feed.getByRole("heading", { name: "Sandbox feed" }));
      await visible(feed.getByText(text));
      await feed.close();
    });

    await step("the history lists it with its link", async () => {
      await tabs().getByRole("link", { name: "History" }).click();
      await visible(heading("History"));
      const post = page.getByRole("list", { name: "History" }).getByRole("listitem").filter({ hasText: text });
      await visible(post);
      await visible(post.getByRole("link", { name: "View on X" }));
      await post.getByRole("button", { name: "Attempts" }).click();
      await visible(post.getByRole("list", { name: "Attempts" }).getByText("Published"));
    });

    console.log(`[e2e] publishing journey in ${Math.round(performance.now() - started)} ms`);
  });

  it("sends one text to two accounts with a variant, reschedules, cancels, and retries a failure", async () => {
    const started = performance.now();
    const linkedInAccount = stack.sandbox.defaultAccount("linkedin");
    const xAccount = stack.sandbox.defaultAccount("x");
    const tag = Date.now().toString(36);
    const shared = `Launch day ${tag}: the new notebook is out.`;
    const variant = `Dear network — launch day ${tag}. The new notebook is out, and here is why it matters.`;
    const queue = () => page.getByRole("list", { name: "Queue" });
    const queued = (text: string) => queue().getByRole("listitem").filter({ hasText: text });

    await step("connect LinkedIn too", async () => {
      await tabs().getByRole("link", { name: "Connections" }).click();
      await visible(heading("Connections"));
      await page.getByRole("button", { name: "Connect LinkedIn" }).click();
      await page.waitForURL(/\/publishing\/connections\?connected=/);
      await visible(page.getByRole("listitem", { name: `${linkedInAccount.displayName} on LinkedIn` }));
      await visible(page.getByRole("listitem", { name: `${xAccount.displayName} on X` }));
    });

    await step("compose for X and LinkedIn with a LinkedIn variant; both previews follow", async () => {
      await tabs().getByRole("link", { name: "Compose" }).click();
      await visible(heading("Compose"));
      await page.getByRole("checkbox", { name: `${xAccount.displayName} on X` }).check();
      await page.getByRole("checkbox", { name: `${linkedInAccount.displayName} on LinkedIn` }).check();
      await page.getByRole("textbox", { name: /^Post 1/ }).fill(shared);
      const xPreview = page.getByRole("article", { name: `X preview for ${xAccount.displayName}` });
      const linkedInPreview = page.getByRole("article", { name: `LinkedIn preview for ${linkedInAccount.displayName}` });
      await visible(xPreview.getByText(shared));
      await visible(linkedInPreview.getByText(shared));
      await visible(linkedInPreview.getByText(`${shared.length} of 3,000 characters`));
      await page.getByRole("tab", { name: /LinkedIn/ }).click();
      await page.getByRole("button", { name: "Write a LinkedIn variant" }).click();
      await page.getByRole("textbox", { name: /^Text/ }).fill(variant);
      await visible(linkedInPreview.getByText(variant));
      await visible(xPreview.getByText(shared));
    });

    await step("schedule both for tomorrow 09:00: two posts in the queue and on the calendar", async () => {
      const tomorrow = localIn(TIME_ZONE, Date.now() + 24 * 3_600_000);
      await page.getByLabel("Date", { exact: true }).fill(tomorrow.date);
      await page.getByLabel("Time", { exact: true }).fill("09:00");
      await page.getByRole("button", { name: "Schedule", exact: true }).click();
      await page.waitForURL(/\/publishing\?saved=scheduled$/);
      await visible(queued(shared));
      await visible(queued(variant));
      expect(await queued(shared).getAttribute("data-status")).toBe("pending");
      expect(await queued(variant).getAttribute("data-status")).toBe("pending");
      // Week view of tomorrow (weeks start on Monday: on a Sunday, tomorrow is next week): both at 09:00.
      await page.getByRole("radio", { name: "Week" }).check();
      const today = localIn(TIME_ZONE, Date.now()).date;
      if (new Date(`${today}T00:00:00Z`).getUTCDay() === 0) await page.getByRole("button", { name: "Next week" }).click();
      await eventually(() => calendarPosts().filter({ hasText: "09:00" }).count()).toBe(2);
    });

    await step("reschedule the X post to 10:30", async () => {
      // While edited, its text is in a text box: find it by id.
      const edit = page.locator(`li[data-post-id="${await queued(shared).getAttribute("data-post-id")}"]`);
      await edit.getByRole("button", { name: "Edit or reschedule" }).click();
      expect(await edit.getByLabel("Time", { exact: true }).inputValue()).toBe("09:00");
      await edit.getByLabel("Time", { exact: true }).fill("10:30");
      await edit.getByRole("button", { name: "Save and reschedule" }).click();
      await eventually(() => calendarPosts().filter({ hasText: "10:30" }).count()).toBe(1);
      await visible(calendarPosts().filter({ hasText: "09:00" }));
    });

    await step("cancel the LinkedIn post after confirming; the history keeps it as cancelled", async () => {
      await queued(variant).getByRole("button", { name: "Cancel post" }).click();
      await queued(variant).getByRole("group").getByRole("button", { name: "Cancel post" }).click();
      await eventually(() => queued(variant).count()).toBe(0);
      await tabs().getByRole("link", { name: "History" }).click();
      await page.getByRole("radio", { name: "Cancelled" }).check();
      const post = page.getByRole("list", { name: "History" }).getByRole("listitem").filter({ hasText: variant });
      await visible(post);
      expect(await post.getAttribute("data-status")).toBe("cancelled");
    });

    await step("publish the X post now while X refuses it: a failure a person understands", async () => {
      stack.sandbox.failNext(1, {
        status: 403,
        message: "You are not allowed to create a Tweet with duplicate content.",
        path: /\/2\/tweets$/,
      });
      await tabs().getByRole("link", { name: "Queue" }).click();
      await visible(heading("Publishing"));
      await queued(shared).getByRole("button", { name: "Publish now" }).click();
      await eventually(() => queued(shared).getAttribute("data-status"), 30_000).toBe("failed");
      await visible(queued(shared).getByText("Not published"));
      await visible(queued(shared).getByText(/duplicate content/));
      expect(stack.sandbox.feed(xAccount.accountId).some((p) => p.text === shared)).toBe(false);
    });

    await step("retry: it goes out, with both attempts logged", async () => {
      await queued(shared).getByRole("button", { name: "Retry" }).click();
      await eventually(() => queued(shared).getAttribute("data-status"), 30_000).toBe("published");
      await visible(queued(shared).getByRole("link", { name: "View on X" }));
      expect(stack.sandbox.feed(xAccount.accountId).filter((p) => p.text === shared)).toHaveLength(1);
      await tabs().getByRole("link", { name: "History" }).click();
      await page.getByRole("radio", { name: "Published" }).check();
      const post = page.getByRole("list", { name: "History" }).getByRole("listitem").filter({ hasText: shared });
      await post.getByRole("button", { name: "Attempts" }).click();
      const attempts = post.getByRole("list", { name: "Attempts" });
      await visible(attempts.getByText("Published"));
      await visible(attempts.getByText(/HTTP 403/));
    });

    console.log(`[e2e] publishing queue actions in ${Math.round(performance.now() - started)} ms`);
  });

  it("warns when an account's access is revoked, reconnects it, and the failed post goes out on retry", async () => {
    const started = performance.now();
    const xAccount = stack.sandbox.defaultAccount("x");
    const tag = Date.now().toString(36);
    const later = `Tomorrow's note ${tag}`;
    const now = `Right now ${tag}`;
    const queued = (text: string) => page.getByRole("list", { name: "Queue" }).getByRole("listitem").filter({ hasText: text });
    const composeFor = async (text: string) => {
      await tabs().getByRole("link", { name: "Compose" }).click();
      await visible(heading("Compose"));
      await page.getByRole("checkbox", { name: `${xAccount.displayName} on X` }).check();
      await page.getByRole("textbox", { name: /^Post 1/ }).fill(text);
    };

    await step("a post is scheduled for tomorrow on X, starting from the calendar's day", async () => {
      const tomorrow = localIn(TIME_ZONE, Date.now() + 24 * 3_600_000).date;
      const dayName = new Date(`${tomorrow}T12:00:00Z`).toLocaleDateString("en-US", { dateStyle: "full", timeZone: "UTC" });
      await tabs().getByRole("link", { name: "Queue" }).click();
      await visible(page.getByRole("link", { name: /^Schedule a post on / }));
      const addLink = page.getByRole("link", { name: `Schedule a post on ${dayName}` });
      if (!(await addLink.count())) await page.getByRole("button", { name: "Next month" }).click();
      await addLink.click();
      await visible(heading("Compose"));
      expect(await page.getByLabel("Date", { exact: true }).inputValue()).toBe(tomorrow);
      expect(await page.getByLabel("Time", { exact: true }).inputValue()).toBe("09:00");
      await page.getByRole("checkbox", { name: `${xAccount.displayName} on X` }).check();
      await page.getByRole("textbox", { name: /^Post 1/ }).fill(later);
      await page.getByLabel("Time", { exact: true }).fill("12:00");
      await page.getByRole("button", { name: "Schedule", exact: true }).click();
      await visible(queued(later));
    });

    await step("the person removes Inkwell on X: the next post fails with a reason, and the queue warns", async () => {
      expect(stack.sandbox.revokeAccount(xAccount.accountId)).toBeGreaterThan(0);
      await composeFor(now);
      await page.getByRole("button", { name: "Publish now" }).click();
      await page.waitForURL(/\/publishing\?saved=now$/);
      await eventually(() => queued(now).getAttribute("data-status"), 30_000).toBe("failed");
      await visible(queued(now).getByText(/Reconnect X/));
      // The post still scheduled on that account gets a warning before it is due.
      await visible(page.getByText("Some scheduled posts cannot go out"));
      await visible(queued(later).getByText("Reconnect X before this post is due"));
    });

    await step("reconnect X through the platform again", async () => {
      await tabs().getByRole("link", { name: "Connections" }).click();
      const row = page.getByRole("listitem", { name: `${xAccount.displayName} on X` });
      await visible(row.getByText("Needs reconnecting"));
      await visible(row.getByText("Reconnect X to keep publishing"));
      await row.getByRole("button", { name: `Reconnect ${xAccount.displayName} on X` }).click();
      await page.waitForURL(/\/publishing\/connections\?connected=/);
      await visible(row.getByText("Connected", { exact: true }));
      expect(await row.getByText("Needs reconnecting").count()).toBe(0);
      // Still one X account: reconnecting renewed it rather than adding another.
      expect(await page.getByRole("listitem", { name: `${xAccount.displayName} on X` }).count()).toBe(1);
    });

    await step("retry the failed post: it goes out; the warning is gone", async () => {
      await tabs().getByRole("link", { name: "Queue" }).click();
      await visible(heading("Publishing"));
      await eventually(() => page.getByText("Some scheduled posts cannot go out").count()).toBe(0);
      await queued(now).getByRole("button", { name: "Retry" }).click();
      await eventually(() => queued(now).getAttribute("data-status"), 30_000).toBe("published");
      expect(stack.sandbox.feed(xAccount.accountId).filter((p) => p.text === now)).toHaveLength(1);
      expect(await queued(later).getAttribute("data-status")).toBe("pending");
    });

    console.log(`[e2e] publishing reconnect in ${Math.round(performance.now() - started)} ms`);
  });

  it("takes a writer output into the composer and keeps it as a draft", async () => {
    const started = performance.now();
    const xAccount = stack.sandbox.defaultAccount("x");
    let outputId = "";

    await step("the writer produces an X thread", async () => {
      outputId = await page.evaluate(async () => {
        const call = async (path: string, input: unknown, method: "GET" | "POST") => {
          const url = method === "GET" ? `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}` : `/trpc/${path}`;
          const response = await fetch(url, {
            method,
            headers: { "content-type": "application/json" },
            ...(method === "POST" ? { body: JSON.stringify(input) } : {}),
          });
          const body = await response.json();
          if (!response.ok) throw new Error(JSON.stringify(body));
          return body.result.data;
        };
        const { sessionId } = await call(
          "writer.sessions.create",
          {
            concept: "Why a paper notebook still beats an app for first drafts",
            formats: ["x_thread"],
            style: "punchy",
            useKnowledge: false,
            idempotencyKey: crypto.randomUUID(),
          },
          "POST",
        );
        for (let i = 0; i < 100; i++) {
          const session = await call("writer.sessions.get", { sessionId }, "GET");
          const output = session.outputs[0];
          if (output?.status === "ready") return output.id as string;
          if (output?.status === "failed") throw new Error(output.error);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        throw new Error("the writer did not finish");
      });
    });

    await step("the composer opens with its thread posts and the X account picked", async () => {
      await page.goto(`/publishing/compose?writerOutput=${outputId}`);
      await visible(heading("Compose"));
      await visible(page.getByText(/The text comes from your writer session \(X\)/));
      await eventually(() => page.getByRole("checkbox", { name: `${xAccount.displayName} on X` }).isChecked()).toBe(true);
      const parts = page.getByRole("textbox", { name: /^Post \d+ of \d+/ });
      await eventually(() => parts.count()).toBeGreaterThan(2);
      const count = await parts.count();
      expect(await parts.first().inputValue()).toMatch(new RegExp(`^1/${count} `));
      // Dropping a post renumbers the thread's markers.
      await page.getByRole("button", { name: "Remove post 2" }).click();
      await eventually(() => parts.count()).toBe(count - 1);
      expect(await parts.first().inputValue()).toMatch(new RegExp(`^1/${count - 1} `));
      expect(await parts.last().inputValue()).toMatch(new RegExp(`^${count - 1}/${count - 1} `));
      await visible(page.getByRole("article", { name: `X preview for ${xAccount.displayName}` }).getByText("Ready"));
    });

    await step("save it as a draft: it waits under Drafts", async () => {
      const first = await page.getByRole("textbox", { name: /^Post 1 of/ }).inputValue();
      await page.getByRole("button", { name: "Save as draft" }).click();
      await page.waitForURL(/\/publishing\?saved=draft$/);
      const draft = page
        .getByRole("list", { name: "Drafts" })
        .getByRole("listitem")
        .filter({ hasText: first.slice(0, 40) });
      await visible(draft);
      expect(await draft.getAttribute("data-status")).toBe("draft");
      await visible(draft.getByRole("button", { name: "Edit or schedule" }));
    });

    console.log(`[e2e] writer output to draft in ${Math.round(performance.now() - started)} ms`);
  });

  it("connects a WordPress site with an application password and publishes a titled post now", async () => {
    const started = performance.now();
    const site = stack.sandbox.wordpress;
    const wpAccount = stack.sandbox.defaultAccount("wordpress");
    const tag = Date.now().toString(36);
    const title = `Notes from the field ${tag}`;
    const body = `A longer piece for the blog, ${tag}.\n\nIt has paragraphs.`;

    await step("connect the sandbox WordPress site", async () => {
      await tabs().getByRole("link", { name: "Connections" }).click();
      await visible(heading("Connections"));
      await page.getByLabel("Site address").fill(site.siteUrl);
      await page.getByLabel("WordPress username").fill(site.username);
      await page.getByLabel("Application password").fill(site.applicationPassword);
      await page.getByRole("button", { name: "Connect WordPress" }).click();
      await visible(page.getByText(/is connected\./));
      await visible(page.getByRole("listitem", { name: `${wpAccount.displayName} on WordPress` }));
    });

    await step("compose: WordPress needs a title before it is ready", async () => {
      await tabs().getByRole("link", { name: "Compose" }).click();
      await page.getByRole("checkbox", { name: `${wpAccount.displayName} on WordPress` }).check();
      await page.getByRole("textbox", { name: /^Text/ }).fill(body);
      const preview = page.getByRole("article", { name: `WordPress preview for ${wpAccount.displayName}` });
      await visible(preview.getByText("Untitled post"));
      await visible(preview.getByText("Needs changes"));
      await page.getByLabel("WordPress title").fill(title);
      await visible(preview.getByRole("heading", { name: title }));
      await visible(preview.getByText("Ready"));
    });

    await step("publish now: it is on the site with its title", async () => {
      await page.getByRole("button", { name: "Publish now" }).click();
      await page.waitForURL(/\/publishing\?saved=now$/);
      const post = page.getByRole("list", { name: "Queue" }).getByRole("listitem").filter({ hasText: title });
      await eventually(() => post.getAttribute("data-status"), 30_000).toBe("published");
      await visible(post.getByRole("link", { name: "View on WordPress" }));
      const onSite = stack.sandbox.feed(wpAccount.accountId).filter((p) => p.title === title);
      expect(onSite).toHaveLength(1);
    });

    console.log(`[e2e] publishing to WordPress in ${Math.round(performance.now() - started)} ms`);
  });

  it("attaches an image in the composer, sees it in the preview, and the WordPress post goes out with it", async () => {
    const wpAccount = stack.sandbox.defaultAccount("wordpress");
    const tag = Date.now().toString(36);
    const title = `A picture ${tag}`;
    // A 1×1 PNG.
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64",
    );

    await step("compose with an image: thumbnail, limits and preview", async () => {
      await tabs().getByRole("link", { name: "Compose" }).click();
      await page.getByRole("checkbox", { name: `${wpAccount.displayName} on WordPress` }).check();
      await page.getByRole("textbox", { name: /^Text/ }).fill(`With a picture, ${tag}.`);
      await page.getByLabel("WordPress title").fill(title);
      await visible(page.getByText(/WordPress: up to 1 image/));
      await page.getByLabel("Image file").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: png });
      const attached = page.getByRole("list", { name: "Attached images" });
      await visible(attached.getByRole("img", { name: "Attached: dot.png" }));
      const preview = page.getByRole("article", { name: `WordPress preview for ${wpAccount.displayName}` });
      await visible(preview.getByRole("img", { name: "dot.png" }));
      // Remove and attach again: the post carries only what is shown.
      await attached.getByRole("button", { name: /Remove/ }).click();
      await eventually(() => page.getByRole("list", { name: "Attached images" }).count()).toBe(0);
      await page.getByLabel("Image file").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: png });
      await visible(page.getByRole("img", { name: "Attached: dot.png" }));
    });

    await step("publish now: the post is on the site with the image", async () => {
      await page.getByRole("button", { name: "Publish now" }).click();
      await page.waitForURL(/\/publishing\?saved=now$/);
      const post = page.getByRole("list", { name: "Queue" }).getByRole("listitem").filter({ hasText: title });
      await eventually(() => post.getAttribute("data-status"), 30_000).toBe("published");
      const onSite = stack.sandbox.feed(wpAccount.accountId).filter((p) => p.title === title);
      expect(onSite).toHaveLength(1);
      expect(onSite[0]?.media).toEqual([expect.objectContaining({ contentType: "image/png", byteSize: png.byteLength })]);
    });
  });

  it("shows refusals where they belong, and disconnects an account after confirming", async () => {
    const xAccount = stack.sandbox.defaultAccount("x");
    const linkedInAccount = stack.sandbox.defaultAccount("linkedin");
    const schedule = () => page.getByRole("group", { name: "Schedule for" });

    await step("a time the clocks skip is refused by the server, under the schedule", async () => {
      await tabs().getByRole("link", { name: "Compose" }).click();
      await page.getByRole("checkbox", { name: `${xAccount.displayName} on X` }).check();
      await page.getByRole("textbox", { name: /^Post 1/ }).fill("Posted in the hour that does not exist");
      // Europe/Berlin springs forward at 02:00 on 28 March 2027.
      await page.getByLabel("Date", { exact: true }).fill("2027-03-28");
      await page.getByLabel("Time", { exact: true }).fill("02:30");
      await page.getByRole("button", { name: "Schedule", exact: true }).click();
      await visible(schedule().getByText(/2027-03-28 02:30 does not exist in Europe\/Berlin/));
      expect(new URL(page.url()).pathname).toBe("/publishing/compose");
    });

    await step("a time that has passed is caught before sending", async () => {
      const yesterday = localIn(TIME_ZONE, Date.now() - 24 * 3_600_000);
      await page.getByLabel("Date", { exact: true }).fill(yesterday.date);
      await page.getByLabel("Time", { exact: true }).fill("10:00");
      await page.getByRole("button", { name: "Schedule", exact: true }).click();
      await visible(schedule().getByText("That time has passed. Pick a time in the future."));
    });

    await step("a failed connection attempt comes back with its reason", async () => {
      await page.goto("/publishing/connections?error=LinkedIn%20said%3A%20the%20member%20declined.");
      await visible(page.getByText("The account was not connected"));
      await visible(page.getByText("LinkedIn said: the member declined."));
    });

    await step("disconnect LinkedIn after confirming", async () => {
      const row = page.getByRole("listitem", { name: `${linkedInAccount.displayName} on LinkedIn` });
      await row.getByRole("button", { name: `Disconnect ${linkedInAccount.displayName} on LinkedIn` }).click();
      await visible(row.getByText(/Posts scheduled on it will not be published/));
      await row.getByRole("group").getByRole("button", { name: "Disconnect" }).click();
      await eventually(() => row.count()).toBe(0);
      await visible(page.getByRole("listitem", { name: `${xAccount.displayName} on X` }));
    });
  });

  it("with posts, accounts and history, every publishing page fits a phone and passes axe", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [path, name] of [
        ["/publishing", "Publishing"],
        ["/publishing/compose", "Compose"],
        ["/publishing/history", "History"],
        ["/publishing/connections", "Connections"],
      ] as const) {
        await page.goto(path);
        await visible(heading(name));
        await page.waitForLoadState("networkidle");
        const sideways = await page.evaluate(
          () => (document.scrollingElement?.scrollWidth ?? 0) - document.documentElement.clientWidth,
        );
        expect(sideways, `${path} scrolls sideways at 390 px`).toBe(0);
        const findings = await axeViolations(page);
        expect(findings, `${path} at 390 px:\n${describeFindings(findings)}`).toEqual([]);
        if (keepScreenshots)
          await page.screenshot({ path: `${resultsDir}/publishing-phone${path.replaceAll("/", "-")}.png`, fullPage: true });
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
