/**
 * Helpers of the payments tests: the whole stack they run on (the Stripe sandbox, the app on a real
 * socket for its webhooks, the fulfilment worker), the hosted pay page, and waiting.
 */
import { type ServerType, serve } from "@hono/node-server";
import { createDb } from "@inkwell/db";
import { handlersFor } from "@inkwell/domain/jobs/handlers";
import { createStripeClient, type PaymentsRuntime, paymentsJobs } from "@inkwell/domain/payments";
import { type StripeSandbox, startStripeSandbox } from "@inkwell/domain/payments/testing";
import { createBoss, prepareQueues, registerJobs } from "@inkwell/domain/platform";
import { expect, inject, vi } from "vitest";
import { createApp } from "../src/app.ts";
import { type Harness, startHarness } from "./harness.ts";

export interface PaymentsStack {
  h: Harness;
  sandbox: StripeSandbox;
  runtime: PaymentsRuntime;
  webhookUrl: string;
  stop(): Promise<void>;
}

const quiet = { info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) };

/**
 * The harness, the Stripe sandbox posting its webhooks to the app on a real port (answering for that
 * address), and the worker's part: the fulfilment job worked by pg-boss. `sandboxControl` gives the
 * billing procedures the sandbox's test clock.
 */
export async function startPaymentsStack(options: { sandboxControl?: boolean } = {}): Promise<PaymentsStack> {
  const h = await startHarness();
  const sandbox = await startStripeSandbox({ retryDelaysMs: [150, 400] });
  let app: ReturnType<typeof createApp> | undefined;
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: (req) => (app as ReturnType<typeof createApp>).fetch(req), port: 0, hostname: "127.0.0.1" }, () =>
      resolve(s),
    );
  });
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const runtime: PaymentsRuntime = {
    stripe: createStripeClient(sandbox.secretKey, sandbox.url),
    webhookSecret: sandbox.webhookSecret,
    appUrl: baseUrl,
    sandbox: true,
    ...(options.sandboxControl ? { sandboxControl: { url: sandbox.url, secretKey: sandbox.secretKey } } : {}),
  };
  h.deps.payments = runtime;
  app = createApp({
    deps: h.deps,
    env: { APP_URL: baseUrl, ALLOWED_ORIGINS: [], TRUST_PROXY: false, INKWELL_DEV_MAIL_DIR: undefined, WEB_DIST_DIR: undefined },
  });
  const webhookUrl = `${baseUrl}/webhooks/stripe`;
  sandbox.setWebhookUrl(webhookUrl);
  const url = inject("databaseUrl");
  const { db } = createDb({ url, max: 3 });
  const boss = createBoss(url, { supervise: false, schedule: false, max: 2 });
  await boss.start();
  await prepareQueues(boss, db, paymentsJobs);
  await registerJobs(boss, handlersFor(paymentsJobs), { db, log: quiet }, { pollingIntervalSeconds: 0.5 });
  return {
    h,
    sandbox,
    runtime,
    webhookUrl,
    async stop() {
      await sandbox.settled();
      await boss.stop({ graceful: false });
      await db.destroy();
      await new Promise((r) => server.close(r));
      await sandbox.stop();
      await h.stop();
    },
  };
}

export const sessionIdOf = (url: string) => new URL(url).pathname.split("/").at(-1) as string;

/** Waits until `probe()` gives a value `ok` accepts (the webhook and the job are asynchronous); returns it. */
export function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeout = 15_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await probe();
      if (!ok(v)) throw new Error(`waiting for ${what}: ${JSON.stringify(v)}`);
      return v;
    },
    { timeout, interval: 100 },
  );
}

/** Opens the hosted page and submits the card form, as a browser would; returns the answer. */
export async function payOnPage(checkoutUrl: string, card: string) {
  const page = await fetch(checkoutUrl);
  expect(page.status).toBe(200);
  return fetch(checkoutUrl, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ card_number: card, card_expiry: "12 / 34", card_cvc: "123" }),
  });
}
