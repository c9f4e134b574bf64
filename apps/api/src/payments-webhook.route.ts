/**
 * `POST /webhooks/stripe` — where Stripe (or the local sandbox) sends payment events. A plain Hono
 * route, not tRPC: the signature covers the exact bytes sent, so the body is read raw (bounded: an
 * event is a few kilobytes, 1 MB is far above any) and handed to the payments module unparsed, which
 * verifies it with the SDK before anything is stored. A bad signature is 400 and stores nothing; a
 * stored event is acknowledged with 200 at once and fulfilled by the worker (`payments.fulfil-event`),
 * so Stripe's retries only follow real failures (5xx), never slow fulfilment.
 */
import { payments } from "@inkwell/domain/payments";
import { DomainError } from "@inkwell/domain/platform/errors";
import type { Hono, Env as HonoEnv } from "hono";
import { type BodyState, readBody } from "./http/body.ts";
import type { ApiDeps } from "./trpc/context.ts";

export const STRIPE_WEBHOOK_PATH = "/webhooks/stripe";
const MAX_EVENT_BYTES = 1024 * 1024;

export function registerStripeWebhook<E extends HonoEnv & { Variables: { body: BodyState } }>(app: Hono<E>, deps: ApiDeps): void {
  app.post(STRIPE_WEBHOOK_PATH, async (c) => {
    if (!deps.payments) return c.json({ error: "Payments are not set up on this server." }, 404);
    const body = await readBody(c.req.raw, MAX_EVENT_BYTES, c.get("body"));
    if (body.kind === "too-large") return c.json({ error: "Event too large." }, 413);
    if (body.kind !== "ok") return c.json({ error: "Could not read the event." }, 400);
    try {
      const r = await payments.receiveWebhook(
        { db: deps.db, payments: deps.payments, enqueue: deps.enqueue, log: deps.log },
        Buffer.from(body.bytes),
        c.req.header("stripe-signature"),
      );
      return c.json(r, 200);
    } catch (error) {
      if (error instanceof DomainError && error.code === "INVALID_INPUT") return c.json({ error: error.message }, 400);
      deps.log.error({ err: error }, "stripe webhook failed");
      return c.json({ error: "Could not record the event; please retry." }, 500);
    }
  });
}
