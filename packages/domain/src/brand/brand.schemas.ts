/** Brand kit inputs and outputs (browser-safe: zod only, so the web form validates with the same rules). */
import { z } from "zod";

export const MAX_BRAND_NAME = 100;
export const MAX_TAGLINE = 200;
export const MAX_VOICE_PROMPT = 500;
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
export const BRAND_COLOR_FIELDS = ["primaryColor", "secondaryColor", "accentColor"] as const;
export type BrandColorField = (typeof BRAND_COLOR_FIELDS)[number];

/** Characters as people (and Postgres' char_length) count them: an emoji is one, not two UTF-16 units. */
export const charCount = (s: string) => [...s].length;

/** Optional text: blank means "none" (null). */
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .superRefine((s, ctx) => {
      const count = charCount(s);
      if (count > max) ctx.addIssue({ code: "custom", message: `${label} can be at most ${max} characters (it has ${count})` });
    })
    .transform((s) => (s === "" ? null : s))
    .nullable();

/** `#rrggbb`, stored in lower case; blank or null clears it. */
export const hexColorSchema = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    if (s !== "" && !HEX_COLOR.test(s)) {
      ctx.addIssue({
        code: "custom",
        message: `"${s.slice(0, 20)}" is not a hex colour: use # and six hex digits, like #1a2b3c`,
      });
    }
  })
  .transform((s) => (s === "" ? null : s.toLowerCase()))
  .nullable();

/** Every field is optional: what is sent is changed (null or "" clears), what is left out stays. */
export const saveBrandInput = z.object({
  brandName: optionalText(MAX_BRAND_NAME, "The brand name").optional(),
  tagline: optionalText(MAX_TAGLINE, "The tagline").optional(),
  primaryColor: hexColorSchema.optional(),
  secondaryColor: hexColorSchema.optional(),
  accentColor: hexColorSchema.optional(),
  voicePrompt: optionalText(MAX_VOICE_PROMPT, "The voice prompt").optional(),
  /** One of the caller's uploaded logos (from `brand.uploadLogo`); null removes the logo. */
  logoFileId: z.uuid().nullable().optional(),
});

export const uploadLogoInput = z.object({
  filename: z.string().trim().min(1, "The file needs a name").max(255),
  /** The file's bytes as base64 (the type is sniffed from them; the name is only a label). */
  dataBase64: z
    .string()
    .min(1, "The file is empty")
    .max(4 * 1024 * 1024, "That file is too large; the limit is 2 MB.")
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "The file data is not valid base64"),
});

export type SaveBrandInput = z.input<typeof saveBrandInput>;
export type UploadLogoInput = z.infer<typeof uploadLogoInput>;

export interface BrandLogo {
  fileId: string;
  /** A signed, expiring URL served by the API (`/files/:id?exp&sig`). */
  url: string;
  filename: string;
  contentType: string;
  byteSize: number;
}

export interface BrandKit {
  brandName: string | null;
  tagline: string | null;
  logo: BrandLogo | null;
  primaryColor: string | null;
  secondaryColor: string | null;
  accentColor: string | null;
  voicePrompt: string | null;
  /** Null until the kit is first saved. */
  updatedAt: Date | null;
}

/** Colours in words (pure, so the web shows the same names the writer's prompt uses). */
export { colorName } from "./brand.colors.ts";
