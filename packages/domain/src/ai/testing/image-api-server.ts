/**
 * A sandbox of the Higgsfield-style image API (see providers/image-api.ts): a submitted job is
 * "queued" on its first poll, "in_progress" until its pollsToComplete-th, then "completed" with
 * result URLs this server serves as PNGs (the offline renderer's), or "failed" / "nsfw" when injected.
 * A job given a duration (`completeAfterMs`, or injected "slow") instead settles by the clock, and then
 * posts a signed webhook (`setWebhook`) the moment it does, as a real API would.
 * Checks the bearer key, validates the body and honours Idempotency-Key like a careful real API: the
 * same key (per account) answers the same job id, however often and from whichever process it is sent.
 * Several accounts: `addKey` accepts another key, and a job is found only with the key that submitted it.
 *
 * Faults to inject for the next submitted job (`injectNext`): its outcome (failed, nsfw), slowness, a
 * lost answer — the job is created and the connection dropped before the id is sent, the case that
 * tempts a client to submit twice — and a late answer (the job exists while the client still waits).
 *
 * `POST /v1/generations/{id}/cancel` stops a running job (200; later polls say failed, "Cancelled"), 409
 * for one already settled, 404 for another key's; `failCancels` makes the next ones answer 500.
 */

import { IMAGE_WEBHOOK_HEADER, signImageWebhook } from "../providers/image-api.ts";
import { renderPng } from "../providers/offline-image.ts";
import { type Sandbox, sendJson, startSandbox } from "./http-kit.ts";

export type ImageOutcome = "completed" | "failed" | "nsfw";

export interface ImageFault {
  outcome?: ImageOutcome;
  /** The job settles this long after it was submitted (polls before then see queued / in_progress). */
  completeAfterMs?: number;
  /** The job is created, then the connection is dropped before its id is answered. */
  dropAnswer?: boolean;
  /** The job is created at once, its id answered this much later. */
  answerAfterMs?: number;
}

export interface ImageApiSandbox extends Sandbox {
  apiKey: string;
  /** Accepts `key` as another account's: its jobs are its own (404 to any other key). */
  addKey(key: string): void;
  /** The next submitted job ends this way instead of completing. */
  setNextOutcome(outcome: "failed" | "nsfw"): void;
  /** Faults for the next `count` submitted jobs (each new job takes one; replays take none). */
  injectNext(fault: ImageFault, count?: number): void;
  /** Where settled jobs are announced (signed with `secret`); null stops announcing. */
  setWebhook(url: string | null, secret?: string): void;
  /** The next `count` cancel calls answer 500 (the API is down for them). */
  failCancels(count: number): void;
  /** Jobs created so far (an idempotent replay creates none). */
  jobCount(): number;
  /** Per job id: how it was asked for, how often it was polled, and when it settled (ms epoch). */
  job(id: string):
    | {
        prompt: string;
        polls: number;
        settledAt: number | null;
        completeAt: number | null;
        idempotencyKey: string | null;
        /** Cancel calls that stopped it (1 once stopped; a repeat is answered 409 and not counted). */
        cancels: number;
      }
    | undefined;
  /** Webhooks posted, with the status our server answered. */
  webhooks: { id: string; status: number }[];
}

interface Job {
  request: { prompt: string; width: number; height: number; model?: string; seed?: number };
  outcome: ImageOutcome;
  polls: number;
  /** The bearer key that submitted it. */
  key: string;
  idempotencyKey: string | null;
  /** Clock-settled jobs: when they settle. */
  completeAt: number | null;
  settledAt: number | null;
  cancels: number;
}

const isSize = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 4096;

export async function startImageApiSandbox(
  options: { apiKey?: string; pollsToComplete?: number; completeAfterMs?: number } = {},
): Promise<ImageApiSandbox> {
  const apiKey = options.apiKey ?? "sandbox-image-key";
  const keys = new Set([apiKey]);
  const pollsToComplete = options.pollsToComplete ?? 3;
  const jobs = new Map<string, Job>();
  const byIdempotencyKey = new Map<string, string>();
  const faults: ImageFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const webhooks: ImageApiSandbox["webhooks"] = [];
  let webhook: { url: string; secret: string } | null = null;
  let created = 0;
  let cancelFailures = 0;

  function statusOf(id: string, job: Job) {
    if (job.cancels) return { status: "failed", result_urls: [], error: "Cancelled." };
    const settled = job.completeAt === null ? job.polls >= pollsToComplete : Date.now() >= job.completeAt;
    if (!settled) return { status: job.polls <= 1 ? "queued" : "in_progress", result_urls: [], error: null };
    job.settledAt ??= Date.now();
    if (job.outcome === "completed") {
      return { status: "completed", result_urls: [`${sandbox.url}/files/${id}.png`], error: null };
    }
    const error = job.outcome === "nsfw" ? "The prompt or result was flagged as NSFW." : "Generation failed in the sandbox.";
    return { status: job.outcome, result_urls: [], error };
  }

  async function announce(id: string, job: Job) {
    if (!webhook || job.cancels) return;
    job.settledAt ??= Date.now();
    const body = JSON.stringify({ id, status: job.outcome });
    try {
      const res = await fetch(webhook.url, {
        method: "POST",
        headers: { "content-type": "application/json", [IMAGE_WEBHOOK_HEADER]: signImageWebhook(webhook.secret, body) },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      webhooks.push({ id, status: res.status });
    } catch {
      webhooks.push({ id, status: 0 });
    }
  }

  const sandbox = await startSandbox(async (req, res, record) => {
    const file = /^\/files\/([\w-]+)\.png$/.exec(record.path);
    if (record.method === "GET" && file) {
      const job = jobs.get(file[1] as string);
      if (job?.outcome !== "completed") return sendJson(res, 404, { error: "no such file" });
      res.writeHead(200, { "content-type": "image/png" });
      return void res.end(renderPng(job.request));
    }
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!key || !keys.has(key)) return sendJson(res, 401, { error: "invalid API key" });
    if (record.method === "POST" && record.path === "/v1/generations") {
      const body = record.body as Job["request"] | undefined;
      if (typeof body?.prompt !== "string" || !body.prompt || !isSize(body.width) || !isSize(body.height)) {
        return sendJson(res, 422, { error: "prompt, width and height (1-4096) are required" });
      }
      const idempotencyKey = typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : null;
      const repeated = idempotencyKey ? byIdempotencyKey.get(`${key} ${idempotencyKey}`) : undefined;
      if (repeated) return sendJson(res, 200, { id: repeated });
      const fault = faults.shift() ?? {};
      const id = `gen-${++created}`;
      const after = fault.completeAfterMs ?? options.completeAfterMs;
      const job: Job = {
        request: body,
        outcome: fault.outcome ?? "completed",
        polls: 0,
        key,
        idempotencyKey,
        completeAt: after === undefined ? null : Date.now() + after,
        settledAt: null,
        cancels: 0,
      };
      jobs.set(id, job);
      if (idempotencyKey) byIdempotencyKey.set(`${key} ${idempotencyKey}`, id);
      if (job.completeAt !== null) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          void announce(id, job);
        }, after);
        timers.add(timer);
      }
      // Accepted, but the answer never arrives: the client cannot tell whether the job exists.
      if (fault.dropAnswer) return void res.socket?.destroy();
      if (fault.answerAfterMs) await new Promise((resolve) => setTimeout(resolve, fault.answerAfterMs));
      return sendJson(res, 200, { id });
    }
    const cancel = /^\/v1\/generations\/([\w-]+)\/cancel$/.exec(record.path);
    if (cancel && record.method === "POST") {
      const target = jobs.get(cancel[1] as string);
      if (!target || target.key !== key) return sendJson(res, 404, { error: "not found" });
      if (cancelFailures > 0) {
        cancelFailures--;
        return sendJson(res, 500, { error: "cancel failed in the sandbox" });
      }
      const settled =
        target.cancels > 0 || target.settledAt !== null || (target.completeAt !== null && Date.now() >= target.completeAt);
      if (settled) return sendJson(res, 409, { error: "the job has already finished" });
      target.cancels++;
      target.settledAt = Date.now();
      return sendJson(res, 200, { id: cancel[1], status: "cancelled" });
    }
    const poll = /^\/v1\/generations\/([\w-]+)$/.exec(record.path);
    const job = poll && record.method === "GET" ? jobs.get(poll[1] as string) : undefined;
    if (!job || job.key !== key) return sendJson(res, 404, { error: "not found" });
    job.polls++;
    return sendJson(res, 200, statusOf((poll as RegExpExecArray)[1] as string, job));
  });

  return {
    ...sandbox,
    apiKey,
    webhooks,
    addKey: (k) => void keys.add(k),
    setNextOutcome: (outcome) => {
      faults.push({ outcome });
    },
    injectNext: (fault, count = 1) => {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    setWebhook: (url, secret = "") => {
      webhook = url ? { url, secret } : null;
    },
    failCancels: (count) => {
      cancelFailures = count;
    },
    jobCount: () => created,
    job: (id) => {
      const j = jobs.get(id);
      return (
        j && {
          prompt: j.request.prompt,
          polls: j.polls,
          settledAt: j.settledAt,
          completeAt: j.completeAt,
          idempotencyKey: j.idempotencyKey,
          cancels: j.cancels,
        }
      );
    },
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      await sandbox.stop();
    },
  };
}
