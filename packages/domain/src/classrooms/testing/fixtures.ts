import { randomUUID } from "node:crypto";
import { asSystem, type Database } from "@inkwell/db";

/** A linked Google account for `userId`, written as sign-in would (the cross-user sweep runs no provider). */
export async function insertFixtureOAuthAccount(db: Database, userId: string): Promise<void> {
  await asSystem(db, (tx) =>
    tx
      .insertInto("oauth_accounts")
      .values({ user_id: userId, provider: "google", provider_account_id: `fixture-${randomUUID()}`, email: null })
      .onConflict((oc) => oc.columns(["user_id", "provider"]).doNothing())
      .execute(),
  );
}
