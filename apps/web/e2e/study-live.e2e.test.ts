/**
 * A live quiz in real browsers against the real stack: a host (desktop) and two players (separate browser
 * contexts at phone size, no accounts) play a two-question quiz to the end. From the lobby the host invites
 * an account by e-mail (it finds the invitation with the code in its bell; an address without an account
 * gets the same answer on the host's screen). The players join by the code on the host's screen, answer
 * with the big buttons, see whether they were right and their rank; the host sees the answers come in, the
 * reveal with the leaderboard and the final podium. Every screen fits without sideways scrolling and
 * passes axe.
 *
 * The quiz is written through the study module as its owner (the library's pages are tested by its file);
 * set E2E_SCREENSHOTS=1 to keep a screenshot of every step in apps/web/test-results/.
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
  signUpInBrowser,
  stepRunner,
  uniqueEmail,
  useBrowserStack,
} from "./browser.ts";

const t = useBrowserStack();
let page: Page;
const step = stepRunner(() => page, "study-live", 60_000);

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
    ({ page } = await t.openPage());
    const host = page;
    const email = uniqueEmail("live-host");
    let code = "";

    await step("sign up, a quiz; host it live from the Live page", async () => {
      await signUpInBrowser(host, { name: "Hana", email });
      const userId = await t.userIdOf(email);
      await asUser(t.db, userId, (tx) => library.create(tx, userId, { itemType: "quiz", title: "Space", content: QUIZ }));
      await host.goto("/study/live");
      await host.getByRole("heading", { level: 1, name: "Live quizzes" }).waitFor();
      await fitsAndPassesAxe(host);
      await host.getByRole("button", { name: "Host live: Space" }).click();
      await host.getByText("Waiting for players").waitFor();
      code = ((await host.getByTestId("live-code").textContent()) ?? "").replace("Game code", "").trim();
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
      await host.getByText("1 short-answer question is skipped").waitFor();
      await fitsBothWidths(host);
    });

    await step("invite someone by e-mail from the lobby: the answer says nothing of who has an account", async () => {
      const guest = (await t.openPage({ viewport: DESKTOP })).page;
      const guestEmail = uniqueEmail("live-guest");
      await signUpInBrowser(guest, { name: "Ivy", email: guestEmail });
      const invite = host.getByRole("form", { name: "Invite by e-mail" });
      const address = invite.getByLabel("E-mail address");
      await address.fill("not an address");
      await invite.getByRole("button", { name: "Send invitation" }).click();
      await expect.poll(() => address.getAttribute("aria-invalid")).toBe("true");
      await address.fill(guestEmail);
      await invite.getByRole("button", { name: "Send invitation" }).click();
      await invite
        .getByRole("status")
        .filter({ hasText: `Invitation sent to ${guestEmail}.` })
        .waitFor();
      expect(await address.inputValue()).toBe("");
      const nobody = uniqueEmail("nobody");
      await address.fill(nobody);
      await invite.getByRole("button", { name: "Send invitation" }).click();
      await invite
        .getByRole("status")
        .filter({ hasText: `Invitation sent to ${nobody}.` })
        .waitFor();
      await fitsBothWidths(host);

      // The invited account finds it in the bell, with the code.
      page = guest;
      await guest.reload();
      await guest.getByRole("button", { name: /^Notifications/ }).click();
      const invitation = guest.getByRole("listitem").filter({ hasText: 'Hana invited you to a live quiz: "Space"' });
      await invitation.getByText(`Join at /play/${code} (code ${code})`).waitFor();
      await guest.context().close();
      page = host;
    });

    const phone = { viewport: PHONE };
    const ann = (await t.openPage(phone)).page;
    const bob = (await t.openPage(phone)).page;

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
