/** Public API of the payments module (Stripe Checkout, webhooks, fulfilment per kind, refunds). */

import "./payments.fulfilment.ts";
import "./payments.subscriptions.service.ts";

export { type Fulfilment, purchaseGrantKey, registerFulfilment } from "./payments.fulfilment.ts";
export { endLapsedGraceJob, fulfilEventJob, paymentsJobs, sweepEventsJob } from "./payments.jobs.ts";
export {
  createStripeClient,
  type PaymentsEnv,
  type PaymentsRuntime,
  paymentsEnvSchema,
  paymentsRuntimeFromEnv,
} from "./payments.runtime.ts";
export * from "./payments.schemas.ts";
export type { CheckoutInput, PaymentsDeps } from "./payments.service.ts";
export * as payments from "./payments.service.ts";
export * as subscriptions from "./payments.subscriptions.service.ts";
