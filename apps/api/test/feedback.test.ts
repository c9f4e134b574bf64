/**
 * Bug reports and feedback on the real database: a user submits and lists their own (with the status an
 * administrator set, never the administrator's notes), bad input is refused with field messages, another
 * user can read none of it (procedures and the database itself), browser details are stored only with
 * consent, the admin workflow moves status and keeps notes, and the `feedback_open` setting closes the forms.
 */
import { asUser } from "@inkwell/db";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

type User = Awaited<ReturnType<Harness["signUp"]>>;
let h: Harness;
let admin: User;
let alice: User;
let bob: User;

const bug = {
  preferredName: "Alice",
  severity: "high" as const,
  errorCode: "INSUFFICIENT_CREDITS",
  description: "The quiz page said I had no credits after buying some.",
};

beforeAll(async () => {
  h = await startHarness();
  admin = await h.signUp("fb-admin");
  await h.raw(sql`UPDATE users SET role = 'admin' WHERE id = ${admin.me.id}`);
  alice = await h.signUp("fb-alice");
  bob = await h.signUp("fb-bob");
});
afterAll(() => h?.stop());

describe("submitting", () => {
  it("stores a bug report and feedback that the author sees with their status", async () => {
    const report = await alice.caller.feedback.submitBugReport(bug);
    expect(report).toMatchObject({ severity: "high", errorCode: "INSUFFICIENT_CREDITS", hasErrorCode: true, status: "pending" });
    const fb = await alice.caller.feedback.submitFeedback({
      preferredName: "Alice",
      feedbackType: "feature_request",
      message: "Please add dark mode to flashcards.",
      rating: 4,
    });
    expect(fb).toMatchObject({ feedbackType: "feature_request", rating: 4, status: "pending" });
    const noCode = await alice.caller.feedback.submitBugReport({ ...bug, errorCode: undefined, severity: "low" });
    expect(noCode).toMatchObject({ errorCode: null, hasErrorCode: false });

    const mine = await alice.caller.feedback.mine();
    expect(mine.bugReports.map((r) => r.id)).toEqual([noCode.id, report.id]);
    expect(mine.feedback.map((f) => f.id)).toEqual([fb.id]);
    expect(mine.bugReports[0]).not.toHaveProperty("adminNotes");
  });

  it("refuses bad input with a message for the field", async () => {
    const short = await expectTrpcError(alice.caller.feedback.submitBugReport({ ...bug, description: "broken" }), "BAD_REQUEST");
    expect(JSON.stringify(short)).toContain("Describe what happened");
    await expectTrpcError(alice.caller.feedback.submitBugReport({ ...bug, severity: "apocalyptic" as any }), "BAD_REQUEST");
    await expectTrpcError(alice.caller.feedback.submitBugReport({ ...bug, preferredName: "  " }), "BAD_REQUEST");
    await expectTrpcError(
      alice.caller.feedback.submitFeedback({ preferredName: "A", feedbackType: "general", message: "Fine", rating: 6 }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      alice.caller.feedback.submitFeedback({ preferredName: "A", feedbackType: "rant" as any, message: "Fine" }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      h.anon().feedback.submitFeedback({ preferredName: "A", feedbackType: "general", message: "Hi there" }),
      "UNAUTHORIZED",
    );
  });
});

describe("limits", () => {
  it("a user sends at most 20 reports and 20 feedback an hour, however many arrive at once", async () => {
    const carol = await h.signUp("fb-carol");
    const sends = Array.from({ length: 24 }, (_, i) =>
      carol.caller.feedback.submitBugReport({ ...bug, description: `Flood report number ${i} of many` }),
    );
    const outcomes = await Promise.allSettled(sends);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(20);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(refused.map((o) => (o.reason as { code?: string }).code)).toEqual(Array(4).fill("TOO_MANY_REQUESTS"));
    // Feedback has its own allowance.
    await carol.caller.feedback.submitFeedback({ preferredName: "Carol", feedbackType: "general", message: "Still here" });
    const { rows } = await h.raw(sql<{ n: number }>`SELECT count(*)::int AS n FROM bug_reports WHERE user_id = ${carol.me.id}`);
    expect(rows[0]?.n).toBe(20);
  });
});

describe("browser details", () => {
  it("are stored only when the user consents", async () => {
    const without = await alice.caller.feedback.submitBugReport({
      ...bug,
      shareBrowserInfo: false,
      browserInfo: "Screen 390x844, language en-US",
    });
    expect(without.browserInfo).toBeNull();
    const { rows } = await h.raw(
      sql<{ browser_info: string | null }>`SELECT browser_info FROM bug_reports WHERE id = ${without.id}`,
    );
    expect(rows[0]?.browser_info).toBeNull();

    const withConsent = await alice.caller.feedback.submitBugReport({
      ...bug,
      shareBrowserInfo: true,
      browserInfo: "Screen 390x844, language en-US",
    });
    // The request's user agent (the harness's is "vitest") and what the page gathered.
    expect(withConsent.browserInfo).toContain("User agent: vitest");
    expect(withConsent.browserInfo).toContain("Screen 390x844");
  });
});

describe("isolation", () => {
  it("a user cannot read another's reports or feedback, nor any admin notes", async () => {
    const report = await alice.caller.feedback.submitBugReport(bug);
    const bobs = await bob.caller.feedback.mine();
    expect(bobs.bugReports).toEqual([]);
    expect(bobs.feedback).toEqual([]);

    // The database itself: Bob's row security hides Alice's rows; the user role cannot read admin_notes at all.
    const seen = await asUser(h.db, bob.me.id, (tx) =>
      tx.selectFrom("bug_reports").select("id").where("id", "=", report.id).execute(),
    );
    expect(seen).toEqual([]);
    await expect(asUser(h.db, alice.me.id, (tx) => tx.selectFrom("bug_reports").select("admin_notes").execute())).rejects.toThrow(
      /permission denied/,
    );
    // Nor can a user set their own report's status.
    await expect(
      asUser(h.db, alice.me.id, (tx) =>
        tx.updateTable("bug_reports").set({ status: "resolved" }).where("id", "=", report.id).execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    // Or insert as someone else.
    await expect(
      asUser(h.db, bob.me.id, (tx) =>
        tx
          .insertInto("user_feedback")
          .values({ user_id: alice.me.id, preferred_name: "Bob", feedback_type: "general", message: "posing as Alice" })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);

    // And no user reaches the admin side.
    await expectTrpcError(bob.caller.admin.feedback.bugReports({}), "FORBIDDEN");
    await expectTrpcError(bob.caller.admin.feedback.updateBugReport({ id: report.id, status: "closed" }), "FORBIDDEN");
  });
});

describe("admin workflow", () => {
  it("filters by status, moves the status and keeps notes the author never sees", async () => {
    const report = await alice.caller.feedback.submitBugReport({ ...bug, severity: "critical" });
    const fb = await alice.caller.feedback.submitFeedback({
      preferredName: "Alice",
      feedbackType: "improvement",
      message: "Faster quizzes please",
    });

    const pending = await admin.caller.admin.feedback.bugReports({ status: "pending", severity: "critical" });
    expect(pending.items.map((r) => r.id)).toContain(report.id);
    expect(pending.items.find((r) => r.id === report.id)).toMatchObject({ userId: alice.me.id, adminNotes: null });

    const moved = await admin.caller.admin.feedback.updateBugReport({
      id: report.id,
      status: "in_progress",
      adminNotes: "Reproduced on Safari; ledger replay",
    });
    expect(moved).toMatchObject({ status: "in_progress", adminNotes: "Reproduced on Safari; ledger replay" });
    expect(
      (await admin.caller.admin.feedback.bugReports({ status: "pending", severity: "critical" })).items.map((r) => r.id),
    ).not.toContain(report.id);
    expect((await admin.caller.admin.feedback.bugReports({ status: "in_progress" })).items.map((r) => r.id)).toContain(report.id);

    await admin.caller.admin.feedback.updateFeedback({ id: fb.id, status: "reviewed" });
    const mine = await alice.caller.feedback.mine();
    expect(mine.bugReports.find((r) => r.id === report.id)?.status).toBe("in_progress");
    expect(JSON.stringify(mine)).not.toContain("Reproduced on Safari");
    expect(mine.feedback.find((f) => f.id === fb.id)?.status).toBe("reviewed");
    expect((await admin.caller.admin.feedback.feedback({ status: "reviewed" })).items.map((f) => f.id)).toContain(fb.id);

    const counts = await admin.caller.admin.dashboard.openFeedback();
    expect(counts.openBugReports).toBeGreaterThanOrEqual(1);

    await expectTrpcError(admin.caller.admin.feedback.updateBugReport({ id: fb.id, status: "closed" }), "NOT_FOUND");
    await expectTrpcError(
      admin.caller.admin.feedback.updateBugReport({ id: report.id, status: "reviewed" as any }),
      "BAD_REQUEST",
    );
    await expectTrpcError(admin.caller.admin.feedback.updateFeedback({ id: fb.id }), "BAD_REQUEST");
  });
});

describe("the feedback_open setting", () => {
  it("closes and reopens the forms", async () => {
    try {
      await admin.caller.admin.config.set({ key: "feedback_open", value: false });
      expect(await h.anon().feedback.status()).toEqual({ open: false });
      const closed = await expectTrpcError(alice.caller.feedback.submitBugReport(bug), "PRECONDITION_FAILED");
      expect(closed.message).toContain("closed");
      // What was sent before stays readable.
      expect((await alice.caller.feedback.mine()).bugReports.length).toBeGreaterThan(0);
    } finally {
      await admin.caller.admin.config.set({ key: "feedback_open", value: true });
    }
    expect(await h.anon().feedback.status()).toEqual({ open: true });
    await alice.caller.feedback.submitFeedback({ preferredName: "Alice", feedbackType: "general", message: "Open again" });
  });
});
