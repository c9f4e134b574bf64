/**
 * Shared by the account tests: two users with rows in many modules (the cross-user sweep's fixtures),
 * a campaign each, each a member of the other's campaign writing a story, a comment and a reaction
 * there; the catalog scan that finds any row mentioning a user id; and the jobs run as the worker runs
 * them (the payload the procedure enqueued, through the registry's handler).
 */
import { randomUUID } from "node:crypto";
import { buildExportJob, deleteAccountJob } from "@inkwell/domain/account";
import { runJob } from "@inkwell/domain/jobs/handlers";
import { sql } from "kysely";
import { fixtures } from "../src/inventory.ts";
import type { Harness } from "./harness.ts";

export type User = Awaited<ReturnType<Harness["signUp"]>>;

/** The fixture tables filled for each user (every module with a procedure or fixture to make a row). */
const FIXTURE_TABLES = [
  "user_api_keys",
  "notifications",
  "conversations",
  "workspace_documents",
  "knowledge_entries",
  "stored_files",
  "social_connections",
  "scheduled_posts",
  "messages",
  "voice_samples",
  "payments",
  "viral_reels",
  "writer_projects",
] as const;

export interface Family {
  campaignId: string;
  storyId: string;
  /** Text only this user wrote (in their own campaign and in the other's). */
  marker: string;
}

export async function populate(h: Harness, user: User): Promise<void> {
  for (const table of FIXTURE_TABLES) {
    const make = fixtures[table];
    if (!make) throw new Error(`no fixture for ${table}`);
    await make(user.caller, { userId: user.me.id, db: h.db });
  }
  await user.caller.brand.save({ brandName: `Brand of ${user.me.id.slice(0, 8)}`, tagline: "Bread, daily" });
}

export async function ownCampaign(user: User, marker: string): Promise<Family> {
  const campaign = await user.caller.stories.campaigns.create({
    title: `Campaign ${marker}`,
    storytellerName: "Grandma",
    relationshipType: "grandparent",
    goalStories: 5,
    themes: ["childhood"],
  });
  const story = await user.caller.stories.create({
    campaignId: campaign.id,
    title: `Story ${marker}`,
    content: `Told by ${marker}.`,
  });
  await user.caller.stories.addComment({ storyId: story.id, body: `Comment ${marker}` });
  await user.caller.stories.react({ storyId: story.id, reaction: "heart", on: true });
  return { campaignId: campaign.id, storyId: story.id, marker };
}

/**
 * Makes `member` an active member of `family`'s campaign (arranged in SQL: the invitation e-mail round
 * trip is the stories tests' subject) and has them write a story, comment and react there.
 */
export async function joinAndWrite(h: Harness, member: User, family: Family, role: "owner" | "contributor", marker: string) {
  await h.raw(sql`
    INSERT INTO family_members (campaign_id, user_id, email, name, role, status, joined_at)
    VALUES (${family.campaignId}, ${member.me.id}, ${member.email}, ${"Member"}, ${role}, 'active', now())`);
  const story = await member.caller.stories.create({
    campaignId: family.campaignId,
    title: `Guest story ${marker}`,
    content: `Written by ${marker} as a guest.`,
  });
  await member.caller.stories.addComment({ storyId: family.storyId, body: `Guest comment ${marker}` });
  await member.caller.stories.react({ storyId: family.storyId, reaction: "laugh", on: true });
  return { storyId: story.id };
}

/** Tables in `public` with a `user_id` column. */
export async function userIdTables(h: Harness): Promise<string[]> {
  const { rows } = await h.raw(sql<{ table_name: string }>`
    SELECT c.table_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = 'public' AND c.column_name = 'user_id' AND t.table_type = 'BASE TABLE'
     ORDER BY 1`);
  return (rows as { table_name: string }[]).map((r) => r.table_name);
}

/** Every row of every base table in `public` whose text mentions `id` (as the owner role, past RLS): table → count. */
export async function rowsMentioning(h: Harness, id: string): Promise<Record<string, number>> {
  const { rows: tables } = await h.raw(sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  const found: Record<string, number> = {};
  for (const { table_name } of tables as { table_name: string }[]) {
    const { rows } = await h.raw(
      sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table_name)} AS t WHERE position(${id} in t::text) > 0`,
    );
    const n = (rows[0] as { n: number } | undefined)?.n ?? 0;
    if (n) found[table_name] = n;
  }
  return found;
}

/** Rows of `table` owned by `userId` (as the owner role). */
export async function ownedRows(h: Harness, table: string, userId: string): Promise<Record<string, unknown>[]> {
  const column = table === "users" ? "id" : "user_id";
  const { rows } = await h.raw(
    sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${userId}`,
  );
  return rows as Record<string, unknown>[];
}

/** The payload a procedure enqueued for `jobName` matching `key = value`. */
export async function enqueued(h: Harness, jobName: string, key: string, value: string): Promise<unknown> {
  const { rows } = await h.raw(
    sql<{
      data: unknown;
    }>`SELECT data FROM pgboss.job WHERE name = ${jobName} AND data->>${key} = ${value} ORDER BY created_on DESC LIMIT 1`,
  );
  const row = rows[0] as { data: unknown } | undefined;
  if (!row) throw new Error(`no ${jobName} job with ${key} = ${value}`);
  return row.data;
}

const workerDeps = (h: Harness) => ({ db: h.db, log: h.deps.log, storage: h.deps.storage, enqueue: h.deps.enqueue });

export async function runExportJob(h: Harness, exportId: string): Promise<void> {
  await runJob(buildExportJob, await enqueued(h, buildExportJob.name, "exportId", exportId), workerDeps(h));
}

export async function runDeleteJob(h: Harness, userId: string): Promise<void> {
  await runJob(deleteAccountJob, await enqueued(h, deleteAccountJob.name, "userId", userId), workerDeps(h));
}

/** Every storage key (objects on the harness's local disk). */
export async function storageKeys(h: Harness): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of h.deps.storage.list()) keys.push(object.key);
  return keys;
}

export const marker = () => `m${randomUUID().slice(0, 8)}`;
