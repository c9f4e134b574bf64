/**
 * signin-timing: a failed sign-in takes about the same time whether or not the e-mail has an account,
 * so response times do not reveal who is registered (the unknown-e-mail path verifies against a dummy
 * argon2 hash). Both variants go over HTTP through the real API; each request comes from its own
 * client address, so the throttle never answers early.
 *
 *   known-email    POST auth.signIn, a registered e-mail, wrong password
 *   unknown-email  POST auth.signIn, an e-mail with no account
 */
import type { HttpTarget } from "../lib/http-client.ts";
import { planFor, type RatioSpec, ratios, runInterleaved, type Variant } from "../lib/runner.ts";
import type { Suite } from "../lib/suite.ts";

const RATIOS: RatioSpec[] = [
  { name: "unknown/known", a: "unknown-email", b: "known-email", note: "≈ 1.0 means timing does not reveal accounts" },
];
const CONCURRENCY = 2; // argon2 (19 MiB, t=2) is CPU-bound: one per core
const ADDRESSES = 4000;

export const signinTiming: Suite = {
  name: "signin-timing",
  description: "failed sign-in latency: registered e-mail vs unknown e-mail",
  async run(ctx) {
    const stack = await ctx.stack();
    const [user] = await stack.signUp(1, "timing");
    if (!user) throw new Error("sign-up failed");
    const body = (email: string) => JSON.stringify({ email, password: "definitely-not-the-password" });
    const target = (email: string, offset: number): HttpTarget => ({
      origin: stack.api.origin,
      method: "POST",
      expectStatus: 401,
      requests: Array.from({ length: ADDRESSES }, (_, i) => ({
        path: "/trpc/auth.signIn",
        headers: {
          "content-type": "application/json",
          "x-forwarded-for": `10.${200 + offset}.${Math.floor(i / 250)}.${i % 250}`,
        },
        body: body(email),
      })),
    });
    const variants: Variant[] = [
      {
        name: "known-email",
        description: "registered e-mail, wrong password",
        run: (l) => ctx.http.run(target(user.email, 0), l),
      },
      {
        name: "unknown-email",
        description: "e-mail without an account",
        run: (l) => ctx.http.run(target(`nobody-${Date.now()}@example.test`, 1), l),
      },
    ];
    const plan = planFor(ctx.budgetMs(), variants.length, {
      concurrency: CONCURRENCY,
      roundMs: ctx.roundMs,
      maxOpsPerRound: ADDRESSES / 4,
    });
    const results = await runInterleaved(variants, plan, { ...ctx, meters: stack.meters });
    return {
      suite: this.name,
      description: this.description,
      plan,
      variants: results,
      ratios: ratios(results, RATIOS),
      notes: [`${CONCURRENCY} concurrent clients; every request from its own address (throttles never trigger).`],
    };
  },
};
