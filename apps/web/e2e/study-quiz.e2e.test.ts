/**
 * Quizzes, writing prompts and results in a real browser against the real stack (the offline AI): on a
 * phone, a quiz with one question of each kind is taken one question at a time (a timer runs; nothing
 * the API sends before the submit says what was right), the end screen shows the score, each verdict (the short answer's labelled a placeholder)
 * and the sources; the results page lists it with the day's streak and opens it. On a desktop, writing
 * prompts are answered (word count against the minimum) and scored against the rubric, and the results
 * filter by kind. Every screen fits without sideways scrolling and passes axe.
 *
 * The items are written through the study module as their owner (the library's own pages are tested by
 * its file); set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import { asUser } from "@inkwell/db";
import { library } from "@inkwell/domain/study";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  DESKTOP,
  fitsAndPassesAxe,
  fitsBothWidths,
  PHONE,
  resultsDir,
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

const t = useBrowserStack();
let page: Page;
const step = stepRunner(() => page, "study-quiz", 60_000);

const QUIZ = {
  questions: [
    {
      id: "q1",
      kind: "multiple_choice" as const,
      prompt: "Which organelle makes most of a cell's ATP?",
      choices: ["Nucleus", "Mitochondrion", "Ribosome"],
      answerIndex: 1,
      explanation: "Cellular respiration happens in the mitochondria.",
      cites: [0],
    },
    { id: "q2", kind: "true_false" as const, prompt: "Ribosomes store genetic information.", answer: false, cites: [] },
    {
      id: "q3",
      kind: "short_answer" as const,
      prompt: "What does photosynthesis make from carbon dioxide and water?",
      expected: "Glucose and oxygen",
      cites: [1],
    },
  ],
};
const CITATIONS = [
  {
    sourceKind: "note" as const,
    sourceId: "00000000-0000-4000-8000-000000000001",
    title: "Cell notes",
    quote: "Mitochondria produce most of the cell's ATP.",
  },
  {
    sourceKind: "note" as const,
    sourceId: "00000000-0000-4000-8000-000000000001",
    title: "Plant notes",
    quote: "Photosynthesis turns carbon dioxide and water into glucose and oxygen.",
  },
];

function createQuiz(userId: string, title: string) {
  return asUser(t.db, userId, (tx) =>
    library.create(tx, userId, { itemType: "quiz", title, content: QUIZ, citations: CITATIONS, source: "topic" }),
  );
}

describe("study modes in the browser", () => {
  it("takes a quiz of every question kind on a phone, and finds it in the results", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));
    const email = uniqueEmail("quiz");
    let quizId = "";
    // Everything the API sends the page until the quiz is submitted: none of it may say what was right.
    let submitted = false;
    const beforeSubmit: Promise<string>[] = [];
    page.on("response", (r) => {
      if (r.url().includes("/trpc/study.quiz.submit")) submitted = true;
      const json = (r.headers()["content-type"] ?? "").includes("json");
      if (!submitted && json && r.url().includes("/trpc/")) beforeSubmit.push(r.text().catch(() => ""));
    });

    await step("sign up; a quiz with a multiple-choice, a true/false and a short-answer question", async () => {
      await signUpInBrowser(page, { name: "Quinn", email });
      quizId = (await createQuiz(await t.userIdOf(email), "Cells and plants")).id;
      await page.goto(`/study/items/${quizId}/quiz`);
      await page.getByRole("heading", { level: 1, name: "Cells and plants" }).waitFor();
      await page.getByText("Question 1 of 3").waitFor();
      await page.locator('[data-role="timer"]').waitFor();
      await fitsAndPassesAxe(page);
    });

    await step("multiple choice: the answer is kept, not judged in the page", async () => {
      await page.getByRole("radio", { name: "Mitochondrion" }).check();
      await page.getByRole("button", { name: "Save answer" }).click();
      await page.getByRole("status").filter({ hasText: "Answer saved: graded at the end" }).waitFor();
      expect(await page.getByText("Cellular respiration happens in the mitochondria.").count()).toBe(0);
      await fitsAndPassesAxe(page);
      await page.getByRole("button", { name: "Next question" }).click();
    });

    await step("true/false", async () => {
      await page.getByText("Question 2 of 3").waitFor();
      await page.getByRole("radio", { name: "True" }).check();
      await page.getByRole("button", { name: "Save answer" }).click();
      await page.getByRole("status").filter({ hasText: "Answer saved" }).waitFor();
      await page.getByRole("button", { name: "Next question" }).click();
    });

    await step("a short answer, graded at the end", async () => {
      await page.getByText("Question 3 of 3").waitFor();
      await page.getByLabel("Your answer").fill("Glucose and oxygen");
      await fitsAndPassesAxe(page);
      await page.getByRole("button", { name: "Save answer" }).click();
      await page.getByText("Answer saved: graded at the end").waitFor();
      const sent = (await Promise.all(beforeSubmit)).join("\n");
      expect(sent).toContain("Which organelle makes most of a cell");
      for (const secret of ["answerIndex", '"answer":', "Glucose and oxygen", "Cellular respiration happens"]) {
        expect(sent).not.toContain(secret);
      }
      await page.getByRole("button", { name: "Finish quiz" }).click();
    });

    await step("the end screen: score, verdicts, the placeholder grader labelled, sources", async () => {
      await page.getByRole("heading", { name: "Score: 2 of 3 (66.7%)" }).waitFor({ timeout: 30_000 });
      const answers = page
        .getByRole("list", { name: "Answers" })
        .getByRole("listitem")
        .filter({ has: page.locator("h3") });
      await expect.poll(() => answers.count()).toBe(3);
      expect(await answers.nth(0).textContent()).toContain("Correct");
      expect(await answers.nth(1).textContent()).toContain("Incorrect");
      expect(await answers.nth(1).textContent()).toContain("The answer: False");
      expect(await answers.nth(2).textContent()).toContain("Correct");
      expect(await answers.nth(2).textContent()).toContain("Placeholder grading");
      await page.getByText("Short answers were graded by the offline placeholder").waitFor();
      expect(await answers.nth(0).getByRole("list", { name: "Sources" }).textContent()).toContain(
        "Mitochondria produce most of the cell's ATP.",
      );
      expect(await answers.nth(2).getByRole("list", { name: "Sources" }).textContent()).toContain("Plant notes");
      await fitsAndPassesAxe(page);
      await page.screenshot({ path: `${resultsDir}/study-quiz-end-390.png`, fullPage: true });
    });

    await step("the results page: the quiz, today's streak, and its verdicts again", async () => {
      await page.getByRole("link", { name: "All results" }).click();
      await page.getByRole("heading", { level: 1, name: "Results" }).waitFor();
      const history = page.getByRole("list", { name: "Results, newest first" });
      const line = history.getByRole("listitem").filter({ hasText: "Cells and plants" });
      await line.waitFor();
      expect(await line.textContent()).toContain("66.7%");
      expect(await line.textContent()).toContain("2 of 3 correct");
      await page.getByText("Current streak").locator("..").getByText("1 day").waitFor();
      await line.locator("summary").click();
      await line.getByRole("heading", { name: "Score: 2 of 3 (66.7%)" }).waitFor();
      await fitsAndPassesAxe(page);
    });
  });

  it("scores writing against its rubric on a desktop, and filters the results by kind", async () => {
    ({ page } = await t.openPage({ viewport: DESKTOP }));
    const email = uniqueEmail("writing");
    let writingId = "";

    await step("sign up; take a quiz with a partly right short answer", async () => {
      await signUpInBrowser(page, { name: "Wren", email });
      const userId = await t.userIdOf(email);
      const quiz = await createQuiz(userId, "Plants quiz");
      writingId = (
        await asUser(t.db, userId, (tx) =>
          library.create(tx, userId, {
            itemType: "writing_prompt",
            title: "Light and colour",
            content: {
              prompts: [
                {
                  id: "p1",
                  prompt: "Explain why the sky is blue.",
                  minWords: 20,
                  rubric: [
                    { criterion: "Scattering", description: "Rayleigh scattering of sunlight", points: 4 },
                    { criterion: "Clarity", description: "", points: 2 },
                  ],
                },
              ],
            },
          }),
        )
      ).id;
      await page.goto(`/study/items/${quiz.id}/quiz`);
      await page.getByRole("button", { name: "Skip" }).click();
      await page.getByRole("button", { name: "Next question" }).click();
      await page.getByRole("button", { name: "Skip" }).click();
      await page.getByRole("button", { name: "Next question" }).click();
      await page.getByLabel("Your answer").fill("glucose");
      await page.getByRole("button", { name: "Save answer" }).click();
      await page.getByRole("button", { name: "Finish quiz" }).click();
      await page.getByRole("heading", { name: "Score: 0.5 of 3 (16.7%)" }).waitFor({ timeout: 30_000 });
      expect(await page.getByRole("list", { name: "Answers" }).textContent()).toContain("Partly correct");
      await fitsAndPassesAxe(page);
    });

    await step("write a response: the word count follows, the cost is shown", async () => {
      await page.goto(`/study/items/${writingId}/writing`);
      await page.getByRole("heading", { level: 1, name: "Light and colour" }).waitFor();
      const box = page.getByLabel("Your response to prompt 1");
      await box.fill("Sunlight is scattered by the air.");
      await page.getByText("6 words · at least 20 (14 to go)").waitFor();
      await box.fill(
        "Sunlight is scattered by the molecules of the air. Rayleigh scattering is far stronger for short blue wavelengths, so blue light reaches our eyes from every part of the sky, and the sky looks blue.",
      );
      await page.getByText("Costs 3 credits").waitFor();
      await fitsAndPassesAxe(page);
      await page.getByRole("button", { name: "Submit for scoring" }).click();
    });

    await step("the rubric scores and feedback, labelled placeholder", async () => {
      await page.getByRole("heading", { name: /^Overall score: \d+(\.\d)?%$/ }).waitFor({ timeout: 30_000 });
      const table = page.getByRole("table", { name: "Rubric scores for response 1" });
      expect(await table.getByRole("row", { name: /Scattering/ }).textContent()).toMatch(/\d \/ 4/);
      expect(await table.getByRole("row", { name: /Clarity/ }).textContent()).toMatch(/\d \/ 2/);
      await page.getByText("Scored by the offline placeholder").waitFor();
      await fitsBothWidths(page);
      await page.screenshot({ path: `${resultsDir}/study-writing-1280.png`, fullPage: true });
    });

    await step("results: both kinds, then only writing, then only quizzes", async () => {
      await page.goto("/study/results");
      const history = page.getByRole("list", { name: "Results, newest first" });
      await expect.poll(() => history.getByRole("listitem").count()).toBe(2);
      await page.getByRole("button", { name: "Writing", exact: true }).click();
      await expect.poll(() => history.getByRole("listitem").count()).toBe(1);
      expect(await history.textContent()).toContain("Light and colour");
      await page.getByRole("button", { name: "Quizzes", exact: true }).click();
      await expect.poll(() => history.textContent()).toContain("Plants quiz");
      expect(await history.getByRole("listitem").count()).toBe(1);
      await fitsAndPassesAxe(page);
    });
  });
});
