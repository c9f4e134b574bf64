/** The API's configuration, validated once at start; the process refuses to boot on a bad value. */
import { aiEnvSchema } from "@inkwell/domain/ai";
import { printVendorEnvSchema } from "@inkwell/domain/books";
import { storageEnvSchema } from "@inkwell/domain/files";
import { oauthEnvSchema } from "@inkwell/domain/identity";
import { paymentsEnvSchema } from "@inkwell/domain/payments";
import { publishingEnvSchema } from "@inkwell/domain/platforms";
import { reelStatsEnvSchema, ttsEnvSchema } from "@inkwell/domain/studio";
import { z } from "zod";

const schema = aiEnvSchema.extend(publishingEnvSchema.shape).extend({
  ...storageEnvSchema.shape,
  ...paymentsEnvSchema.shape,
  // Read by the worker; the API only says whether reels' view counts are the local sandbox's.
  ...reelStatsEnvSchema.shape,
  // Personas speak through it (TTS_API_URL / TTS_API_KEY; the local sandbox when unset).
  ...ttsEnvSchema.shape,
  // Read by the worker; the API only says whether printing goes to the local sandbox printer.
  ...printVendorEnvSchema.shape,
  // Sign-in with Clever and Google, and Clever's roster API (the local identity sandbox when unset).
  ...oauthEnvSchema.shape,
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.url(),
  /**
   * A direct connection to the same database, for what transaction pooling (PgBouncer in front of
   * DATABASE_URL) cannot carry: the generation bus's LISTEN and the session advisory lock queues are
   * prepared under at start. Unset: DATABASE_URL serves those too.
   */
  DATABASE_DIRECT_URL: z.url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** Public URL of the app, used in e-mail links and as the allowed Origin for cookie mutations. */
  APP_URL: z.url().default("http://localhost:3000"),
  /**
   * Extra origins allowed to send cookie-authenticated mutations. Unset in development: the Vite dev
   * server's. In production (NODE_ENV=production or WEB_DIST_DIR) loopback origins other than
   * APP_URL's are ignored (src/http/mode.ts). Their hosts are also accepted in the Host header.
   */
  ALLOWED_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** "id:base64key[,id:base64key...]" — AES-256-GCM keys for stored secrets; the first seals. */
  INKWELL_ENCRYPTION_KEYS: z.string().min(1),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "SMTP_URL must be smtp:// or smtps://"),
  MAIL_FROM: z.string().default("Inkwell <no-reply@inkwell.localhost>"),
  /**
   * Folder the local dev SMTP server writes to; when set in development, /dev/mail shows it to this
   * machine only. Never served in production (NODE_ENV=production or WEB_DIST_DIR set).
   */
  INKWELL_DEV_MAIL_DIR: z.string().optional(),
  /** Built web app to serve from the same origin (apps/web/dist). */
  WEB_DIST_DIR: z.string().optional(),
  /** Trust X-Forwarded-For (only behind a proxy you control). */
  TRUST_PROXY: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.infer<typeof schema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid API configuration:\n${problems}`);
  }
  return parsed.data;
}
