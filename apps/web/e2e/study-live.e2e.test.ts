/**
 * A live quiz in real browsers against the real stack: a host (desktop) and two players (separate browser
 * contexts at phone size, no accounts) play a two-question quiz to the end. The players join by the code
 * on the host's screen, answer with the big buttons, see whether they were right and their rank; the host
 * sees the answers come in, the reveal with the leaderboard and the final podium. Every screen fits
 * without sideways scrolling and passes axe.
 *
 * The quiz is written through the study module as its owner (the library's pages are tested by its file);
 * set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { asUser, createDb } from "@inkwell/db";
import { closeUntrustedPool } from "@inkwell/domain/platform";
import { library } from "@inkwell/domain/study";
import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { axeViolations, describeFindings } from "./axe.ts";
import { launchChromium, openPage, signUpInBrowser, stepRunner } from "./browser.ts";
import { type Stack, startStack } from "./stack.ts";

let stack: Stack;
let browser: Browser;
let ownerDb: ReturnType<typeof createDb>["db"];

beforeAll(async () => {
  stack = await startStack(inject("databaseUrl"));
  ownerDb = createDb({ url: inject("databaseUrl"), max: 2 }).db;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await ownerDb?.destroy();
  await closeUntrustedPool();
});

let page: Page;
const step = stepRunner(() => page, "study-live", 60_000);
const unique = (tag: string) => `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.test`;
const overflowOf = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

async function fitsAndPassesAxe(p: Page) {
  expect(await overflowOf(p)).toBeLessThanOrEqual(0);
  const findings = await axeViolations(p);
  expect(findings, describeFindings(findings)).toEqual([]);
}

const QUIZ = {
  questions: [
    {
      id: "q1",
      kind: "multiple_choice" as const,
      prompt: "Which planet is known as the Red Planet?",
      choices: ["Venus", "Mars", "Jupiter", "Saturn"],
      answerIndex: 1,
      explanation: "Iron oxide dust makes Mars look red.",
    },
    { id: "q2", kind: "short_answer" as const, prompt: "Why is Mars red?", expected: "Iron oxide" },
    { id: "q3", kind: "true_false" as const, prompt: "The Moon orbits the Earth.", answer: true },
  ],
};

describe("live quiz in the browser", () => {
  it("a host and two players on phones play a two-question quiz to the podium", async () => {
    ({ page } = await openPage(browser, stack.baseUrl));
    const host = page;
    const email = unique("live-host");
    let code = "";

    await step("sign up, a quiz; host it live from the Live page", async () => {
      await signUpInBrowser(host, { name: "Hana", email });
      const { rows } = await sql<{ id: string }>`SELECT id FROM users WHERE email = ${email}`.execute(ownerDb);
      const userId = rows[0]?.id as string;
      await asUser(ownerDb, userId, (tx) => library.create(tx, userId, { itemType: "quiz", title: "Space", content: QUIZ }));
      await host.goto("/study/live");
      await host.getByRole("heading", { level: 1, name: "Live quizzes" }).waitFor();
      await fitsAndPassesAxe(host);
      await host.getByRole("button", { name: "Host live: Space" }).click();
      await host.getByText("Waiting for players").waitFor();
      code = ((await host.getByTestId("live-code").textContent()) ?? "").replace("Game code", "").trim();
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
      await host.getByText("1 short-answer question is skipped").waitFor();
      await fitsAndPassesAxe(host);
      await host.setViewportSize({ width: 390, height: 844 });
      expect(await overflowOf(host)).toBeLessThanOrEqual(0);
      await host.setViewportSize({ width: 1280, height: 900 });
    });

    const phone = { viewport: { width: 390, height: 844 } };
    const ann = (await openPage(browser, stack.baseUrl, phone)).page;
    const bob = (await openPage(browser, stack.baseUrl, phone)).page;

    await step("two players join on their phones, without accounts", async () => {
      await ann.goto("/play");
      await ann.getByRole("heading", { level: 1, name: "Join a live quiz" }).waitFor();
      await fitsAndPassesAxe(ann);
      await ann.getByLabel("Game code").fill(code.toLowerCase());
      await ann.getByLabel("Nickname").fill("Ann");
      await ann.getByRole("button", { name: "Join" }).click();
      await ann.getByText("You're in! Waiting for the host to start").waitFor();
      await fitsAndPassesAxe(ann);
      await bob.goto(`/play/${code}`);
      await bob.getByLabel("Nickname").fill("Bob");
      await bob.getByRole("button", { name: "Join" }).click();
      await bob.getByText("You're in!").waitFor();
      const players = host.getByRole("list", { name: "Players" });
      await players.getByText("Ann").waitFor();
      await players.getByText("Bob").waitFor();
      await host.getByText("2 players joined").waitFor();
    });

    await step("question 1: Ann right, Bob wrong; the reveal when both have answered", async () => {
      await host.getByRole("button", { name: "Start the game" }).click();
      await host.getByRole("heading", { name: "Which planet is known as the Red Planet?" }).waitFor();
      await host.getByRole("timer").waitFor();
      await ann.getByRole("heading", { name: "Which planet is known as the Red Planet?" }).waitFor();
      await fitsAndPassesAxe(ann);
      await ann.getByRole("button", { name: "Mars" }).click();
      await ann.getByText("Answer locked in: Mars").waitFor();
      await host.getByText("1 of 2 answered").waitFor();
      await bob.getByRole("button", { name: "Venus" }).click();
      // Everyone answered: the host's screen reveals by itself.
      await host.getByText("Answer revealed").waitFor();
      await host.getByText("✓ correct").waitFor();
      const board = host.getByRole("region", { name: "Leaderboard" }).getByRole("listitem");
      await expect.poll(() => board.allTextContents()).toEqual([expect.stringMatching(/^1\.Ann\d+$/), "2.Bob0"]);
      await fitsAndPassesAxe(host);
      await ann.getByText(/^Correct! \+\d+$/).waitFor();
      await bob.getByText("Not quite").waitFor();
      await bob.getByText("The answer: Mars").waitFor();
      await fitsAndPassesAxe(bob);
    });

    await step("question 2 (true/false), then the final results", async () => {
      await host.getByRole("button", { name: "Next question" }).click();
      await ann.getByRole("heading", { name: "The Moon orbits the Earth." }).waitFor();
      await ann.getByRole("button", { name: "True" }).click();
      await bob.getByRole("button", { name: "True" }).click();
      await host.getByText("Answer revealed").waitFor();
      await host.getByRole("button", { name: "Final results" }).click();
      const podium = host.getByRole("list", { name: "Podium" });
      await podium.getByText("Ann").waitFor();
      const board = host.getByRole("region", { name: "Final leaderboard" }).getByRole("listitem");
      // Ann was right twice: her row shows a streak of 2 before her score.
      await expect
        .poll(() => board.allTextContents())
        .toEqual([expect.stringMatching(/^1\.Ann · streak 2\d+$/), expect.stringMatching(/^2\.Bob\d+$/)]);
      await fitsAndPassesAxe(host);
      await ann.getByText(/Game over! You finished #1 with \d+ points/).waitFor();
      await bob.getByText(/Game over! You finished #2/).waitFor();
      await fitsAndPassesAxe(bob);
    });

    await step("the game is kept in the host's list with its winner", async () => {
      await host.goto("/study/live");
      await host.getByText(/Finished · 2 players · winner Ann/).waitFor();
    });
  });
});
