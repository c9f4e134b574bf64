/**
 * Every procedure, classified. A test fails when a procedure is missing here or its access does not
 * match how it is built, and a generic sweep calls every procedure that takes an owned row's id as
 * another user (expecting NOT_FOUND and the owner's row unchanged). Adding a procedure means adding a
 * line here; adding an id-bearing one means saying which table the id points into and how to make a
 * row of it (`fixtures`), and the sweep then covers it with no new test code.
 */
import { asUser, type Database } from "@inkwell/db";
import { notifications } from "@inkwell/domain/notifications";
import type { createCaller } from "./router.ts";
import type { Access } from "./trpc/init.ts";

type Caller = ReturnType<typeof createCaller>;

export interface OwnedIdSpec {
  /** Table the id points into; its rows are owned through `user_id`. */
  table: string;
  /** The input to send, given the id of a row that belongs to someone else. */
  input(foreignId: string): unknown;
}

export interface InventoryEntry {
  access: Access;
  owned?: OwnedIdSpec;
}

export const inventory: Record<string, InventoryEntry> = {
  "system.info": { access: "public" },
  "auth.signUp": { access: "public" },
  "auth.signIn": { access: "public" },
  "auth.me": { access: "public" },
  "auth.verifyEmail": { access: "public" },
  "auth.requestPasswordReset": { access: "public" },
  "auth.resetPassword": { access: "public" },
  "auth.signOut": { access: "user" },
  "auth.signOutEverywhere": { access: "user" },
  "auth.resendVerification": { access: "user" },
  "auth.changePassword": { access: "user" },
  "profile.get": { access: "user" },
  "profile.update": { access: "user" },
  "sessions.list": { access: "user" },
  "sessions.revoke": { access: "user", owned: { table: "sessions", input: (id) => ({ id }) } },
  "apiKeys.list": { access: "user" },
  "apiKeys.save": { access: "user" },
  "apiKeys.delete": { access: "user", owned: { table: "user_api_keys", input: (id) => ({ id }) } },
  "admin.listUsers": { access: "admin" },
  "admin.setSubscriptionTier": { access: "admin" },
  "credits.balance": { access: "user" },
  "credits.history": { access: "user" },
  "credits.prices": { access: "public" },
  "credits.adminGrant": { access: "admin" },
  "credits.adminReconcile": { access: "admin" },
  "usage.generations": { access: "user" },
  "usage.adminSummary": { access: "admin" },
  "notifications.list": { access: "user" },
  "notifications.markRead": { access: "user", owned: { table: "notifications", input: (id) => ({ id }) } },
};

/** How to give a user a row in each table that owned ids point into (used by the cross-user sweep). */
export const fixtures: Record<string, (caller: Caller, owner: { userId: string; db: Database }) => Promise<unknown>> = {
  // A signed-in caller already has a session row.
  sessions: async () => undefined,
  user_api_keys: (caller) => caller.apiKeys.save({ service: "openai", key: "sk-test-fixture-1234" }),
  // Notifications are made by other modules, not by a procedure: write one as the owner.
  notifications: (_caller, owner) =>
    asUser(owner.db, owner.userId, (tx) =>
      notifications.notify(tx, { userId: owner.userId, kind: "test", title: "Fixture", body: "Fixture", dedupeKey: "fixture" }),
    ),
};
