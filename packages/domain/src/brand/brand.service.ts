/**
 * The brand kit: one row per user, read in the caller's transaction and rendered into every
 * generation's prompt (`promptBlock`). Changes that touch the logo open their own transaction, so a
 * replaced or removed logo's bytes are deleted only after the change commits (a rollback must never
 * leave the kit pointing at deleted bytes), and the upload's bytes are written before it opens (for
 * S3 that is an HTTP call, which must not hold a transaction).
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import type { Storage } from "../files/index.ts";
import { files } from "../files/index.ts";
import { DomainError } from "../platform/errors.ts";
import type { KeyRing } from "../platform/secret-box.ts";
import { colorName } from "./brand.colors.ts";
import * as repo from "./brand.repository.ts";
import type { BrandKit, SaveBrandInput, UploadLogoInput } from "./brand.schemas.ts";
import { saveBrandInput } from "./brand.schemas.ts";

export interface BrandDeps {
  db: Database;
  storage: Storage;
  keyRing: KeyRing;
}

/** How long a logo URL handed to the web stays valid (it is refreshed with every read). */
export const LOGO_URL_TTL_SECONDS = 60 * 60;
export const LOGO_PURPOSE = "brand_logo";

const EMPTY: BrandKit = {
  brandName: null,
  tagline: null,
  logo: null,
  primaryColor: null,
  secondaryColor: null,
  accentColor: null,
  voicePrompt: null,
  updatedAt: null,
};

function toKit(deps: Pick<BrandDeps, "keyRing">, row: repo.KitRow | undefined): BrandKit {
  if (!row) return EMPTY;
  return {
    brandName: row.brand_name,
    tagline: row.tagline,
    logo:
      row.logo_file_id && row.logo_content_type
        ? {
            fileId: row.logo_file_id,
            url: files.signedUrl(deps, { id: row.logo_file_id }, LOGO_URL_TTL_SECONDS),
            filename: row.logo_filename ?? "logo",
            contentType: row.logo_content_type,
            byteSize: row.logo_byte_size ?? 0,
          }
        : null,
    primaryColor: row.primary_color,
    secondaryColor: row.secondary_color,
    accentColor: row.accent_color,
    voicePrompt: row.voice_prompt,
    updatedAt: row.updated_at,
  };
}

/** The caller's kit (an empty one before the first save), with a fresh signed logo URL. */
export async function getKit(deps: Pick<BrandDeps, "keyRing">, tx: Tx, userId: string): Promise<BrandKit> {
  return toKit(deps, await repo.findKit(tx, userId));
}

/**
 * Points the kit at a logo, returning the storage key of the logo it replaces (deleted in this
 * transaction; its bytes go after commit). The new logo must be the caller's own image uploaded as a
 * logo: another user's id is NOT_FOUND (RLS hides it), the policy on brand_kits checks it again.
 */
async function setLogo(tx: Tx, userId: string, logoFileId: string | null, patch: repo.KitPatch): Promise<string | null> {
  const current = await repo.lockKit(tx, userId);
  if (logoFileId) {
    const file = await files.get(tx, logoFileId);
    if (file.purpose !== LOGO_PURPOSE || !file.contentType.startsWith("image/")) {
      throw new DomainError("INVALID_INPUT", "That file is not an uploaded logo.", { field: "logoFileId" });
    }
  }
  await repo.upsertKit(tx, userId, { ...patch, logo_file_id: logoFileId });
  const previous = current?.logo_file_id;
  if (previous && previous !== logoFileId) return (await files.remove(tx, previous)).storageKey;
  return null;
}

async function afterCommit(deps: Pick<BrandDeps, "storage">, storageKey: string | null) {
  // An object that fails to delete is only wasted space (its row is gone, no URL can reach it).
  if (storageKey) await files.deleteObject(deps, storageKey).catch(() => undefined);
}

/** Saves what the input sets (null or "" clears a field; fields left out stay). */
export async function save(deps: BrandDeps, userId: string, input: SaveBrandInput): Promise<BrandKit> {
  const v = saveBrandInput.parse(input);
  const patch: repo.KitPatch = {
    ...(v.brandName !== undefined ? { brand_name: v.brandName } : {}),
    ...(v.tagline !== undefined ? { tagline: v.tagline } : {}),
    ...(v.primaryColor !== undefined ? { primary_color: v.primaryColor } : {}),
    ...(v.secondaryColor !== undefined ? { secondary_color: v.secondaryColor } : {}),
    ...(v.accentColor !== undefined ? { accent_color: v.accentColor } : {}),
    ...(v.voicePrompt !== undefined ? { voice_prompt: v.voicePrompt } : {}),
  };
  let orphan: string | null = null;
  const kit = await asUser(deps.db, userId, async (tx) => {
    if (v.logoFileId !== undefined) orphan = await setLogo(tx, userId, v.logoFileId, patch);
    else await repo.upsertKit(tx, userId, patch);
    return getKit(deps, tx, userId);
  });
  await afterCommit(deps, orphan);
  return kit;
}

/** Checks the upload (sniffed image, 2 MB), writes it, then makes it the kit's logo in one transaction. */
export async function uploadLogo(deps: BrandDeps, userId: string, input: UploadLogoInput): Promise<BrandKit> {
  const bytes = new Uint8Array(Buffer.from(input.dataBase64, "base64"));
  const prepared = await files.prepare(deps, userId, { purpose: LOGO_PURPOSE, filename: input.filename, bytes });
  let orphan: string | null = null;
  try {
    const kit = await asUser(deps.db, userId, async (tx) => {
      await files.record(tx, userId, prepared);
      orphan = await setLogo(tx, userId, prepared.id, {});
      return getKit(deps, tx, userId);
    });
    await afterCommit(deps, orphan);
    return kit;
  } catch (error) {
    await files.discard(deps, prepared);
    throw error;
  }
}

export async function removeLogo(deps: BrandDeps, userId: string): Promise<BrandKit> {
  return save(deps, userId, { logoFileId: null });
}

/**
 * The brand kit as instructions for a generation prompt, or null when the user has not set one up.
 * Runs in the caller's transaction (as the user). Colours are given as words and hex, since text
 * models reason about "navy blue" better than about "#1e3a8a".
 */
export async function promptBlock(tx: Tx, userId: string): Promise<string | null> {
  const row = await repo.findKit(tx, userId);
  if (!row) return null;
  const lines: string[] = [];
  if (row.brand_name) lines.push(`- Brand name: ${row.brand_name}`);
  if (row.tagline) lines.push(`- Tagline: "${row.tagline}"`);
  const colours = (
    [
      ["primary", row.primary_color],
      ["secondary", row.secondary_color],
      ["accent", row.accent_color],
    ] as const
  ).flatMap(([role, hex]) => (hex ? [`${role} ${colorName(hex)} (${hex})`] : []));
  if (colours.length) {
    lines.push(
      `- Brand colours: ${colours.join(", ")}. Where the format allows (image ideas, emoji, descriptions), stay within this palette.`,
    );
  }
  if (row.voice_prompt) lines.push(`- Brand voice (the user's own instructions): ${row.voice_prompt}`);
  if (!lines.length) return null;
  return [
    `Brand kit${row.brand_name ? ` for ${row.brand_name}` : ""}: write as this brand. Mention the brand name or tagline only where it reads naturally.`,
    ...lines,
  ].join("\n");
}
