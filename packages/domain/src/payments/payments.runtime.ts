/**
 * Where Stripe is, from the environment (the API reads it; the worker needs no Stripe client, it
 * fulfils from events the API already verified and stored).
 *
 * - `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET`: the account's keys (test or live).
 * - `STRIPE_API_URL`: send the SDK's calls there instead of api.stripe.com — the local Stripe sandbox
 *   (`payments/testing`) that `pnpm dev` and the tests start. The SDK is the real one either way; only
 *   its host, port and protocol change.
 * - No key: payments are off, and buying says so instead of failing somewhere later.
 */
import Stripe from "stripe";
import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));
const optionalUrl = optional.pipe(z.url().optional());

export const paymentsEnvSchema = z.object({
  STRIPE_SECRET_KEY: optional,
  STRIPE_WEBHOOK_SECRET: optional,
  STRIPE_API_URL: optionalUrl,
});
export type PaymentsEnv = z.infer<typeof paymentsEnvSchema>;

export interface PaymentsRuntime {
  stripe: Stripe;
  /** The endpoint secret (`whsec_…`) webhook signatures are checked with. */
  webhookSecret: string;
  /** Where Checkout sends the buyer back (the app's origin). */
  appUrl: string;
  /** True when the SDK talks to the local sandbox rather than Stripe. */
  sandbox: boolean;
  /**
   * The sandbox's own controls (its test clock: renew now, fail the next renewal), for the billing
   * page's sandbox panel. Only with the sandbox; Stripe's real test clocks are the dashboard's.
   */
  sandboxControl?: { url: string; secretKey: string };
}

/** The official SDK, pointed at `apiUrl` when given (the sandbox), with retries that reuse idempotency keys. */
export function createStripeClient(secretKey: string, apiUrl?: string): Stripe {
  const url = apiUrl ? new URL(apiUrl) : null;
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(url
      ? {
          host: url.hostname,
          port: url.port || (url.protocol === "https:" ? 443 : 80),
          protocol: url.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}

export function paymentsRuntimeFromEnv(env: PaymentsEnv, appUrl: string): PaymentsRuntime | null {
  if (!env.STRIPE_SECRET_KEY || !env.STRIPE_WEBHOOK_SECRET) return null;
  return {
    stripe: createStripeClient(env.STRIPE_SECRET_KEY, env.STRIPE_API_URL),
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    appUrl: appUrl.replace(/\/+$/, ""),
    sandbox: Boolean(env.STRIPE_API_URL),
    ...(env.STRIPE_API_URL
      ? { sandboxControl: { url: env.STRIPE_API_URL.replace(/\/+$/, ""), secretKey: env.STRIPE_SECRET_KEY } }
      : {}),
  };
}
