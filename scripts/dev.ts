/**
 * `pnpm dev` — the whole system with zero configuration:
 *   - the embedded Postgres (PGlite + pgvector), persisted in .data/pglite, unless DATABASE_URL is set;
 *   - migrations applied;
 *   - a local SMTP server keeping mail in .data/mail (shown at /dev/mail), unless SMTP_URL is set;
 *   - a generated, persisted dev encryption key, unless INKWELL_ENCRYPTION_KEYS is set;
 *   - the sandbox publishing platform (X, LinkedIn, Threads, WordPress stand-in on :4010, feed at
 *     /sandbox/feed), unless PUBLISHING_SANDBOX_URL or a platform's client id is set;
 *   - the local Stripe sandbox (:4020: Checkout Sessions, a hosted pay page with test cards, signed
 *     webhooks to the API's /webhooks/stripe), unless STRIPE_SECRET_KEY is set;
 *   - the local reel stats service (:4030: view counts and thumbnails for saved reels), unless
 *     REEL_STATS_URL is set;
 *   - the local text-to-speech service (:4031: ElevenLabs-shaped, WAV audio), unless TTS_API_URL is set;
 *   - the sandbox printer (:4040: Lulu-shaped print jobs that advance to shipped and delivered), unless
 *     PRINT_API_URL is set;
 *   - api (:3000), worker and web (Vite on :5173, proxying the API) — or, with --prod (`pnpm start`),
 *     the built web served by the API itself on :3000; each restarted with backoff if it dies
 *     (scripts/supervise.ts), Ctrl-C stops everything.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createDb, migrateToLatest } from "@inkwell/db";
import { startEmbeddedDatabase } from "@inkwell/db/embedded";
import { startPrintSandbox } from "@inkwell/domain/books/testing";
import { startIdentitySandbox } from "@inkwell/domain/classrooms/testing";
import { startStripeSandbox } from "@inkwell/domain/payments/testing";
import { generateKeySpec } from "@inkwell/domain/platform";
import { startLocalSmtpServer } from "@inkwell/domain/platform/testing";
import { startSandboxPlatform } from "@inkwell/domain/platforms/testing";
import { startReelStatsSandbox, startTtsSandbox } from "@inkwell/domain/studio/testing";
import { supervise } from "./supervise.ts";

const root = resolve(import.meta.dirname, "..");
const dataDir = resolve(process.env.INKWELL_DATA_DIR ?? join(root, ".data"));
const prod = process.argv.includes("--prod");
mkdirSync(dataDir, { recursive: true });

const say = (msg: string) => console.log(`\x1b[36m[inkwell]\x1b[0m ${msg}`);
const cleanups: (() => Promise<void> | void)[] = [];

let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  const port = Number(process.env.INKWELL_DB_PORT ?? 54329);
  const embedded = await startEmbeddedDatabase({ dataDir: join(dataDir, "pglite"), port });
  cleanups.push(() => embedded.stop());
  databaseUrl = embedded.url;
  say(`embedded Postgres (PGlite + pgvector) at ${databaseUrl}, data in ${join(dataDir, "pglite")}`);
} else {
  say("using DATABASE_URL");
}

const { db } = createDb({ url: databaseUrl, max: 1 });
const migrated = await migrateToLatest(db);
await db.destroy();
say(`database migrated (${migrated.results?.length ?? 0} new migration(s))`);

const secretsFile = join(dataDir, "dev-secrets.json");
let encryptionKeys = process.env.INKWELL_ENCRYPTION_KEYS;
if (!encryptionKeys) {
  if (!existsSync(secretsFile))
    writeFileSync(secretsFile, JSON.stringify({ encryptionKeys: generateKeySpec("dev1") }), { mode: 0o600 });
  encryptionKeys = (JSON.parse(readFileSync(secretsFile, "utf8")) as { encryptionKeys: string }).encryptionKeys;
}

let smtpUrl = process.env.SMTP_URL;
let devMailDir: string | undefined;
if (!smtpUrl) {
  devMailDir = join(dataDir, "mail");
  const smtp = await startLocalSmtpServer({ port: Number(process.env.INKWELL_SMTP_PORT ?? 2525), folder: devMailDir });
  cleanups.push(() => smtp.stop());
  smtpUrl = smtp.url;
}

// No real platform configured: every platform is the sandbox, so a new user can connect an account and
// watch posts arrive in its feed. Its accounts and tokens live in memory: after a restart, reconnect.
let sandboxUrl = process.env.PUBLISHING_SANDBOX_URL;
const realPlatform = ["X_CLIENT_ID", "LINKEDIN_CLIENT_ID", "THREADS_CLIENT_ID"].some((name) => process.env[name]);
if (!sandboxUrl && !realPlatform) {
  const sandbox = await startSandboxPlatform({ port: Number(process.env.INKWELL_SANDBOX_PORT ?? 4010) });
  cleanups.push(() => sandbox.stop());
  sandboxUrl = sandbox.url;
  say(`sandbox publishing platform at ${sandboxUrl} (feed: ${sandboxUrl}/sandbox/feed)`);
  const wp = sandbox.wordpress;
  say(`sandbox WordPress: site ${wp.siteUrl}, username ${wp.username}, application password "${wp.applicationPassword}"`);
}

const apiPort = Number(process.env.PORT ?? 3000);
const webPort = 5173;

// No Stripe account configured: the SDK talks to the local Stripe sandbox, which delivers its signed
// webhooks straight to the API (not through Vite). Its sessions live in memory, like the publishing sandbox's.
const stripeEnv: Record<string, string> = {};
if (!process.env.STRIPE_SECRET_KEY) {
  const stripe = await startStripeSandbox({
    port: Number(process.env.INKWELL_STRIPE_SANDBOX_PORT ?? 4020),
    webhookUrl: `http://127.0.0.1:${apiPort}/webhooks/stripe`,
  });
  cleanups.push(() => stripe.stop());
  Object.assign(stripeEnv, {
    STRIPE_API_URL: stripe.url,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
  });
  say(`Stripe sandbox at ${stripe.url} (test card 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined)`);
}
// No reel stats service configured: the worker's reel-stats adapter talks to the local one (counts derived
// from each reel's shortcode, a thumbnail per reel).
const reelStatsEnv: Record<string, string> = {};
if (!process.env.REEL_STATS_URL) {
  const reelStats = await startReelStatsSandbox({ port: Number(process.env.INKWELL_REEL_STATS_SANDBOX_PORT ?? 4030) });
  cleanups.push(() => reelStats.stop());
  reelStatsEnv.REEL_STATS_URL = reelStats.url;
  say(`reel stats sandbox at ${reelStats.url}`);
}
// No text-to-speech service configured: personas speak through the local one (a WAV hum per text).
const ttsEnv: Record<string, string> = {};
if (!process.env.TTS_API_URL) {
  const tts = await startTtsSandbox({ port: Number(process.env.INKWELL_TTS_SANDBOX_PORT ?? 4031) });
  cleanups.push(() => tts.stop());
  Object.assign(ttsEnv, { TTS_API_URL: tts.url, TTS_API_KEY: process.env.TTS_API_KEY ?? "sandbox-tts-key" });
  say(`text-to-speech sandbox at ${tts.url}`);
}
// No printer configured: book orders go to the local sandbox printer (nothing printed; each step ~15 s).
const printEnv: Record<string, string> = {};
if (!process.env.PRINT_API_URL) {
  const printer = await startPrintSandbox({ port: Number(process.env.INKWELL_PRINT_SANDBOX_PORT ?? 4040) });
  cleanups.push(() => printer.stop());
  Object.assign(printEnv, { PRINT_POLL_SECONDS: process.env.PRINT_POLL_SECONDS ?? "5" });
  say(`sandbox printer at ${printer.url}`);
}
// No sign-in providers configured: "Continue with Clever / Google" and the Clever roster go to the local
// identity sandbox (a chooser of fixture teachers and students).
const identityEnv: Record<string, string> = {};
if (!process.env.OAUTH_CLEVER_ISSUER && !process.env.OAUTH_GOOGLE_ISSUER) {
  const identity = await startIdentitySandbox({ port: Number(process.env.INKWELL_IDENTITY_SANDBOX_PORT ?? 4050) });
  cleanups.push(() => identity.stop());
  Object.assign(identityEnv, {
    OAUTH_CLEVER_ISSUER: identity.cleverUrl,
    CLEVER_API_URL: identity.url,
    OAUTH_GOOGLE_ISSUER: identity.googleIssuer,
  });
  say(`sign-in sandbox (Clever, Google) at ${identity.url}`);
}
const appUrl = process.env.APP_URL ?? (prod ? `http://localhost:${apiPort}` : `http://localhost:${webPort}`);

if (prod) {
  say("building the web app…");
  const built = spawnSync("pnpm", ["--filter", "@inkwell/web", "build"], { stdio: "inherit", cwd: root });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  SMTP_URL: smtpUrl,
  INKWELL_ENCRYPTION_KEYS: encryptionKeys,
  APP_URL: appUrl,
  PORT: String(apiPort),
  // The Vite dev server's origins send cookie mutations only in dev; `pnpm start` serves the web app itself.
  ...(prod ? {} : { ALLOWED_ORIGINS: [`http://localhost:${webPort}`, `http://127.0.0.1:${webPort}`].join(",") }),
  // On your own machine a user's model is usually a local server (Ollama on 127.0.0.1): allow it in dev only.
  ...(prod ? {} : { AI_USER_PRIVATE_ADDRESSES: process.env.AI_USER_PRIVATE_ADDRESSES ?? "true" }),
  ...(devMailDir ? { INKWELL_DEV_MAIL_DIR: devMailDir } : {}),
  ...(sandboxUrl ? { PUBLISHING_SANDBOX_URL: sandboxUrl } : {}),
  ...stripeEnv,
  ...reelStatsEnv,
  ...ttsEnv,
  ...printEnv,
  ...identityEnv,
  ...(prod ? { WEB_DIST_DIR: join(root, "apps/web/dist"), NODE_ENV: "production" } : { NODE_ENV: "development" }),
  API_ORIGIN: `http://127.0.0.1:${apiPort}`,
  // Uploaded files on the local disk beside the database, unless S3 (or another folder) is configured.
  STORAGE_LOCAL_DIR: process.env.STORAGE_LOCAL_DIR ?? join(dataDir, "files"),
};

const filters = prod ? ["@inkwell/api", "@inkwell/worker"] : ["@inkwell/api", "@inkwell/worker", "@inkwell/web"];
const task = prod ? "start" : "dev";
// Each child leads its own process group, so stopping reaches pnpm's grandchildren (tsx, vite) too. A child
// that dies (the API out of memory) is restarted with backoff; the others, the database, SMTP and the
// sandbox keep running.
const supervisor = supervise(
  filters.map((name) => ({
    name: name.replace("@inkwell/", ""),
    start: () =>
      spawn("pnpm", ["--filter", name, task], { stdio: ["ignore", "inherit", "inherit"], env, cwd: root, detached: true }),
  })),
  { log: say },
);

// The mailbox page is a development tool (served to this machine only); a production build never serves it.
const mailbox = !devMailDir ? "(SMTP_URL set: mail goes out)" : prod ? `files in ${devMailDir}` : `${appUrl}/dev/mail`;
say(`open ${appUrl}  ·  dev mailbox: ${mailbox}`);
say("Ctrl-C stops everything");

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await supervisor.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
  process.exit(code);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
