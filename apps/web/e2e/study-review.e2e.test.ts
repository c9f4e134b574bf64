/**
 * Flashcard review in a real browser against the real stack: a knowledge note becomes a flashcard set
 * (study.library.generate with the offline placeholder AI, its cards labelled), the review page shows
 * the new cards, a sitting at desktop width rates one card Again with the keyboard and ends (summary: one
 * still learning), the due count shows it back; at phone width the set's own study mode reviews it and
 * the rest by clicking (each rating button showing its interval), and the review page ends with nothing
 * due, every card reviewed today and a one-day streak. No sideways scrolling and no axe findings.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  callApi,
  DESKTOP,
  fitsAndPassesAxe,
  PHONE,
  resultsDir,
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

const t = useBrowserStack();
let page: Page;
const step = stepRunner(() => page, "study-review", 120_000);

const stat = (p: Page, role: string) => p.locator(`[data-role="${role}"]`).first();

describe("flashcard review in the browser", () => {
  it("generates a set from a note, reviews it on desktop and phone, and the due count drops to nothing", async () => {
    ({ page } = await t.openPage({ viewport: DESKTOP }));
    let setId = "";
    let total = 0;

    await step("sign up, write a note, generate a flashcard set from it", async () => {
      await signUpInBrowser(page, { name: "Rae Review", email: uniqueEmail("review") });
      const note = await callApi<{ id: string }>(page, "writer.knowledge.create", {
        title: "Cell biology",
        content:
          "Mitosis divides one cell into two identical cells. Meiosis makes four sex cells with half the chromosomes. Ribosomes build proteins. Mitochondria release energy as ATP.",
        category: "about_me",
      });
      const item = await callApi<{ id: string; content: { cards: unknown[] }; isPlaceholder: boolean }>(
        page,
        "study.library.generate",
        {
          itemType: "flashcard",
          sourceIds: { notes: [note.id] },
          count: 3,
          idempotencyKey: `e2e-${crypto.randomUUID()}`,
        },
      );
      setId = item.id;
      total = item.content.cards.length;
      expect(total).toBeGreaterThanOrEqual(2);
      expect(item.isPlaceholder).toBe(true);
    });

    await step("the review page shows the new cards and nothing due", async () => {
      await page.goto("/study/review");
      await page.getByRole("heading", { level: 1, name: "Review" }).waitFor();
      await expect.poll(() => stat(page, "new-available").textContent()).toBe(String(total));
      expect(await stat(page, "due-now").textContent()).toBe("0");
      expect(await stat(page, "streak").textContent()).toBe("0 days");
      await fitsAndPassesAxe(page);
    });

    await step("desktop sitting: space reveals, 1 rates Again, then end: the summary says one still learning", async () => {
      await page.getByRole("button", { name: "Start review" }).click();
      await page.getByRole("button", { name: "Show answer" }).waitFor();
      // The generated cards are the offline model's: labelled.
      await page.getByText("Placeholder AI").first().waitFor();
      expect(await page.locator('[data-role="card-back"]').count()).toBe(0);
      await page.keyboard.press("Space");
      await page.locator('[data-role="card-back"]').waitFor();
      const again = page.getByRole("button", { name: /^Again/ });
      expect(await again.textContent()).toMatch(/Again\s*(<1|1) min/);
      expect(await page.getByRole("button", { name: /^Easy/ }).textContent()).toMatch(/Easy\s*\d+ days?/);
      await fitsAndPassesAxe(page);
      await page.keyboard.press("1");
      await page.getByText(`Card 2 of ${total}`).waitFor();
      await page.getByRole("button", { name: "End session" }).click();
      await page.getByRole("heading", { name: "Session summary" }).waitFor();
      const summary = page.getByRole("region", { name: "Session summary" });
      expect(await summary.getByText("Cards reviewed").locator("xpath=..").textContent()).toContain("1");
      expect(await summary.getByText("Still learning").locator("xpath=..").textContent()).toContain("1");
      await fitsAndPassesAxe(page);
      await page.getByRole("button", { name: "Done" }).click();
      // The card failed is due again (its learning step), one fewer new card is left.
      await expect.poll(() => stat(page, "due-now").textContent()).toBe("1");
      expect(await stat(page, "new-available").textContent()).toBe(String(total - 1));
      expect(await stat(page, "reviewed-today").textContent()).toBe("1");
    });

    await step("phone: the set's study mode reviews the due card first, then the new ones, by clicking", async () => {
      await page.setViewportSize(PHONE);
      await page.goto(`/study/items/${setId}/flashcards`);
      await page.getByRole("heading", { level: 2, name: "This set today" }).waitFor();
      await fitsAndPassesAxe(page);
      await page.getByRole("button", { name: "Study these cards" }).click();
      let rated = 0;
      while (rated < total + 2) {
        const show = page.getByRole("button", { name: "Show answer" });
        const done = page.getByRole("heading", { name: "Session summary" });
        await Promise.race([show.waitFor(), done.waitFor()]);
        if (await done.isVisible()) break;
        if (rated === 0) {
          expect(await page.locator("p", { hasText: "Learning" }).first().textContent()).toContain("Learning");
        }
        await show.click();
        const easy = page.getByRole("button", { name: /^Easy/ });
        await easy.waitFor();
        if (rated === 0) await fitsAndPassesAxe(page);
        await easy.click();
        rated++;
      }
      expect(rated).toBe(total);
      await page.getByRole("heading", { name: "Session summary" }).waitFor();
      const summary = page.getByRole("region", { name: "Session summary" });
      expect(await summary.getByText("Known").locator("xpath=..").textContent()).toContain(String(total));
      await page.screenshot({ path: `${resultsDir}/study-review-390.png`, fullPage: true });
      await fitsAndPassesAxe(page);
    });

    await step("the review page: nothing due, nothing new, every card reviewed today, a one-day streak", async () => {
      await page.goto("/study/review");
      await page.getByRole("heading", { level: 1, name: "Review" }).waitFor();
      await expect.poll(() => stat(page, "due-now").textContent()).toBe("0");
      expect(await stat(page, "new-available").textContent()).toBe("0");
      expect(await stat(page, "reviewed-today").textContent()).toBe(String(total + 1));
      expect(await stat(page, "streak").textContent()).toBe("1 day");
      await fitsAndPassesAxe(page);
    });
  });
});
