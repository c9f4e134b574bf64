/**
 * Test fixtures for the connections module (`@inkwell/domain/connections/testing`): rows made directly,
 * for sweeps that have no platform to sign in to.
 */
import type { Tx } from "@inkwell/db";

/**
 * A connected X account for `userId`, in the caller's transaction; asking twice gives the same one. Its
 * sealed token is a placeholder: only procedures that never open it (list, compose a draft) may use it.
 */
export async function insertFixtureConnection(tx: Tx, userId: string): Promise<void> {
  await tx
    .insertInto("social_connections")
    .values({
      user_id: userId,
      platform: "x",
      platform_account_id: "fixture-account",
      username: "fixture",
      display_name: "Fixture",
      access_token_sealed: "k0:placeholder",
      access_expires_at: new Date(Date.now() + 3_600_000),
    })
    .onConflict((oc) => oc.columns(["user_id", "platform", "platform_account_id"]).doNothing())
    .execute();
}
