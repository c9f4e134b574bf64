/**
 * Sign-up and password reset must not tell whether an address has an account: the same answer, and the
 * same work in the request (one job of the same queue and shape), with the difference made in the worker,
 * whose mail goes only to the address's owner. Timing itself is too noisy to assert; the work is not.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

/** The answer over HTTP as a client sees it: status, body and whether a cookie was set. */
async function post(path: string, body: unknown, ip: string) {
  const res = await h.app.request(`/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip, origin: "http://app.test" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), cookie: res.headers.get("set-cookie") };
}

/** The jobs enqueued since `since` that mention `email`, as queue name and payload keys. */
async function jobsFor(email: string, since: Date) {
  const { rows } = await h.raw(
    sql<{ name: string; data: Record<string, unknown> }>`SELECT name, data FROM pgboss.job
      WHERE created_on >= ${since} AND position(${email} in data::text) > 0`,
  );
  return (rows as { name: string; data: Record<string, unknown> }[]).map((j) => ({
    queue: j.name,
    keys: Object.keys(j.data).sort(),
  }));
}

async function dbNow() {
  const { rows } = await h.raw(sql<{ now: Date }>`SELECT clock_timestamp() AS now`);
  return (rows[0] as { now: Date }).now;
}

describe("sign-up with an address that has an account", () => {
  it("answers exactly like a new sign-up, signs nobody in, and enqueues the same one job", async () => {
    const existing = await h.signUp("taken");
    const fresh = h.uniqueEmail("fresh");

    const since = await dbNow();
    // In another letter case, too: the address is the same account.
    const taken = await post(
      "auth.signUp",
      { email: existing.email.toUpperCase(), password: "another good passphrase" },
      "10.31.0.1",
    );
    const created = await post("auth.signUp", { email: fresh, password: "another good passphrase" }, "10.31.0.2");
    expect(taken).toEqual(created);
    expect(created).toMatchObject({ status: 200, cookie: null });

    const [takenJobs, freshJobs] = [await jobsFor(existing.email, since), await jobsFor(fresh, since)];
    expect(takenJobs).toHaveLength(1);
    expect(takenJobs).toEqual(freshJobs);
  });

  it("mails the holder that someone tried, with no link that changes anything, and leaves the account as it was", async () => {
    const { email, password, caller } = await h.signUp("holder");
    await h.linkToken(email, "verify-email"); // the confirmation from their own sign-up
    await h.anon("10.32.0.1").auth.signUp({ email, password: "an impostor passphrase", displayName: "Impostor" });

    const note = await h.smtp.waitFor((m) => m.to.includes(email) && /tried to sign up/i.test(m.subject), 15_000);
    expect(note.text).toContain("http://app.test/sign-in");
    expect(note.text).toContain("http://app.test/forgot-password");
    expect(note.text).not.toMatch(/token=/);

    await expectTrpcError(h.anon("10.32.0.2").auth.signIn({ email, password: "an impostor passphrase" }), "UNAUTHORIZED");
    await h.anon("10.32.0.3").auth.signIn({ email, password, delivery: "bearer" });
    expect((await caller.profile.get()).displayName).toBe("holder");
    expect(await caller.credits.balance()).toMatchObject({ available: 5000 });
    // Only their own sign-up's confirmation was ever mailed.
    expect(h.smtp.messages.filter((m) => m.to.includes(email) && m.text.includes("/verify-email?token="))).toHaveLength(1);
  });

  it("mails a new address its confirmation link, and the account signs in at once", async () => {
    const email = h.uniqueEmail("newcomer");
    await h.anon("10.33.0.1").auth.signUp({ email, password: "a newcomer passphrase", displayName: "New" });
    const signedIn = await h.anon("10.33.0.1").auth.signIn({ email, password: "a newcomer passphrase", delivery: "bearer" });
    expect(signedIn.me).toMatchObject({ email, emailVerified: false, displayName: "New" });
    const token = await h.linkToken(email, "verify-email");
    await h.anon().auth.verifyEmail({ token });
    expect((await h.as(signedIn.token!).auth.me())?.emailVerified).toBe(true);
    expect(h.smtp.messages.filter((m) => m.to.includes(email) && /tried to sign up/i.test(m.subject))).toHaveLength(0);
  });
});

describe("password reset request", () => {
  it("answers alike and enqueues the same one job for an existing and an unknown address", async () => {
    const { email } = await h.signUp("reset-same");
    const unknown = h.uniqueEmail("reset-ghost");
    const since = await dbNow();
    const known = await post("auth.requestPasswordReset", { email }, "10.34.0.1");
    const ghost = await post("auth.requestPasswordReset", { email: unknown }, "10.34.0.2");
    expect(known).toEqual(ghost);
    expect(known.status).toBe(200);

    const [knownJobs, ghostJobs] = [await jobsFor(email, since), await jobsFor(unknown, since)];
    expect(knownJobs).toHaveLength(1);
    expect(knownJobs).toEqual(ghostJobs);

    // The worker mails the link to the account's address, and only there.
    const token = await h.linkToken(email, "reset-password");
    await h.anon().auth.resetPassword({ token, password: "a brand new passphrase" });
    await h.mailJobsDone(unknown);
    expect(h.smtp.messages.filter((m) => m.to.includes(unknown))).toEqual([]);
  });
});
