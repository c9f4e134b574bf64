/**
 * Payments test kit (`@inkwell/domain/payments/testing`): the local Stripe sandbox (`pnpm dev` and the
 * tests point the SDK at it) and fixture rows for sweeps that have no checkout to run.
 */
import type { Tx } from "@inkwell/db";

export {
  type SandboxEvent,
  type SandboxSession,
  type StripeSandbox,
  type StripeSandboxOptions,
  signStripePayload,
  startStripeSandbox,
  TEST_CARDS,
} from "./stripe-sandbox.ts";

/** A pending credit-pack payment for `userId`, in the caller's (their own) transaction. */
export async function insertFixturePayment(tx: Tx, userId: string): Promise<void> {
  await tx
    .insertInto("payments")
    .values({
      user_id: userId,
      kind: "credit_pack",
      reference_id: "pack-5k",
      description: "Fixture pack",
      amount_cents: 500,
      currency: "usd",
      credits: 5000,
    })
    .execute();
}
