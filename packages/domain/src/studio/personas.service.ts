/**
 * Model personas (seed 002 `ai_models`, issue 14.2): a name, a description, an active toggle,
 * reference images and a voice. Reference images are soft references to the user's assets, as the seed
 * has them: checked on write through `assets.ownedIds` (someone else's or a missing id is refused, so a
 * persona never points at what its owner cannot see), and read through `assets.summaries`, which skips
 * ids whose asset has since been deleted — a deleted image drops out of the persona quietly.
 *
 * Speaking (a voice preview, a writer output read aloud) calls the TTS service with NO transaction
 * open: the persona and the text are read in a short transaction, the call is metered (`voice.speak`,
 * held → captured, released on failure) unless the user saved their own ElevenLabs key (then their key
 * is used, the call is logged as own-key and nothing is charged), and the audio is stored as a `voice` asset of the persona through
 * `assets.storeGenerated`, which records it in a transaction of its own.
 */
import { randomUUID } from "node:crypto";
import { asUser, type Database, type Tx } from "@inkwell/db";
import type { Storage } from "../files/index.ts";
import { identity } from "../identity/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { KeyRing } from "../platform/index.ts";
import { type Actor, usage } from "../usage/index.ts";
import { writerSessions } from "../writer/index.ts";
import * as assets from "./assets.service.ts";
import * as repo from "./personas.repository.ts";
import {
  type CreatePersonaInput,
  createPersonaInput,
  DEFAULT_VOICE_SETTINGS,
  type Persona,
  type PreviewVoiceInput,
  previewVoiceInput,
  type ReadAloudInput,
  readAloudInput,
  SPEAK_MAX_CHARS,
  type SpokenAsset,
  type UpdatePersonaInput,
  updatePersonaInput,
  type Voice,
  type VoiceSettings,
  voiceSettingsSchema,
} from "./personas.schemas.ts";
import { type TtsRuntime, ttsClientFor, type VoiceSettingsWire } from "./tts.client.ts";

/** The service whose saved key (identity's API keys) speaks a user's texts. */
export const TTS_KEY_SERVICE = "elevenlabs";

export interface PersonaDeps {
  db: Database;
  storage: Storage;
  keyRing: KeyRing;
  /** Absent: speaking is not configured (the API always builds one; the sandbox by default). */
  tts?: TtsRuntime | undefined;
}

const toWire = (s: VoiceSettings): VoiceSettingsWire => ({
  stability: s.stability,
  similarity_boost: s.similarityBoost,
  style: s.style,
});

function settingsOf(stored: unknown): VoiceSettings {
  const raw = (stored && typeof stored === "object" ? stored : {}) as Record<string, unknown>;
  const parsed = voiceSettingsSchema.safeParse({
    stability: raw.stability ?? DEFAULT_VOICE_SETTINGS.stability,
    similarityBoost: raw.similarity_boost ?? DEFAULT_VOICE_SETTINGS.similarityBoost,
    style: raw.style ?? DEFAULT_VOICE_SETTINGS.style,
  });
  return parsed.success ? parsed.data : DEFAULT_VOICE_SETTINGS;
}

type Summary = Awaited<ReturnType<typeof assets.summaries>>[number];

function toPersona(row: repo.PersonaRow, images: Map<string, Summary>): Persona {
  // Stale ids (asset deleted since) and anything no longer an image are left out, quietly.
  const live = row.reference_asset_ids.flatMap((id) => {
    const s = images.get(id);
    return s && s.kind === "image" ? [s] : [];
  });
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    voiceId: row.voice_id,
    voiceSettings: settingsOf(row.voice_settings),
    referenceAssetIds: live.map((s) => s.id),
    referenceImages: live.map((s) => ({
      id: s.id,
      filename: s.filename,
      width: s.width,
      height: s.height,
      thumbnailUrl: s.thumbnailUrl,
      url: s.url,
    })),
    isActive: row.is_active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

type Signing = Pick<PersonaDeps, "keyRing">;

async function withImages(deps: Signing, tx: Tx, rows: repo.PersonaRow[]): Promise<Persona[]> {
  const ids = [...new Set(rows.flatMap((r) => r.reference_asset_ids))];
  const summaries = ids.length ? await assets.summaries(tx, ids, deps) : [];
  const byId = new Map(summaries.map((s) => [s.id, s]));
  return rows.map((r) => toPersona(r, byId));
}

/** The ids, each the caller's own existing image asset, or INVALID_INPUT naming the problem. */
async function checkReferences(deps: Signing, tx: Tx, ids: string[]): Promise<string[]> {
  if (!ids.length) return ids;
  const owned = new Set(await assets.ownedIds(tx, ids));
  if (ids.some((id) => !owned.has(id)))
    throw new DomainError("INVALID_INPUT", "A reference image is not in your asset library (it may have been deleted).", {
      field: "referenceAssetIds",
    });
  const kinds = new Map((await assets.summaries(tx, ids, deps)).map((s) => [s.id, s.kind]));
  if (ids.some((id) => kinds.get(id) !== "image"))
    throw new DomainError("INVALID_INPUT", "Reference images must be images.", { field: "referenceAssetIds" });
  return ids;
}

export async function list(deps: Signing, tx: Tx): Promise<Persona[]> {
  return withImages(deps, tx, await repo.listPersonas(tx));
}

export async function get(deps: Signing, tx: Tx, personaId: string): Promise<Persona> {
  const row = await repo.findPersona(tx, personaId);
  if (!row) throw notFound("Persona");
  return (await withImages(deps, tx, [row]))[0] as Persona;
}

export async function create(deps: Signing, tx: Tx, userId: string, input: CreatePersonaInput): Promise<Persona> {
  const v = createPersonaInput.parse(input);
  const row = await repo.insertPersona(tx, userId, {
    name: v.name,
    ...(v.description !== undefined && { description: v.description }),
    ...(v.voiceId !== undefined && { voice_id: v.voiceId }),
    ...(v.voiceSettings && { voice_settings: toWire(v.voiceSettings) }),
    ...(v.referenceAssetIds && { reference_asset_ids: await checkReferences(deps, tx, v.referenceAssetIds) }),
    ...(v.isActive !== undefined && { is_active: v.isActive }),
  });
  return (await withImages(deps, tx, [row]))[0] as Persona;
}

export async function update(deps: Signing, tx: Tx, input: UpdatePersonaInput): Promise<Persona> {
  const v = updatePersonaInput.parse(input);
  // Not found before anything else: a foreign persona's id says nothing about its images.
  if (!(await repo.findPersona(tx, v.personaId))) throw notFound("Persona");
  const row = await repo.updatePersona(tx, v.personaId, {
    ...(v.name !== undefined && { name: v.name }),
    ...(v.description !== undefined && { description: v.description }),
    ...(v.voiceId !== undefined && { voice_id: v.voiceId }),
    ...(v.voiceSettings && { voice_settings: toWire(v.voiceSettings) }),
    ...(v.referenceAssetIds && { reference_asset_ids: await checkReferences(deps, tx, v.referenceAssetIds) }),
    ...(v.isActive !== undefined && { is_active: v.isActive }),
  });
  if (!row) throw notFound("Persona");
  return (await withImages(deps, tx, [row]))[0] as Persona;
}

export async function setActive(deps: Signing, tx: Tx, personaId: string, isActive: boolean): Promise<Persona> {
  const row = await repo.updatePersona(tx, personaId, { is_active: isActive });
  if (!row) throw notFound("Persona");
  return (await withImages(deps, tx, [row]))[0] as Persona;
}

/** The persona's assets stay, ungrouped (the foreign key sets their persona_id to null). */
export async function remove(tx: Tx, personaId: string): Promise<void> {
  if (!(await repo.deletePersona(tx, personaId))) throw notFound("Persona");
}

function runtimeOf(deps: PersonaDeps): TtsRuntime {
  if (!deps.tts) throw new DomainError("PRECONDITION_FAILED", "Text-to-speech is not configured on this server.");
  return deps.tts;
}

/** The user's saved ElevenLabs key, opened in a short transaction of its own (never inside a caller's). */
function ownKey(deps: PersonaDeps, userId: string): Promise<string | undefined> {
  return asUser(deps.db, userId, (tx) => identity.revealApiKey(deps.keyRing, tx, TTS_KEY_SERVICE));
}

/** The voices the service offers (on the user's own key when they saved one). */
export async function voices(deps: PersonaDeps, userId: string): Promise<{ voices: Voice[]; sandbox: boolean }> {
  // No service configured: no voices to choose from (speaking then says why).
  if (!deps.tts) return { voices: [], sandbox: false };
  const runtime = deps.tts;
  const key = await ownKey(deps, userId);
  const answer = await ttsClientFor(runtime, key).voices();
  return { voices: answer.voices, sandbox: answer.sandbox || (runtime.sandbox && !key) };
}

export async function previewVoice(deps: PersonaDeps, actor: Actor, input: PreviewVoiceInput): Promise<SpokenAsset> {
  const v = previewVoiceInput.parse(input);
  const persona = await asUser(deps.db, actor.userId, (tx) => speakingPersona(tx, v.personaId));
  const text = v.text ?? `Hi, I'm ${persona.name}. This is what my voice sounds like.`;
  return speak(deps, actor, persona, text, { kind: "preview" });
}

export async function readAloud(deps: PersonaDeps, actor: Actor, input: ReadAloudInput): Promise<SpokenAsset> {
  const v = readAloudInput.parse(input);
  const { persona, text, format } = await asUser(deps.db, actor.userId, async (tx) => {
    const persona = await speakingPersona(tx, v.personaId);
    // The writer module answers NOT_FOUND for an output the caller does not own (RLS).
    const { output, current } = await writerSessions.getOutput(tx, v.writerOutputId);
    const text = current?.content.trim() ?? "";
    if (!text) throw new DomainError("PRECONDITION_FAILED", "This output has no text yet.");
    return { persona, text, format: output.format };
  });
  return speak(deps, actor, persona, text, { kind: "read_aloud", writerOutputId: v.writerOutputId, format });
}

async function speakingPersona(tx: Tx, personaId: string) {
  const row = await repo.findPersona(tx, personaId);
  if (!row) throw notFound("Persona");
  if (!row.voice_id) throw new DomainError("PRECONDITION_FAILED", "Choose a voice for this persona first.", { field: "voiceId" });
  return { id: row.id, name: row.name, voiceId: row.voice_id, settings: settingsOf(row.voice_settings) };
}

/** Cut at the last sentence or word end before the limit, so the audio never stops mid-word. */
function clip(text: string): { text: string; truncated: boolean } {
  if (text.length <= SPEAK_MAX_CHARS) return { text, truncated: false };
  const head = text.slice(0, SPEAK_MAX_CHARS);
  const sentence = Math.max(head.lastIndexOf(". "), head.lastIndexOf("! "), head.lastIndexOf("? "), head.lastIndexOf("\n"));
  const cut = sentence > SPEAK_MAX_CHARS / 2 ? sentence + 1 : Math.max(head.lastIndexOf(" "), SPEAK_MAX_CHARS / 2);
  return { text: head.slice(0, cut).trim(), truncated: true };
}

async function speak(
  deps: PersonaDeps,
  actor: Actor,
  persona: { id: string; name: string; voiceId: string; settings: VoiceSettings },
  fullText: string,
  about: Record<string, unknown>,
): Promise<SpokenAsset> {
  const runtime = runtimeOf(deps);
  const { text, truncated } = clip(fullText);
  const key = await ownKey(deps, actor.userId);
  const client = ttsClientFor(runtime, key);
  // The default address is the sandbox's; an answer saying it is a stand-in is one wherever it runs.
  let sandbox = runtime.sandbox && !key;
  const filename = `${
    persona.name
      .replace(/[^\p{L}\p{N} _-]+/gu, "")
      .trim()
      .slice(0, 60) || "voice"
  } - ${about.kind === "preview" ? "preview" : "read aloud"}`;

  // Speak, then store: both inside the metered call, so audio that could not be stored is not charged.
  const spokenAndStored = async () => {
    const audio = await client.speak({ voiceId: persona.voiceId, text, settings: toWire(persona.settings) });
    sandbox ||= audio.sandbox;
    const stored = await assets.storeGenerated(
      { db: deps.db, storage: deps.storage },
      {
        userId: actor.userId,
        bytes: audio.bytes,
        filename: `${filename}.${audio.contentType === "audio/mpeg" ? "mp3" : audio.contentType === "audio/wav" ? "wav" : "audio"}`,
        source: "voice",
        personaId: persona.id,
        metadata: { ...about, voiceId: persona.voiceId, characters: text.length, truncated, sandbox, ownKey: Boolean(key) },
      },
    );
    return { stored, latencyMs: audio.latencyMs };
  };

  // Their key, their bill: rate-limited and in the usage log like any generation, nothing held or charged.
  const metered = await usage.runMetered(
    { db: deps.db },
    actor,
    {
      operation: "voice.speak",
      idempotencyKey: `voice.speak:${persona.id}:${randomUUID()}`,
      request: { personaId: persona.id, ...about, characters: text.length },
      topic: `${persona.name}: ${about.kind === "preview" ? "voice preview" : "read aloud"}`,
      provider: sandbox ? "tts-sandbox" : "elevenlabs",
      ownKey: Boolean(key),
    },
    async () => {
      const r = await spokenAndStored();
      return {
        result: r.stored.assetId,
        model: "eleven_multilingual_v2",
        inputTokens: text.length,
        outputTokens: 0,
        latencyMs: r.latencyMs,
      };
    },
  );
  const assetId = metered.result;
  const credits = metered.credits;
  const url = await asUser(deps.db, actor.userId, async (tx) => (await assets.summaries(tx, [assetId], deps))[0]?.url);
  if (!url) throw notFound("Asset");
  return { assetId, url, sandbox, credits, characters: text.length, truncated };
}
