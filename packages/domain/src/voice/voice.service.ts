/**
 * Voice profiles. Edits run in the caller's RLS transaction; a sample change marks the analysis pending
 * and enqueues `voice.analyze-profile` in the same transaction. The analysis runs in the worker with
 * no transaction across the model call: claim (short transaction) → measure the fingerprint → the
 * metered description call (`usage.runMetered`, operation `voice.analyze`) → save (short transaction,
 * only if the samples are still the ones measured).
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import type { AiProvider } from "../ai/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, Logger } from "../platform/queue.ts";
import { type Actor, usage } from "../usage/index.ts";
import { fingerprint, wordsOf } from "./voice.fingerprint.ts";
import { guidancePrompt, measuredSummary } from "./voice.guidance.ts";
import { analyzeProfileJob } from "./voice.jobs.ts";
import * as repo from "./voice.repository.ts";
import {
  type AddSampleInput,
  type CreateProfileInput,
  DEFAULT_TUNING,
  MAX_PROFILES,
  MAX_SAMPLES,
  type UpdateProfileInput,
  type VoiceGuidance,
  type VoiceProfile,
  type VoiceProfileSummary,
} from "./voice.schemas.ts";

export interface VoiceDeps {
  db: Database;
  ai: AiProvider;
  enqueue: Enqueue;
  log: Logger;
  rateLimits?: Parameters<typeof usage.runMetered>[0]["rateLimits"];
}

/** Attempts per analysis before it is marked failed (the job's retries use backoff). */
export const MAX_ANALYSIS_ATTEMPTS = 3;
/**
 * Sample changes start their analysis a moment later, so a burst (several files uploaded at once) is
 * analysed — and charged — once: the first job sees every sample, the rest find nothing pending.
 */
const SETTLE = { startAfter: 2 };
/** How much of the samples the description call sees (the fingerprint covers all of them). */
const EXCERPT_CHARS = 6000;

async function view(tx: Tx, row: repo.ProfileRow): Promise<VoiceProfile> {
  const samples = await repo.listSamples(tx, row.id);
  return {
    id: row.id,
    name: row.name,
    isDefault: row.is_default,
    status: row.analysis_status as VoiceProfile["status"],
    sampleCount: samples.length,
    wordCount: samples.reduce((a, s) => a + s.wordCount, 0),
    analyzedAt: row.analyzed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    tuning: repo.tuningOf(row.tuning),
    bannedPhrases: row.banned_phrases,
    fingerprint: repo.fingerprintOf(row.fingerprint),
    description: row.description,
    error: row.analysis_error,
    samples,
  };
}

async function lockProfile(tx: Tx, id: string) {
  const row = await repo.findProfile(tx, id, { forUpdate: true });
  if (!row) throw notFound("Voice profile");
  return row;
}

async function reload(tx: Tx, id: string) {
  const row = await repo.findProfile(tx, id);
  if (!row) throw notFound("Voice profile");
  return view(tx, row);
}

// ---- profiles (in the caller's transaction) ----

export function listProfiles(tx: Tx): Promise<VoiceProfileSummary[]> {
  return repo.listProfiles(tx);
}

export async function getProfile(tx: Tx, id: string): Promise<VoiceProfile> {
  return reload(tx, id);
}

/** The first profile a user makes becomes their default. */
export async function createProfile(tx: Tx, userId: string, input: CreateProfileInput): Promise<VoiceProfile> {
  const existing = await repo.countProfiles(tx);
  if (existing >= MAX_PROFILES) {
    throw new DomainError("PRECONDITION_FAILED", `You can have at most ${MAX_PROFILES} voice profiles; delete one first.`);
  }
  const row = await repo.insertProfile(tx, userId, {
    name: input.name,
    tuning: { ...DEFAULT_TUNING, ...input.tuning },
    bannedPhrases: input.bannedPhrases ?? [],
    isDefault: existing === 0,
  });
  return view(tx, row);
}

export async function updateProfile(tx: Tx, input: UpdateProfileInput): Promise<VoiceProfile> {
  const current = await lockProfile(tx, input.profileId);
  const row = await repo.updateProfile(tx, input.profileId, {
    name: input.name,
    tuning: input.tuning ? { ...repo.tuningOf(current.tuning), ...input.tuning } : undefined,
    bannedPhrases: input.bannedPhrases,
  });
  if (!row) throw notFound("Voice profile");
  return view(tx, row);
}

/** Deleting the default hands the role to the oldest remaining profile. */
export async function deleteProfile(tx: Tx, id: string): Promise<void> {
  const deleted = await repo.deleteProfile(tx, id);
  if (!deleted) throw notFound("Voice profile");
  if (deleted.is_default) {
    const next = await repo.oldestProfileId(tx);
    if (next) await repo.setDefault(tx, next);
  }
}

export async function setDefault(tx: Tx, id: string): Promise<VoiceProfile> {
  await lockProfile(tx, id);
  await repo.setDefault(tx, id);
  return reload(tx, id);
}

// ---- samples and analysis ----

export async function addSample(
  deps: Pick<VoiceDeps, "enqueue">,
  tx: Tx,
  actor: Actor,
  input: AddSampleInput,
): Promise<VoiceProfile> {
  await lockProfile(tx, input.profileId);
  if ((await repo.countSamples(tx, input.profileId)) >= MAX_SAMPLES) {
    throw new DomainError("PRECONDITION_FAILED", `A voice can have at most ${MAX_SAMPLES} samples; remove one first.`);
  }
  await repo.insertSample(tx, actor.userId, {
    profileId: input.profileId,
    source: input.source,
    filename: input.filename ?? null,
    content: input.content,
    wordCount: wordsOf(input.content).length,
  });
  await repo.markPending(tx, input.profileId);
  await deps.enqueue(tx, analyzeProfileJob, { userId: actor.userId, profileId: input.profileId, ip: actor.ip }, SETTLE);
  return reload(tx, input.profileId);
}

export async function removeSample(
  deps: Pick<VoiceDeps, "enqueue">,
  tx: Tx,
  actor: Actor,
  sampleId: string,
): Promise<VoiceProfile> {
  const profileId = await repo.deleteSample(tx, sampleId);
  if (!profileId) throw notFound("Sample");
  await lockProfile(tx, profileId);
  if ((await repo.countSamples(tx, profileId)) === 0) await repo.markEmpty(tx, profileId);
  else {
    await repo.markPending(tx, profileId);
    await deps.enqueue(tx, analyzeProfileJob, { userId: actor.userId, profileId, ip: actor.ip }, SETTLE);
  }
  return reload(tx, profileId);
}

/** Runs the analysis again (after a failure, or to get a fresh description). */
export async function analyze(deps: Pick<VoiceDeps, "enqueue">, tx: Tx, actor: Actor, profileId: string): Promise<VoiceProfile> {
  await lockProfile(tx, profileId);
  if ((await repo.countSamples(tx, profileId)) === 0) {
    throw new DomainError("PRECONDITION_FAILED", "Add a writing sample before analysing this voice.");
  }
  // A new version even with the same samples (see markPending).
  await repo.markPending(tx, profileId);
  await deps.enqueue(tx, analyzeProfileJob, { userId: actor.userId, profileId, ip: actor.ip });
  return reload(tx, profileId);
}

const DESCRIBE_PROMPT =
  "You describe a writer's voice for a ghostwriter who must imitate it. In two to four sentences of plain prose, " +
  "say how this person writes: tone, rhythm, word choice and habits worth copying. No lists, no headings, no quotes " +
  "from the samples.";

export function cleanDescription(raw: string): string {
  return raw
    .replace(/^\s*(?:description\s*:\s*)/i, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 1000);
}

export type AnalyzeOutcome = "ready" | "failed" | "retrying" | "skipped" | "stale";

/** The samples changed (or the profile was deleted) while the model was describing them. */
class StaleAnalysis extends Error {
  constructor() {
    super("The samples changed during the analysis; it runs again for the new ones.");
  }
}

/**
 * The analysis job's work. Measures the samples (free), then asks the model for a description through
 * `usage.runMetered` (credits held, captured on success, released on failure). Out of credits is final
 * (status failed with the reason); other failures are retried up to MAX_ANALYSIS_ATTEMPTS. The measured
 * fingerprint is kept even when the description fails, so guidance can still use it.
 */
export async function analyzeProfile(
  deps: Pick<VoiceDeps, "db" | "ai" | "log" | "rateLimits">,
  input: { userId: string; profileId: string; ip: string },
): Promise<AnalyzeOutcome> {
  const claimed = await asUser(deps.db, input.userId, async (tx) => {
    const c = await repo.claimAnalysis(tx, input.profileId, MAX_ANALYSIS_ATTEMPTS);
    return c ? { ...c, samples: await repo.listSamples(tx, input.profileId) } : null;
  });
  if (!claimed) return "skipped";
  if (!claimed.samples.length) return "skipped";
  const fp = fingerprint(claimed.samples.map((s) => s.content));
  const excerpts = claimed.samples
    .map((s) => s.content)
    .join("\n\n---\n\n")
    .slice(0, EXCERPT_CHARS);
  const actor: Actor = { userId: input.userId, ip: input.ip };
  try {
    await usage.runMetered(
      deps,
      actor,
      {
        operation: "voice.analyze",
        // One charge per attempt on one version of the samples: a retried job never pays twice for one attempt.
        idempotencyKey: `voice.analyze:${input.profileId}:${claimed.samples_version}:${claimed.analysis_attempts}`,
        request: { profileId: input.profileId, samplesVersion: claimed.samples_version, attempt: claimed.analysis_attempts },
        topic: claimed.name,
        provider: deps.ai.name,
      },
      async () => {
        const r = await deps.ai.chat({
          messages: [
            { role: "system", content: DESCRIBE_PROMPT },
            {
              role: "user",
              content: `Describe the voice of these writing samples.\n\nMeasured: ${measuredSummary(fp)}\n\nSamples:\n${excerpts}`,
            },
          ],
          maxTokens: 300,
          temperature: 0.3,
        });
        return {
          result: cleanDescription(r.text),
          model: r.model,
          inputTokens: r.usage.inputTokens,
          outputTokens: r.usage.outputTokens,
          latencyMs: r.latencyMs,
        };
      },
      // Saved with the charge, in one transaction: a crash between them can no longer charge for an
      // analysis that was lost (and charge again on the retry), and a result discarded because the
      // samples changed meanwhile (or the profile went) is not paid for — the next analysis is.
      async (tx, { result }) => {
        const saved = await repo.saveAnalysis(tx, input.profileId, claimed.samples_version, {
          status: "ready",
          fingerprint: fp,
          description: result || null,
          error: null,
        });
        if (!saved) throw new StaleAnalysis();
      },
    );
    return "ready";
  } catch (err) {
    if (err instanceof StaleAnalysis) return "stale";
    const message = err instanceof Error ? err.message : String(err);
    const final =
      (err instanceof DomainError && (err.code === "INSUFFICIENT_CREDITS" || err.code === "PRECONDITION_FAILED")) ||
      claimed.analysis_attempts >= MAX_ANALYSIS_ATTEMPTS;
    await asUser(deps.db, input.userId, (tx) =>
      repo.saveAnalysis(tx, input.profileId, claimed.samples_version, {
        status: final ? "failed" : "pending",
        fingerprint: fp,
        error: message,
      }),
    );
    if (final) return "failed";
    throw new Error(`Voice analysis failed (will retry): ${message}`);
  }
}

// ---- guidance for generations ----

/**
 * What a generation needs to write in a voice: `profileId` null means the user's default (null when
 * they have none); an id that is not the caller's is NOT_FOUND. Runs in the caller's transaction.
 */
export async function guidanceFor(tx: Tx, userId: string, profileId: string | null): Promise<VoiceGuidance | null> {
  const row = profileId ? await repo.findProfile(tx, profileId, { userId }) : await repo.findDefaultProfile(tx, userId);
  if (!row) {
    if (profileId) throw notFound("Voice profile");
    return null;
  }
  const tuning = repo.tuningOf(row.tuning);
  return {
    profileId: row.id,
    name: row.name,
    prompt: guidancePrompt({
      name: row.name,
      fingerprint: repo.fingerprintOf(row.fingerprint),
      description: row.description,
      tuning,
      bannedPhrases: row.banned_phrases,
    }),
    tuning,
    bannedPhrases: row.banned_phrases,
  };
}
