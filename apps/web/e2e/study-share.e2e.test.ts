/**
 * Sharing in real browsers against the real stack: the owner (desktop) makes a quiz link from the item
 * page's share dialog; someone with no account opens it on a phone (a second browser context), takes the
 * quiz and sees their results with the answers; the owner's dialog then counts the view and the attempt.
 * A public read-only link to the same item opens on a phone too. Every screen fits at 390 px and
 * 1280 px without sideways scrolling and passes axe.
 *
 * The quiz is written through the study module as its owner (the library's pages are tested by its file);
 * set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { asUser } from "@inkwell/db";
import { library } from "@inkwell/domain/study";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fitsBothWidths, PHONE, signUpInBrowser, stepRunner, uniqueEmail, useBrowserStack } from "./browser.ts";

const t = useBrowserStack();
let page: Page;
const step = stepRunner(() => page, "study-share", 60_000);

const QUIZ = {
  questions: [
    {
      id: "q1",
      kind: "multiple_choice" as const,
      prompt: "Which organelle makes most of a cell's ATP?",
      choices: ["Nucleus", "Mitochondrion", "Ribosome"],
      answerIndex: 1,
      explanation: "Mitochondria run cellular respiration.",
    },
    { id: "q2", kind: "true_false" as const, prompt: "Plant cells have a cell wall.", answer: true },
    { id: "q3", kind: "short_answer" as const, prompt: "What do plants make in photosynthesis?", expected: "Glucose and oxygen" },
  ],
};

describe("sharing in the browser", () => {
  it("a quiz link made from the item page is taken on a phone without an account, and the owner sees it counted", async () => {
    ({ page } = await t.openPage());
    const owner = page;
    const email = uniqueEmail("share-owner");
    let itemId = "";
    let quizUrl = "";

    await step("sign up; a quiz; share it as a link from its page", async () => {
      await signUpInBrowser(owner, { name: "Olive", email });
      const userId = await t.userIdOf(email);
      itemId = (
        await asUser(t.db, userId, (tx) => library.create(tx, userId, { itemType: "quiz", title: "Cells", content: QUIZ }))
      ).id;
      await owner.goto(`/study/items/${itemId}`);
      await owner.getByRole("heading", { level: 1, name: "Cells" }).waitFor();
      await owner.getByRole("button", { name: "Share" }).click();
      const dialog = owner.getByRole("dialog", { name: "Share “Cells”" });
      await dialog.waitFor();
      await dialog.getByLabel("Expires after").first().selectOption("1d");
      await dialog.getByRole("button", { name: "Create quiz link" }).click();
      quizUrl = await dialog.getByLabel("Your quiz link").inputValue();
      expect(quizUrl).toMatch(/\/q\/[A-Za-z0-9_-]{43}$/);
      await expect.poll(() => dialog.getByTestId("quiz-link-row").count()).toBe(1);
      await fitsBothWidths(owner);
    });

    const taker = (await t.openPage({ viewport: PHONE })).page;
    page = taker;

    await step("someone with no account opens the link on a phone and takes the quiz", async () => {
      await taker.goto(quizUrl);
      await taker.getByRole("heading", { level: 1, name: "Cells" }).waitFor();
      // The answers are not on the page before submitting.
      expect(await taker.content()).not.toContain("cellular respiration");
      await fitsBothWidths(taker);
      await taker
        .getByRole("group", { name: /Which organelle/ })
        .getByLabel("Mitochondrion")
        .check();
      await taker
        .getByRole("group", { name: /cell wall/ })
        .getByLabel("False")
        .check();
      await taker.getByLabel("Your answer to question 3").fill("Plants make glucose and oxygen");
      await taker.getByLabel(/Your name/).fill("Sam");
      await taker.getByRole("button", { name: "See my results" }).click();
      await taker.getByRole("heading", { name: "Your results" }).waitFor();
      await expect.poll(() => taker.getByRole("status").filter({ hasText: "/ 3" }).textContent()).toContain("2 / 3");
      await taker.getByText("Mitochondria run cellular respiration.").waitFor();
      await taker.getByText("Answer: True").waitFor();
      // The offline grader graded the short answer, and the page says it is a placeholder.
      await taker.getByText("Placeholder AI").first().waitFor();
      await fitsBothWidths(taker);
    });

    page = owner;
    await step("the owner sees one view and one attempt", async () => {
      await owner.keyboard.press("Escape");
      await owner.getByRole("button", { name: "Share" }).click();
      const row = owner.getByRole("dialog").getByTestId("quiz-link-row");
      await expect.poll(() => row.getByTestId("access-count").textContent()).toBe("1");
      await row.getByText("1 attempt").waitFor();
    });

    await step("a public read-only link opens on a phone without an account", async () => {
      const dialog = owner.getByRole("dialog");
      await dialog.getByRole("button", { name: "Create public link" }).click();
      const url = await dialog.getByLabel("Your public link").inputValue();
      expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
      page = taker;
      await taker.goto(url);
      await taker.getByRole("heading", { level: 1, name: "Cells" }).waitFor();
      await taker.getByText("Model answer: Glucose and oxygen").waitFor();
      await fitsBothWidths(taker);
      // Turned off, it says so.
      page = owner;
      await dialog.getByRole("button", { name: "Stop sharing: Public link" }).click();
      await dialog.getByText("Public link · Turned off").waitFor();
      page = taker;
      await taker.reload();
      await taker.getByText("This link was turned off by the person who shared it.").waitFor();
    });
  });
});
