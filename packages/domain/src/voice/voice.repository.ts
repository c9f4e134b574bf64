/** The only SQL of the voice module. RLS scopes every query to the caller (the job runs as the owner). */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import {
  type AnalysisStatus,
  DEFAULT_TUNING,
  type VoiceFingerprint,
  type VoiceProfileSummary,
  type VoiceSample,
  type VoiceTuning,
} from "./voice.schemas.ts";

const PROFILE_COLUMNS = [
  "id",
  "name",
  "is_default",
  "tuning",
  "banned_phrases",
  "fingerprint",
  "description",
  "analysis_status",
  "analysis_error",
  "analysis_attempts",
  "samples_version",
  "analyzed_at",
  "created_at",
  "updated_at",
] as const;

export type ProfileRow = Pick<Selectable<Tables.VoiceProfiles>, (typeof PROFILE_COLUMNS)[number]>;

/** Stored tuning merged over the defaults, so an axis added later reads as 5. */
export const tuningOf = (stored: unknown): VoiceTuning => ({
  ...DEFAULT_TUNING,
  ...(stored && typeof stored === "object" ? (stored as Partial<VoiceTuning>) : {}),
});

export const fingerprintOf = (stored: unknown) => (stored && typeof stored === "object" ? (stored as VoiceFingerprint) : null);

export async function countProfiles(tx: Tx) {
  const r = await tx
    .selectFrom("voice_profiles")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertProfile(
  tx: Tx,
  userId: string,
  input: { name: string; tuning: VoiceTuning; bannedPhrases: string[]; isDefault: boolean },
) {
  const r = await tx
    .insertInto("voice_profiles")
    .values({
      user_id: userId,
      name: input.name,
      tuning: JSON.stringify(input.tuning),
      banned_phrases: input.bannedPhrases,
      is_default: input.isDefault,
    })
    .returning(PROFILE_COLUMNS)
    .executeTakeFirstOrThrow();
  return r as ProfileRow;
}

export async function findProfile(tx: Tx, id: string, options: { forUpdate?: boolean; userId?: string } = {}) {
  let q = tx.selectFrom("voice_profiles").select(PROFILE_COLUMNS).where("id", "=", id);
  // RLS already scopes to the caller; the explicit owner also protects a caller holding a wider transaction.
  if (options.userId) q = q.where("user_id", "=", options.userId);
  if (options.forUpdate) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r ? (r as ProfileRow) : undefined;
}

export async function findDefaultProfile(tx: Tx, userId: string) {
  const r = await tx
    .selectFrom("voice_profiles")
    .select(PROFILE_COLUMNS)
    .where("user_id", "=", userId)
    .where("is_default", "=", true)
    .executeTakeFirst();
  return r ? (r as ProfileRow) : undefined;
}

export async function listProfiles(tx: Tx): Promise<VoiceProfileSummary[]> {
  const rows = await tx
    .selectFrom("voice_profiles as p")
    .select([
      "p.id",
      "p.name",
      "p.is_default",
      "p.analysis_status",
      "p.analyzed_at",
      "p.created_at",
      "p.updated_at",
      sql<number>`(SELECT count(*) FROM voice_samples s WHERE s.profile_id = p.id)::int`.as("sample_count"),
      sql<number>`(SELECT coalesce(sum(s.word_count), 0) FROM voice_samples s WHERE s.profile_id = p.id)::int`.as("word_count"),
    ])
    .orderBy("p.created_at")
    .orderBy("p.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    isDefault: r.is_default,
    status: r.analysis_status as AnalysisStatus,
    sampleCount: Number(r.sample_count),
    wordCount: Number(r.word_count),
    analyzedAt: r.analyzed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

export async function updateProfile(
  tx: Tx,
  id: string,
  patch: { name?: string; tuning?: VoiceTuning; bannedPhrases?: string[] },
) {
  const r = await tx
    .updateTable("voice_profiles")
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.tuning !== undefined ? { tuning: JSON.stringify(patch.tuning) } : {}),
      ...(patch.bannedPhrases !== undefined ? { banned_phrases: patch.bannedPhrases } : {}),
    })
    .where("id", "=", id)
    .returning(PROFILE_COLUMNS)
    .executeTakeFirst();
  return r ? (r as ProfileRow) : undefined;
}

export async function deleteProfile(tx: Tx, id: string) {
  const r = await tx.deleteFrom("voice_profiles").where("id", "=", id).returning(["id", "is_default"]).executeTakeFirst();
  return r;
}

/** Makes `id` the caller's only default (cleared first: the unique index allows one). */
export async function setDefault(tx: Tx, id: string) {
  await tx
    .updateTable("voice_profiles")
    .set({ is_default: false })
    .where("is_default", "=", true)
    .where("id", "<>", id)
    .execute();
  const r = await tx.updateTable("voice_profiles").set({ is_default: true }).where("id", "=", id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function oldestProfileId(tx: Tx) {
  const r = await tx.selectFrom("voice_profiles").select("id").orderBy("created_at").orderBy("id").limit(1).executeTakeFirst();
  return r?.id;
}

// ---- samples ----

const toSample = (r: {
  id: string;
  source: string;
  filename: string | null;
  content: string;
  word_count: number;
  created_at: Date;
}): VoiceSample => ({
  id: r.id,
  source: r.source as VoiceSample["source"],
  filename: r.filename,
  content: r.content,
  wordCount: r.word_count,
  createdAt: r.created_at,
});

const SAMPLE_COLUMNS = ["id", "source", "filename", "content", "word_count", "created_at"] as const;

export async function listSamples(tx: Tx, profileId: string) {
  const rows = await tx
    .selectFrom("voice_samples")
    .select(SAMPLE_COLUMNS)
    .where("profile_id", "=", profileId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toSample);
}

export async function countSamples(tx: Tx, profileId: string) {
  const r = await tx
    .selectFrom("voice_samples")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("profile_id", "=", profileId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertSample(
  tx: Tx,
  userId: string,
  input: { profileId: string; source: string; filename: string | null; content: string; wordCount: number },
) {
  const r = await tx
    .insertInto("voice_samples")
    .values({
      profile_id: input.profileId,
      user_id: userId,
      source: input.source,
      filename: input.filename,
      content: input.content,
      word_count: input.wordCount,
    })
    .returning(SAMPLE_COLUMNS)
    .executeTakeFirstOrThrow();
  return toSample(r);
}

export async function deleteSample(tx: Tx, id: string) {
  const r = await tx.deleteFrom("voice_samples").where("id", "=", id).returning("profile_id").executeTakeFirst();
  return r?.profile_id;
}

// ---- analysis ----

/**
 * Samples changed (or a re-run was asked for): the analysis is pending again, with fresh attempts and a
 * new version (fresh idempotency keys for its charges; an older run's result is no longer saved).
 */
export async function markPending(tx: Tx, id: string) {
  await tx
    .updateTable("voice_profiles")
    .set((eb) => ({
      analysis_status: "pending",
      analysis_error: null,
      analysis_attempts: 0,
      samples_version: eb("samples_version", "+", 1),
    }))
    .where("id", "=", id)
    .execute();
}

/** No samples left: nothing to analyse, and the old analysis no longer describes anything. */
export async function markEmpty(tx: Tx, id: string) {
  await tx
    .updateTable("voice_profiles")
    .set((eb) => ({
      analysis_status: "empty",
      analysis_error: null,
      analysis_attempts: 0,
      fingerprint: null,
      description: null,
      analyzed_at: null,
      samples_version: eb("samples_version", "+", 1),
    }))
    .where("id", "=", id)
    .execute();
}

/** Takes a pending analysis with attempts left and counts this attempt; undefined when there is none. */
export async function claimAnalysis(tx: Tx, id: string, maxAttempts: number) {
  const r = await tx
    .updateTable("voice_profiles")
    .set((eb) => ({ analysis_attempts: eb("analysis_attempts", "+", 1) }))
    .where("id", "=", id)
    .where("analysis_status", "=", "pending")
    .where("analysis_attempts", "<", maxAttempts)
    .returning(["name", "samples_version", "analysis_attempts"])
    .executeTakeFirst();
  return r;
}

/** Stores the outcome, unless the samples changed since they were read (a newer analysis is pending). */
export async function saveAnalysis(
  tx: Tx,
  id: string,
  samplesVersion: number,
  outcome: {
    status: "ready" | "failed" | "pending";
    fingerprint: VoiceFingerprint;
    description?: string | null;
    error: string | null;
  },
) {
  const r = await tx
    .updateTable("voice_profiles")
    .set({
      analysis_status: outcome.status,
      analysis_error: outcome.error ? outcome.error.slice(0, 2000) : null,
      fingerprint: JSON.stringify(outcome.fingerprint),
      ...(outcome.description !== undefined ? { description: outcome.description } : {}),
      ...(outcome.status === "ready" ? { analyzed_at: sql<Date>`now()` } : {}),
    })
    .where("id", "=", id)
    .where("samples_version", "=", samplesVersion)
    .where("analysis_status", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
