/** Inputs and outputs of the identity module. Imports only zod, so the web bundles it for its forms. */
import { z } from "zod";

export const SUBSCRIPTION_TIERS = ["free", "basic", "pro", "enterprise"] as const;
export const API_KEY_SERVICES = ["openai", "anthropic", "elevenlabs", "higgsfield", "wavespeed"] as const;
export const PASSWORD_MIN = 8;
/** Long passphrases are welcome; argon2 takes any length and nothing is truncated. */
export const PASSWORD_MAX = 1024;

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "E-mail address is too long")
  .pipe(z.email("Enter a valid e-mail address"));

export const newPassword = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`);

const anyPassword = z.string().min(1, "Enter your password").max(PASSWORD_MAX, "Password is too long");
const token = z.string().trim().min(16, "This link is incomplete").max(256, "This link is malformed");
const displayName = z.string().trim().min(1, "Name cannot be empty").max(80, "Use at most 80 characters");

export const signUpInput = z.object({ email, password: newPassword, displayName: displayName.optional() });
export const signInInput = z.object({ email, password: anyPassword });
export const verifyEmailInput = z.object({ token });
export const requestPasswordResetInput = z.object({ email });
export const resetPasswordInput = z.object({ token, password: newPassword });
export const changePasswordInput = z.object({ currentPassword: anyPassword, newPassword });

const preferences = z
  .record(z.string().max(64), z.json())
  .refine((p) => JSON.stringify(p).length <= 8_192, "Preferences are too large (8 KB at most)");

export const updateProfileInput = z.object({
  displayName: displayName.nullable().optional(),
  avatarUrl: z
    .url({ protocol: /^https?$/, error: "Use an http(s) address" })
    .max(2048, "Address is too long")
    .nullable()
    .optional(),
  preferences: preferences.optional(),
});

const apiKey = z.string().trim().min(8, "That key looks too short").max(512, "That key is too long");
/** An OpenAI-compatible server's API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama). */
const aiBaseUrl = z.url({ protocol: /^https?$/, error: "Use an http(s) address" }).max(2048, "Address is too long");
const aiModel = z.string().trim().min(1, "Name a model").max(200, "That model name is too long");

/**
 * The "openai" service is the user's own AI connection: any OpenAI-compatible server (baseUrl, model;
 * OpenAI's API and default model when left out). Without `key` a saved connection keeps its key, and a
 * new one is saved keyless (local servers like Ollama ignore the key).
 */
export const saveApiKeyInput = z.object({
  service: z.enum(API_KEY_SERVICES),
  key: apiKey.optional(),
  label: z.string().trim().max(80).optional(),
  baseUrl: aiBaseUrl.optional(),
  model: aiModel.optional(),
});

/** Settings to try before saving; each left out is taken from the saved connection. */
export const testAiConnectionInput = z.object({
  baseUrl: aiBaseUrl.optional(),
  key: apiKey.optional(),
  model: aiModel.optional(),
});

export const idInput = z.object({ id: z.uuid("Not a valid id") });

export const adminListUsersInput = z.object({
  query: z.string().trim().max(254).optional(),
  limit: z.number().int().min(1).max(100).default(50),
  /** Keyset cursor: the created_at + id of the last row seen. */
  cursor: z.object({ createdAt: z.coerce.date(), id: z.uuid() }).optional(),
});

export const adminSetTierInput = z.object({ userId: z.uuid(), tier: z.enum(SUBSCRIPTION_TIERS) });

export type SignUpInput = z.infer<typeof signUpInput>;
export type SignInInput = z.infer<typeof signInInput>;
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;
export type SaveApiKeyInput = z.infer<typeof saveApiKeyInput>;
export type TestAiConnectionInput = z.infer<typeof testAiConnectionInput>;
export type AdminListUsersInput = z.infer<typeof adminListUsersInput>;

export interface Me {
  id: string;
  email: string;
  emailVerified: boolean;
  role: "user" | "admin";
  subscriptionTier: (typeof SUBSCRIPTION_TIERS)[number];
  displayName: string | null;
  avatarUrl: string | null;
  preferences: Record<string, unknown>;
  createdAt: Date;
}

export interface ApiKeySummary {
  id: string;
  service: (typeof API_KEY_SERVICES)[number];
  label: string | null;
  /** Empty for a connection saved without a key. */
  last4: string;
  /** The AI connection's server and model (service "openai"); null: OpenAI's defaults. */
  baseUrl: string | null;
  model: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AiConnectionTest {
  answer: string;
  model: string;
  latencyMs: number;
}

export interface SessionSummary {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

/**
 * What a failed sign-in or link may say on the page it lands on (`?oauth_error=` on /sign-in and Settings).
 * The URL is anyone's to write, so the pages show only these texts and the fallback for anything else: a
 * crafted link cannot put its own words under our "not linked" heading. The API's OAuth tests check every
 * failure they provoke is one of these.
 */
export const OAUTH_ERROR_FALLBACK = "Something went wrong while signing in. Please try again.";
export const OAUTH_ERROR_MESSAGES: readonly string[] = [
  OAUTH_ERROR_FALLBACK,
  "This sign-in option is not available.",
  "Please sign in, then link the account again.",
  "Too many attempts. Please wait and try again.",
  "Sign-in was cancelled.",
  "The sign-in provider refused the sign-in. Please try again.",
  "The sign-in provider could not be reached. Please try again.",
  "The sign-in provider has no authorization endpoint.",
  "The sign-in provider sent no identity.",
  "The sign-in provider did not return your profile. Please try again.",
  "Clever returned an unexpected profile.",
  "This sign-in has expired or was already used. Please start again.",
  "This sign-in was not started in this browser. Please start again.",
  "That account already signs in to another Inkwell account.",
  "An account with this e-mail already exists. Sign in with your password, then link this account in Settings.",
];

/** The text to show for a `?oauth_error=` value: itself when it is one of ours, else the fallback. */
export function oauthErrorText(raw: string | null): string | null {
  if (!raw) return null;
  return OAUTH_ERROR_MESSAGES.includes(raw) ? raw : OAUTH_ERROR_FALLBACK;
}
