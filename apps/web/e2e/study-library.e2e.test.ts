/**
 * The study library in a real browser against the real stack: on a phone (390 px) create a folder,
 * generate a study guide from a topic (the offline AI: the item says "Placeholder AI"), edit a section
 * and move the guide into the folder; then the library and the item at 1280 px; then, on a phone again,
 * write a quiz by hand and give it a multiple-choice question (choices added, removed, the right one
 * chosen) and a short-answer one. Every page checked for sideways scrolling and with axe.
 *
 * Set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DESKTOP, fitsAndPassesAxe, PHONE, signUpInBrowser, stepRunner, uniqueEmail, useBrowserStack } from "./browser.ts";

const t = useBrowserStack();
let page: Page;
const step = stepRunner(() => page, "study-library", 120_000);

describe("study library in the browser", () => {
  it("creates a folder, generates a placeholder study guide, edits a section and files it, on a phone and a desktop", async () => {
    ({ page } = await t.openPage({ viewport: PHONE }));

    await step("sign up and open an empty library", async () => {
      await signUpInBrowser(page, { name: "Sol", email: uniqueEmail("lib") });
      await page.goto("/study");
      await page.getByRole("heading", { level: 1, name: "Study library" }).waitFor();
      await page.getByText("Nothing here yet").waitFor();
      await fitsAndPassesAxe(page, "empty library");
    });

    await step("create a folder", async () => {
      await page.getByLabel("New folder").fill("Biology");
      await page.getByRole("button", { name: "Add folder" }).click();
      await page.getByRole("button", { name: /^Biology/ }).waitFor();
    });

    await step("generate a study guide from a topic: it opens, labelled Placeholder AI", async () => {
      await page.getByRole("button", { name: "New", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "New study item" });
      await dialog.waitFor();
      await dialog.getByRole("combobox").selectOption("study_guide");
      await dialog.getByLabel("Topic", { exact: true }).fill("Photosynthesis");
      await dialog.getByText(/Costs \d+ credits/).waitFor();
      await fitsAndPassesAxe(page, "new item dialog");
      await dialog.getByRole("button", { name: "Generate" }).click();
      await page.getByRole("heading", { level: 1, name: "Study guide: Photosynthesis" }).waitFor({ timeout: 60_000 });
      await page.getByText("Placeholder AI", { exact: true }).waitFor();
      expect(await page.getByRole("heading", { level: 2 }).count()).toBeGreaterThan(1);
      await fitsAndPassesAxe(page, "study guide reader");
    });

    await step("edit the first section and move the guide into the folder", async () => {
      await page.getByRole("button", { name: "Edit" }).click();
      const form = page.getByRole("form", { name: "Edit item" });
      const section = form.getByRole("group", { name: "Section 1" });
      await section.getByLabel("Heading").fill("Light reactions");
      await section.getByLabel("Body").fill("Chlorophyll absorbs light and splits water, releasing oxygen.");
      await form.getByLabel("Folder").selectOption({ label: "Biology" });
      await fitsAndPassesAxe(page, "item editor");
      await form.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("heading", { level: 2, name: "Light reactions" }).waitFor();
      await page.getByText("Chlorophyll absorbs light and splits water, releasing oxygen.").waitFor();
      await page.getByText("in Biology").waitFor();
      // Still the placeholder's content, edited by hand: the label stays.
      await page.getByText("Placeholder AI", { exact: true }).waitFor();
    });

    await step("the folder holds it in the library", async () => {
      await page.getByRole("link", { name: "← Library" }).click();
      await page.getByRole("heading", { level: 1, name: "Study library" }).waitFor();
      await page.getByRole("button", { name: /^Biology/ }).click();
      const list = page.getByRole("list", { name: "Study items, newest first" });
      await list.getByRole("link", { name: "Study guide: Photosynthesis" }).waitFor();
      await list.getByText("Study guide", { exact: true }).waitFor();
      await page.getByRole("button", { name: "Not in a folder" }).click();
      await page.getByText("Nothing here yet").waitFor();
      await fitsAndPassesAxe(page, "library");
    });

    await step("desktop: the library and the item fit 1280 px and pass axe", async () => {
      await page.setViewportSize(DESKTOP);
      await page.getByRole("button", { name: "All items" }).click();
      await page.getByRole("link", { name: "Study guide: Photosynthesis" }).waitFor();
      await fitsAndPassesAxe(page, "library");
      await page.getByRole("link", { name: "Study guide: Photosynthesis" }).click();
      await page.getByRole("heading", { level: 2, name: "Light reactions" }).waitFor();
      await fitsAndPassesAxe(page, "study guide reader");
    });

    await step("phone: a quiz by hand gets a question of each kind, its choices edited, and saves", async () => {
      await page.setViewportSize(PHONE);
      await page.goto("/study");
      await page.getByRole("button", { name: "New", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "New study item" });
      await dialog.getByLabel("By hand").check();
      await dialog.getByRole("combobox").selectOption("quiz");
      await dialog.getByLabel("Title").fill("Planets");
      await dialog.getByRole("button", { name: "Create" }).click();
      await page.getByRole("heading", { level: 1, name: "Planets" }).waitFor();
      await page.getByRole("button", { name: "Edit" }).click();
      const form = page.getByRole("form", { name: "Edit item" });
      await form.getByRole("button", { name: "Add a multiple-choice question" }).click();
      const mc = form.getByRole("group", { name: "Question 2 (multiple choice)" });
      await mc.getByLabel("Question", { exact: true }).fill("Which planet is the largest?");
      await mc.getByRole("textbox", { name: "Choice 1" }).fill("Mars");
      await mc.getByRole("textbox", { name: "Choice 2" }).fill("Jupiter");
      await mc.getByRole("button", { name: "Add a choice" }).click();
      await mc.getByRole("textbox", { name: "Choice 3" }).fill("Venus");
      await mc.getByRole("group", { name: "Choice 2" }).getByRole("radio", { name: "Right answer" }).check();
      await mc.getByRole("button", { name: "Remove choice 1" }).click();
      expect(
        await mc.getByRole("textbox", { name: /^Choice/ }).evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      ).toEqual(["Jupiter", "Venus"]);
      await form.getByRole("button", { name: "Add a short-answer question" }).click();
      const short = form.getByRole("group", { name: "Question 3 (short answer)" });
      await short.getByLabel("Question", { exact: true }).fill("What is the Sun?");
      await short.getByLabel("Expected answer").fill("A star");
      await fitsAndPassesAxe(page, "quiz editor");
      await form.getByRole("button", { name: "Save changes" }).click();
      const questions = page.getByRole("list", { name: "Questions" });
      await questions.getByText("Which planet is the largest?").waitFor();
      await questions.getByText("What is the Sun?").waitFor();
      expect(await questions.getByRole("listitem").count()).toBe(3);
      await fitsAndPassesAxe(page, "quiz preview");
    });
  });
});
