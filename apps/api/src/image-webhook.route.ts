/**
 * `POST /webhooks/image-api` — the image API says a job settled. A plain Hono route: the signature
 * (`x-image-signature: t=…,v1=HMAC-SHA256(IMAGE_WEBHOOK_SECRET, "<t>.<raw body>")`, checked in constant
 * time within five minutes of `t`) covers the exact bytes, so the body is read raw and capped (a
 * notice is a few hundred bytes; 16 KB is far above any). Nothing in the body is believed beyond the
 * job id: the route only enqueues an immediate poll of the generations with that id, and the poll asks
 * the API itself. Bad signature 401; no secret configured 404 (the worker's polling does the work).
 */

import { DomainError } from "@inkwell/domain/platform/errors";
import { generations } from "@inkwell/domain/studio";
import type { Hono, Env as HonoEnv } from "hono";
import { type BodyState, readBody } from "./http/body.ts";
import type { ApiDeps } from "./trpc/context.ts";

export const IMAGE_WEBHOOK_PATH = "/webhooks/image-api";
const MAX_NOTICE_BYTES = 16 * 1024;

/** The secret is read per request (IMAGE_WEBHOOK_SECRET), so a rotated one applies without a restart of this route's code. */
export function registerImageWebhook<E extends HonoEnv & { Variables: { body: BodyState } }>(
  app: Hono<E>,
  deps: ApiDeps,
  secretOf: () => string | undefined = () => process.env.IMAGE_WEBHOOK_SECRET,
): void {
  app.post(IMAGE_WEBHOOK_PATH, async (c) => {
    const secret = secretOf();
    if (!secret) return c.json({ error: "Image webhooks are not set up on this server." }, 404);
    const body = await readBody(c.req.raw, MAX_NOTICE_BYTES, c.get("body"));
    if (body.kind === "too-large") return c.json({ error: "Notice too large." }, 413);
    if (body.kind !== "ok") return c.json({ error: "Could not read the notice." }, 400);
    try {
      const r = await generations.receiveWebhook(deps, secret, body.bytes, c.req.header("x-image-signature"));
      return c.json(r, 200);
    } catch (error) {
      if (error instanceof DomainError && error.code === "UNAUTHENTICATED") return c.json({ error: error.message }, 401);
      if (error instanceof DomainError && error.code === "INVALID_INPUT") return c.json({ error: error.message }, 400);
      deps.log.error({ err: error }, "image webhook failed");
      return c.json({ error: "Could not take the notice; please retry." }, 500);
    }
  });
}
