/**
 * Site administration. Every function that changes or reveals anything first checks the caller's admin
 * role (the procedures check it too: this is the second lock), then works as the system role, since an
 * administrator is not the owner of the rows they look after. Users, credits and usage are reached through
 * their modules' entries (identity's admin functions, credits' grants and reconciliation, usage totals).
 */
import { asSystem, asUser, type Database, type SessionAuth } from "@inkwell/db";
import { credits } from "../credits/index.ts";
import { type AdminListUsersInput, identity } from "../identity/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Logger } from "../platform/queue.ts";
import { usage } from "../usage/index.ts";
import type { QueueAdmin } from "./admin.queues.ts";
import * as repo from "./admin.repository.ts";
import {
  type ActiveAnnouncement,
  type Announcement,
  CONFIG_DEFAULTS,
  CONFIG_KEYS,
  CONFIG_SCHEMAS,
  type ConfigEntry,
  type ConfigKey,
  type ConfigValues,
  type CreateAnnouncementInput,
  type GrantCreditsInput,
  type SetConfigInput,
  type UpdateAnnouncementInput,
} from "./admin.schemas.ts";

const assertAdmin = (auth: SessionAuth) => identity.assertAdmin(auth);

function parsed<K extends ConfigKey>(key: K, raw: unknown): ConfigValues[K] {
  // A value written under an older schema falls back to the default rather than breaking the pages.
  const r = CONFIG_SCHEMAS[key].safeParse(raw);
  return (r.success ? r.data : CONFIG_DEFAULTS[key]) as ConfigValues[K];
}

/** One setting's value (its default while unset): what the rest of the app reads. */
export async function configValue<K extends ConfigKey>(db: Database, key: K): Promise<ConfigValues[K]> {
  const row = await asSystem(db, (tx) => repo.configRow(tx, key));
  return row ? parsed(key, row.config_value) : CONFIG_DEFAULTS[key];
}

export async function getConfig(db: Database, auth: SessionAuth): Promise<ConfigEntry[]> {
  assertAdmin(auth);
  const rows = await asSystem(db, (tx) => repo.configRows(tx));
  return CONFIG_KEYS.map((key) => {
    const row = rows.find((r) => r.config_key === key);
    return {
      key,
      value: row ? parsed(key, row.config_value) : CONFIG_DEFAULTS[key],
      isSet: !!row,
      updatedAt: row?.updated_at ?? null,
    };
  });
}

export async function setConfig(db: Database, auth: SessionAuth, input: SetConfigInput) {
  assertAdmin(auth);
  await asSystem(db, (tx) => repo.upsertConfig(tx, input.key, input.value, auth.userId));
}

export async function listAnnouncements(db: Database, auth: SessionAuth): Promise<Announcement[]> {
  assertAdmin(auth);
  const rows = await asSystem(db, (tx) => repo.listAnnouncements(tx, 200));
  return rows.map(repo.toAnnouncement);
}

export async function createAnnouncement(db: Database, auth: SessionAuth, input: CreateAnnouncementInput) {
  assertAdmin(auth);
  const row = await asSystem(db, (tx) =>
    repo.insertAnnouncement(tx, {
      title: input.title,
      message: input.message,
      enabled: input.enabled,
      expires_at: input.expiresAt ?? null,
      created_by: auth.userId,
    }),
  );
  return repo.toAnnouncement(row);
}

export async function updateAnnouncement(db: Database, auth: SessionAuth, input: UpdateAnnouncementInput) {
  assertAdmin(auth);
  const patch = {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.message !== undefined ? { message: input.message } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.expiresAt !== undefined ? { expires_at: input.expiresAt } : {}),
  };
  if (Object.keys(patch).length === 0) throw new DomainError("INVALID_INPUT", "Change something first.");
  const row = await asSystem(db, (tx) => repo.updateAnnouncement(tx, input.id, patch));
  if (!row) throw notFound("Announcement");
  return repo.toAnnouncement(row);
}

export async function deleteAnnouncement(db: Database, auth: SessionAuth, id: string) {
  assertAdmin(auth);
  if (!(await asSystem(db, (tx) => repo.deleteAnnouncement(tx, id)))) throw notFound("Announcement");
}

/** What every visitor's banner shows (public): the maintenance message when set, then live announcements. */
export async function activeAnnouncements(db: Database): Promise<ActiveAnnouncement[]> {
  const { rows, maintenance } = await asSystem(db, async (tx) => ({
    rows: await repo.activeAnnouncements(tx, 5),
    maintenance: await repo.configRow(tx, "maintenance_message"),
  }));
  const out: ActiveAnnouncement[] = [];
  const text = maintenance ? parsed("maintenance_message", maintenance.config_value) : null;
  if (maintenance && text) {
    // A new message (a later update) gets a new id, so a banner dismissed earlier shows again.
    out.push({
      id: `maintenance-${maintenance.updated_at.getTime()}`,
      kind: "maintenance",
      title: "Maintenance",
      message: text,
      expiresAt: null,
    });
  }
  for (const r of rows) {
    out.push({ id: r.id, kind: "announcement", title: r.title, message: r.message, expiresAt: r.expires_at });
  }
  return out;
}

export function searchUsers(db: Database, auth: SessionAuth, input: AdminListUsersInput) {
  return identity.adminListUsers(db, auth, input);
}

export function setUserTier(db: Database, auth: SessionAuth, input: { userId: string; tier: string }) {
  return identity.adminSetSubscriptionTier(db, auth, input);
}

/** A bonus grant with the administrator's reason as its note (what the user's credit history shows). */
export async function grantCredits(db: Database, auth: SessionAuth, input: GrantCreditsInput) {
  assertAdmin(auth);
  const r = await credits.adminGrant(db, {
    userId: input.userId,
    source: "bonus",
    amount: input.amount,
    idempotencyKey: `admin:${input.idempotencyKey}`,
    note: input.reason,
  });
  return { granted: r.granted };
}

/**
 * A user's sign-ins still on record (their sessions: where and when each began and was last used; ended
 * sessions are deleted) and their credit balance, read as that user through identity's and credits' own
 * functions, so the user's row security decides what is theirs.
 */
export async function userDetail(db: Database, auth: SessionAuth, userId: string) {
  assertAdmin(auth);
  return asUser(db, userId, async (tx) => {
    // listSessions marks the caller's own session; there is none here (a nil id never matches).
    const sessions = await identity.listSessions(tx, { ...auth, userId, sessionId: "00000000-0000-0000-0000-000000000000" });
    const balance = await credits.balance(tx, userId);
    return { signIns: sessions.map(({ current: _current, ...s }) => s), balance };
  });
}

/** Usage and credits per day (UTC) over the last `days`, plus totals per operation. */
export async function dashboard(db: Database, auth: SessionAuth, input: { days: number }) {
  assertAdmin(auth);
  const from = new Date(Date.now() - input.days * 24 * 3600 * 1000);
  const usageByDay = await usage.adminUsageByDay(db, input);
  const usageTotals = await usage.adminUsage(db, { from });
  const ledgerByDay = await credits.adminLedgerByDay(db, input);
  return { days: input.days, usageByDay, usageTotals, ledgerByDay };
}

export function queueDepths(port: QueueAdmin | undefined, auth: SessionAuth) {
  assertAdmin(auth);
  return needPort(port).depths();
}

export function failedJobs(port: QueueAdmin | undefined, auth: SessionAuth, input: { queue: string; limit: number }) {
  assertAdmin(auth);
  return needPort(port).failedJobs(input.queue, input.limit);
}

export async function retryJob(port: QueueAdmin | undefined, auth: SessionAuth, input: { queue: string; jobId: string }) {
  assertAdmin(auth);
  if (!(await needPort(port).retry(input.queue, input.jobId))) throw notFound("Failed job");
}

function needPort(port: QueueAdmin | undefined): QueueAdmin {
  if (!port) throw new DomainError("PRECONDITION_FAILED", "Queue health is not available in this process.");
  return port;
}

/** Every account's cached balance checked against its ledger; drift is also logged as an alert. */
export function reconcileCredits(db: Database, auth: SessionAuth, log: Logger) {
  assertAdmin(auth);
  return credits.reconcile(db, log);
}
