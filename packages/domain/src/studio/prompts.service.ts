/**
 * Image prompts from a photo (issue 14.3): the caller's image asset is read (its bytes, through the
 * files module: the model is sent the bytes, never a URL it would fetch), described by the vision
 * model, and turned into exactly five labelled prompt variations by a structured call (zod-validated;
 * the AI layer retries once with the problem fed back). One metered run (`image.describe`): nothing is
 * held open across the model calls, and the five rows are saved in the same transaction as the charge,
 * so a failed run saves nothing and costs nothing.
 *
 * The offline provider has no vision: its description states the file's size and format, and the five
 * variations are built from those (offline-image-prompts.ts), flagged so the page labels them.
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import { type AiProvider, offlinePromptVariations } from "../ai/index.ts";
import { files, type Storage } from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import { type Actor, usage } from "../usage/index.ts";
import * as assets from "./assets.service.ts";
import * as repo from "./prompts.repository.ts";
import {
  type CreatePromptInput,
  createPromptInput,
  type ImagePrompt,
  type ListPromptsInput,
  listPromptsInput,
  PROMPT_VARIATIONS,
  type PromptMetadata,
  type PromptsFromImage,
  type PromptsFromImageInput,
  type PromptsPage,
  type PromptVariation,
  promptsFromImageInput,
  promptVariationsReply,
  type UpdatePromptInput,
  updatePromptInput,
} from "./prompts.schemas.ts";

export interface PromptsDeps {
  db: Database;
  ai: AiProvider;
  storage: Storage;
  rateLimits?: Parameters<typeof usage.runMetered>[0]["rateLimits"];
}

const DESCRIBE_PROMPT =
  "Describe this photo for someone who will recreate it with an image generator: the subject(s), pose, clothing, setting, composition and camera angle, lighting, colours and mood. Plain prose, under 150 words, no preamble.";

const VARIATIONS_PROMPT = `You write prompts for an image generator. From the description of a reference photo, write exactly ${PROMPT_VARIATIONS} distinct variations, each with a short label (at most 40 characters, e.g. "Golden hour" or "Studio portrait") and a detailed prompt (at most 1500 characters) naming subject, setting, composition, lighting, lens and style. Keep the subject recognisable; vary the scene, light and mood. No numbering inside the labels.`;

/** How much of the description is kept with the prompts (what the vision model saw). */
const DESCRIPTION_CHARS = 500;

function toPrompt(row: repo.PromptRow): ImagePrompt {
  const meta = (row.metadata ?? {}) as PromptMetadata;
  return {
    id: row.id,
    personaId: row.persona_id,
    sourceAssetId: row.source_asset_id,
    promptText: row.prompt_text,
    promptIndex: row.prompt_index,
    variationLabel: row.variation_label,
    isEdited: row.is_edited,
    placeholder: meta.offline === true,
    provider: meta.provider ?? null,
    model: meta.model ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function personaOf(tx: Tx, personaId: string | null | undefined) {
  if (!personaId) return null;
  const persona = await repo.findPersona(tx, personaId);
  if (!persona) throw notFound("Persona");
  return persona;
}

/** Five labelled prompts from one of the caller's images; see the module comment. */
export async function fromImage(deps: PromptsDeps, actor: Actor, input: PromptsFromImageInput): Promise<PromptsFromImage> {
  const v = promptsFromImageInput.parse(input);
  // A short transaction of its own: nothing is held open while the bytes are read or the model runs.
  const { file, persona } = await asUser(deps.db, actor.userId, async (tx) => {
    const file = await assets.fileOf(tx, v.assetId);
    if (!file) throw notFound("Asset");
    if (!file.contentType.startsWith("image/")) {
      throw new DomainError("INVALID_INPUT", `Prompts are made from images; this asset is ${file.contentType}.`);
    }
    return { file, persona: await personaOf(tx, v.personaId) };
  });
  const bytes = await files.readObject(deps, file.storageKey);
  if (!bytes) throw notFound("Asset");

  const outcome = await usage.runMetered(
    deps,
    actor,
    {
      operation: "image.describe",
      idempotencyKey: `studio.prompts:${v.idempotencyKey}`,
      request: { assetId: v.assetId, personaId: v.personaId ?? null },
      topic: persona ? `Image prompts for ${persona.name}`.slice(0, 200) : "Image prompts from a photo",
      provider: deps.ai.name,
    },
    async () => {
      const described = await deps.ai.describeImage({ prompt: DESCRIBE_PROMPT, bytes, mimeType: file.contentType });
      // Read inside the call: with the user's own AI connection the routed provider is theirs.
      const offline = deps.ai.offline;
      let variations: PromptVariation[];
      let model = described.model;
      let inputTokens = described.usage.inputTokens;
      let outputTokens = described.usage.outputTokens;
      let latencyMs = described.latencyMs;
      if (offline) {
        // Held to the same schema as a model's reply: five, within the limits.
        variations = promptVariationsReply.parse({
          variations: offlinePromptVariations({ description: described.text, persona }),
        }).variations;
      } else {
        const steer = persona
          ? `\n\nThe prompts are for the persona "${persona.name}"${persona.description ? `: ${persona.description}` : ""}. Describe the subject as this persona.`
          : "";
        const r = await deps.ai.structured(
          {
            messages: [
              { role: "system", content: VARIATIONS_PROMPT },
              { role: "user", content: `Description of the reference photo:\n${described.text}${steer}` },
            ],
            maxTokens: 2500,
            temperature: 0.8,
          },
          promptVariationsReply,
        );
        variations = r.value.variations;
        model = r.model;
        inputTokens += r.usage.inputTokens;
        outputTokens += r.usage.outputTokens;
        latencyMs += r.latencyMs;
      }
      return {
        result: { variations, offline, provider: deps.ai.name, model, description: described.text },
        model,
        inputTokens,
        outputTokens,
        latencyMs,
      };
    },
    // Saved with the charge: a run whose prompts could not be kept is not paid for.
    (tx, { result }) => {
      const metadata: PromptMetadata = {
        provider: result.provider,
        model: result.model,
        offline: result.offline,
        description: result.description.slice(0, DESCRIPTION_CHARS),
      };
      return repo.insertPrompts(
        tx,
        result.variations.map((variation, i) => ({
          user_id: actor.userId,
          persona_id: persona?.id ?? null,
          source_asset_id: v.assetId,
          prompt_text: variation.prompt,
          prompt_index: i,
          variation_label: variation.label,
          metadata: { ...metadata },
        })),
      );
    },
  );
  const prompts = outcome.kept.sort((a, b) => a.prompt_index - b.prompt_index).map(toPrompt);
  return { prompts, placeholder: outcome.result.offline, credits: outcome.credits };
}

/** The caller's prompts, newest run first (a run's five in order), optionally for one persona or source image. */
export async function list(tx: Tx, input: ListPromptsInput): Promise<PromptsPage> {
  const v = listPromptsInput.parse(input) ?? { limit: 50 };
  const rows = await repo.listPrompts(tx, v, v.limit + 1);
  const items = rows.slice(0, v.limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > v.limit && last ? { at: last.created_at.toISOString(), index: last.prompt_index, id: last.id } : null;
  return { items: items.map(toPrompt), nextCursor };
}

/** A prompt the user wrote themselves (no model, nothing charged). */
export async function create(tx: Tx, userId: string, input: CreatePromptInput): Promise<ImagePrompt> {
  const v = createPromptInput.parse(input);
  const persona = await personaOf(tx, v.personaId);
  if (v.sourceAssetId && !(await assets.fileOf(tx, v.sourceAssetId))) throw notFound("Asset");
  const [row] = await repo.insertPrompts(tx, [
    {
      user_id: userId,
      persona_id: persona?.id ?? null,
      source_asset_id: v.sourceAssetId ?? null,
      prompt_text: v.promptText,
      prompt_index: 0,
      variation_label: v.variationLabel ?? "",
      metadata: { provider: "manual" },
    },
  ]);
  if (!row) throw notFound("Prompt");
  return toPrompt(row);
}

/** A person changed the text (and maybe the label): marked edited, so the page says so. */
export async function update(tx: Tx, input: UpdatePromptInput): Promise<ImagePrompt> {
  const v = updatePromptInput.parse(input);
  const row = await repo.updatePrompt(tx, v.promptId, {
    prompt_text: v.promptText,
    ...(v.variationLabel !== undefined ? { variation_label: v.variationLabel } : {}),
  });
  if (!row) throw notFound("Prompt");
  return toPrompt(row);
}

export async function remove(tx: Tx, promptId: string): Promise<void> {
  if (!(await repo.deletePrompt(tx, promptId))) throw notFound("Prompt");
}

/** For image generations (stream D): the caller's prompt as the generator needs it, or null (RLS: not theirs). */
export async function forGeneration(
  tx: Tx,
  promptId: string,
): Promise<{ id: string; promptText: string; personaId: string | null } | null> {
  const row = await repo.findPrompt(tx, promptId);
  return row ? { id: row.id, promptText: row.prompt_text, personaId: row.persona_id } : null;
}
