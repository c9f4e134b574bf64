/**
 * Classrooms in a real browser against the real stack and the local identity sandbox: on a phone
 * (390 px) a teacher presses "Continue with Clever" on the sign-in page, chooses themselves on the
 * sandbox's page, lands signed in, opens /classrooms, presses Sync with Clever (queued), the roster sync
 * runs (as the worker's job does) and their class shows; the class page lists its students. Every page
 * checked for sideways scrolling and with axe.
 */
import { asSystem } from "@inkwell/db";
import { classrooms } from "@inkwell/domain/classrooms";
import { type IdentitySandbox, startIdentitySandbox } from "@inkwell/domain/classrooms/testing";
import { generateKeySpec, parseKeyRing } from "@inkwell/domain/platform";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { fitsAndPassesAxe, PHONE, stepRunner, useBrowserStack } from "./browser.ts";

let sandbox: IdentitySandbox;
const keys = generateKeySpec("e2e-classrooms");

beforeAll(async () => {
  sandbox = await startIdentitySandbox();
});
const t = useBrowserStack({
  stack: () => ({
    env: {
      INKWELL_ENCRYPTION_KEYS: keys,
      OAUTH_CLEVER_CLIENT_ID: sandbox.clients.clever.clientId,
      OAUTH_CLEVER_CLIENT_SECRET: sandbox.clients.clever.clientSecret,
      OAUTH_CLEVER_ISSUER: sandbox.cleverUrl,
      CLEVER_API_URL: sandbox.url,
      OAUTH_GOOGLE_CLIENT_ID: sandbox.clients.google.clientId,
      OAUTH_GOOGLE_CLIENT_SECRET: sandbox.clients.google.clientSecret,
      OAUTH_GOOGLE_ISSUER: sandbox.googleIssuer,
    },
  }),
  afterStop: () => sandbox?.stop(),
});
let page: Page;
const step = stepRunner(() => page, "classrooms", 120_000);

describe("classrooms in the browser", () => {
  it("a teacher signs in with Clever from the sign-in page, syncs, and sees their class, on a phone", async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const teacher = sandbox.addUser({
      id: `clever-teacher-${tag}`,
      provider: "clever",
      role: "teacher",
      email: `teacher-${tag}@sandbox-school.test`,
      firstName: "Wren",
      lastName: `Teach${tag}`,
    });
    for (const n of [1, 2])
      sandbox.addUser({
        id: `clever-student-${tag}-${n}`,
        provider: "clever",
        role: "student",
        email: null,
        firstName: `Kid${n}`,
        lastName: tag,
      });
    sandbox.addSection({
      id: `section-${tag}`,
      name: `Chemistry ${tag}`,
      subject: "science",
      grade: "8",
      period: "2",
      teachers: [teacher.id],
      students: [`clever-student-${tag}-1`, `clever-student-${tag}-2`],
    });
    ({ page } = await t.openPage({ viewport: PHONE }));

    await step("the sign-in page offers Clever and Google", async () => {
      await page.goto("/sign-in");
      await page.getByRole("link", { name: "Continue with Clever" }).waitFor();
      await page.getByRole("link", { name: "Continue with Google" }).waitFor();
      await fitsAndPassesAxe(page, "sign-in");
    });

    await step("Continue with Clever → the sandbox chooser → signed in", async () => {
      await page.getByRole("link", { name: "Continue with Clever" }).click();
      await page.getByRole("link", { name: `Wren Teach${tag}` }).click();
      await page.waitForURL((url) => url.origin === t.stack.baseUrl && !url.pathname.startsWith("/auth/"));
      expect(new URL(page.url()).searchParams.get("oauth_error")).toBeNull();
    });

    await step("/classrooms: no classes yet; Sync with Clever queues a sync", async () => {
      await page.goto("/classrooms");
      await page.getByRole("heading", { level: 1, name: "Classrooms" }).waitFor();
      await page.getByText("No classes yet").waitFor();
      await fitsAndPassesAxe(page, "classrooms (empty)");
      await page.getByRole("button", { name: "Sync with Clever" }).click();
      await page.getByText("Sync queued").waitFor();
    });

    await step("the roster sync runs; the class shows with its students", async () => {
      const { id: teacherId } = await asSystem(t.db, (tx) =>
        tx
          .selectFrom("users")
          .select("id")
          .where("email", "=", teacher.email ?? "")
          .executeTakeFirstOrThrow(),
      );
      // The worker's job, run here (the stack's worker does not run the classrooms queue).
      const outcome = await classrooms.syncRoster({ db: t.db, keyRing: parseKeyRing(keys) }, { teacherId, apiUrl: sandbox.url });
      expect(outcome).toMatchObject({ classrooms: 1, students: 2 });
      await page.reload();
      await page.getByText("Synced").first().waitFor();
      await page.getByRole("link", { name: new RegExp(`Chemistry ${tag}`) }).click();
      await page.getByRole("heading", { level: 1, name: `Chemistry ${tag}` }).waitFor();
      await page.getByText(`Kid1 ${tag}`).first().waitFor();
      await fitsAndPassesAxe(page, "classroom");
      await page.goto("/classrooms");
      await page.getByRole("link", { name: new RegExp(`Chemistry ${tag}`) }).waitFor();
      await fitsAndPassesAxe(page, "classrooms");
    });
  });
});
