/** The worker's configuration, validated once at start. */
import { aiEnvSchema } from "@inkwell/domain/ai";
import { printVendorEnvSchema } from "@inkwell/domain/books";
import { storageEnvSchema } from "@inkwell/domain/files";
import { publishingEnvSchema } from "@inkwell/domain/platforms";
import { DEFAULT_SLOTS_PER_HOST } from "@inkwell/domain/posts";
import { reelStatsEnvSchema, ttsEnvSchema } from "@inkwell/domain/studio";
import { z } from "zod";

const schema = aiEnvSchema.extend(publishingEnvSchema.shape).extend({
  ...storageEnvSchema.shape,
  ...reelStatsEnvSchema.shape,
  // Checked here as in the API (one configuration for both); no job speaks yet, the API does.
  ...ttsEnvSchema.shape,
  ...printVendorEnvSchema.shape,
  DATABASE_URL: z.url(),
  /**
   * A direct connection to the same database for pg-boss (its LISTEN for new jobs) and the session lock
   * queues are prepared under: what PgBouncer in transaction mode in front of DATABASE_URL cannot carry.
   */
  DATABASE_DIRECT_URL: z.url().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "SMTP_URL must be smtp:// or smtps://"),
  MAIL_FROM: z.string().default("Inkwell <no-reply@inkwell.localhost>"),
  /**
   * Platform requests in flight at once per platform host (api.x.com, a WordPress site…), across every
   * worker process on the database (session advisory locks on the direct connection).
   */
  PUBLISHING_MAX_IN_FLIGHT_PER_HOST: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_SLOTS_PER_HOST),
  /** How often idle workers look for new jobs (pg-boss minimum 0.5 s). */
  WORKER_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),
  /** How often pg-boss checks for jobs whose worker died (missed heartbeats, expiry). */
  WORKER_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** The API's key ring ("id:base64key,..."): the publishing jobs open stored platform tokens with it. */
  INKWELL_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /**
   * The app's public address (same as the API's APP_URL): Threads fetches a post's image from a signed
   * /files/:id URL under it, so in production it must be reachable from Meta's servers.
   */
  APP_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type WorkerEnv = z.infer<typeof schema>;

export function loadWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid worker configuration:\n${problems}`);
  }
  return parsed.data;
}
