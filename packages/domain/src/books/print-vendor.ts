/**
 * The print vendor adapter: a real HTTP client with the shape of Lulu's Print API.
 *
 *   POST {auth}/auth/realms/glasstree/protocol/openid-connect/token   OAuth2 client credentials (Basic key:secret)
 *   POST /print-job-cost-calculations/                                 what a job will cost us, with shipping and tax
 *   POST /print-jobs/                                                  a print job: line items with the interior
 *                                                                       and cover PDF URLs, the shipping address
 *   GET  /print-jobs/{id}/                                             the job, with tracking per line item
 *   GET  /print-jobs/{id}/status/                                      only its status
 *
 * The token is cached until a minute before it expires and fetched again on a 401. Every call has a
 * deadline and a size cap on the answer; failures come back as a `PrintVendorError` whose `retryable`
 * says whether asking again can help (the job retries those with backoff). By default
 * (`PRINT_API_URL` unset) it talks to the local sandbox printer (`books/testing`) that `pnpm dev` starts.
 */
import { z } from "zod";

/** Where `pnpm dev` runs the sandbox printer (scripts/dev.ts). */
export const DEFAULT_PRINT_API_URL = "http://127.0.0.1:4040";
const MAX_ANSWER_BYTES = 256 * 1024;

/** Lulu's print-job statuses. */
export const VENDOR_STATUSES = [
  "CREATED",
  "UNPAID",
  "PAYMENT_IN_PROGRESS",
  "PRODUCTION_DELAYED",
  "PRODUCTION_READY",
  "IN_PRODUCTION",
  "SHIPPED",
  "REJECTED",
  "CANCELED",
  // Not Lulu's: the sandbox printer also reports the carrier's delivery (Lulu's jobs end at SHIPPED).
  "DELIVERED",
] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

export interface PrintAddress {
  name: string;
  street1: string;
  street2?: string | undefined;
  city: string;
  state_code?: string | undefined;
  postcode: string;
  country_code: string;
  phone_number: string;
  email?: string | undefined;
}

export interface PrintLineItem {
  external_id: string;
  title: string;
  quantity: number;
  page_count: number;
  pod_package_id: string;
  interior_url: string;
  cover_url: string;
}

export interface CostQuery {
  line_items: { page_count: number; pod_package_id: string; quantity: number }[];
  shipping_address: PrintAddress;
  shipping_option: string;
}

export interface PrintCost {
  currency: string;
  totalExclTax: string;
  totalInclTax: string;
}

export interface PrintJobInput {
  external_id: string;
  contact_email: string;
  shipping_level: string;
  shipping_address: PrintAddress;
  line_items: PrintLineItem[];
}

export interface PrintJobState {
  id: string;
  status: VendorStatus;
  /** The printer's message for the status (a rejection's reason, a delay). */
  message: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  estimatedDelivery: string | null;
}

export interface PrintVendorClient {
  costCalculation(query: CostQuery): Promise<PrintCost>;
  createPrintJob(job: PrintJobInput): Promise<PrintJobState>;
  getPrintJob(id: string): Promise<PrintJobState>;
  getStatus(id: string): Promise<{ status: VendorStatus; message: string | null }>;
}

/** What the worker's print jobs run with. */
export interface PrintVendorRuntime {
  client: PrintVendorClient;
  /** True when printing goes to the local sandbox printer (the web says so). */
  sandbox: boolean;
  /** Where the printer downloads our files from: the app's public origin, which serves signed /files links. */
  filesBaseUrl: string;
  /** How long after a status check the next one runs, while the job is not finished. */
  pollSeconds: number;
  /** Our address for the printer's questions about jobs. */
  contactEmail: string;
}

export class PrintVendorError extends Error {
  override readonly name = "PrintVendorError";
  constructor(
    readonly kind: "rejected" | "unauthorized" | "not_found" | "unavailable" | "timeout" | "invalid_response",
    message: string,
    /**
     * Whether the printer may have acted on the request although we got no answer saying so (a timeout, a
     * connection lost mid-call, a gateway's 500/502/504): for a print job, asking again could print twice.
     */
    readonly mayHaveActed = false,
  ) {
    super(message);
  }
  /** A rejected request (400) or unknown job will be refused again; the others may pass later. */
  get retryable(): boolean {
    return this.kind === "unavailable" || this.kind === "timeout" || this.kind === "unauthorized";
  }
}

export const printVendorEnvSchema = z.object({
  PRINT_API_URL: z.url().default(DEFAULT_PRINT_API_URL),
  /** The OAuth token endpoint's origin (Lulu: api.lulu.com, the same as the API). */
  PRINT_AUTH_URL: z.url().optional(),
  PRINT_CLIENT_KEY: z.string().default("sandbox-key"),
  PRINT_CLIENT_SECRET: z.string().default("sandbox-secret"),
  PRINT_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  PRINT_CONTACT_EMAIL: z.email().default("orders@inkwell.localhost"),
});
export type PrintVendorEnv = z.infer<typeof printVendorEnvSchema>;

export function printVendorRuntimeFromEnv(env: PrintVendorEnv, filesBaseUrl: string): PrintVendorRuntime {
  return {
    client: createPrintVendorClient({
      baseUrl: env.PRINT_API_URL,
      authUrl: env.PRINT_AUTH_URL,
      clientKey: env.PRINT_CLIENT_KEY,
      clientSecret: env.PRINT_CLIENT_SECRET,
    }),
    sandbox: env.PRINT_API_URL === DEFAULT_PRINT_API_URL,
    filesBaseUrl,
    pollSeconds: env.PRINT_POLL_SECONDS,
    contactEmail: env.PRINT_CONTACT_EMAIL,
  };
}

export interface PrintVendorOptions {
  baseUrl: string;
  authUrl?: string | undefined;
  clientKey: string;
  clientSecret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });
const statusAnswer = z.object({
  name: z.enum(VENDOR_STATUSES),
  messages: z.record(z.string(), z.unknown()).nullish(),
});
const jobAnswer = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  status: statusAnswer,
  estimated_shipping_dates: z.object({ arrival_max: z.string().nullish() }).nullish(),
  line_items: z
    .array(
      z.object({
        tracking_id: z.string().nullish(),
        tracking_urls: z.array(z.string()).nullish(),
        carrier_name: z.string().nullish(),
      }),
    )
    .default([]),
});
const costAnswer = z.object({
  currency: z.string(),
  total_cost_excl_tax: z.union([z.string(), z.number()]).transform(String),
  total_cost_incl_tax: z.union([z.string(), z.number()]).transform(String),
});

function messageOf(messages: Record<string, unknown> | null | undefined): string | null {
  if (!messages) return null;
  const text = Object.values(messages)
    .filter((v) => typeof v === "string" || typeof v === "number")
    .join("; ");
  return text ? text.slice(0, 300) : null;
}

function stateOf(job: z.infer<typeof jobAnswer>): PrintJobState {
  const tracked = job.line_items.find((item) => item.tracking_id);
  const url = tracked?.tracking_urls?.find((u) => /^https?:\/\//.test(u)) ?? null;
  return {
    id: job.id,
    status: job.status.name,
    message: messageOf(job.status.messages),
    carrier: tracked?.carrier_name?.slice(0, 100) ?? null,
    trackingNumber: tracked?.tracking_id?.slice(0, 100) ?? null,
    trackingUrl: url && url.length <= 500 ? url : null,
    estimatedDelivery: job.estimated_shipping_dates?.arrival_max?.slice(0, 10) ?? null,
  };
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new PrintVendorError("invalid_response", "The printer's answer is too large.");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function createPrintVendorClient(options: PrintVendorOptions): PrintVendorClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const authBase = (options.authUrl ?? options.baseUrl).replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 15_000;
  const doFetch = options.fetch ?? fetch;
  let token: { value: string; until: number } | null = null;

  async function send(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      // Only a connection never made proves the printer did not get the request.
      const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
      const neverSent = code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
      throw new PrintVendorError(
        timedOut ? "timeout" : "unavailable",
        timedOut ? "The printer did not answer in time." : "The printer could not be reached.",
        !neverSent,
      );
    }
    const text = await readCapped(response);
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      if (response.ok) throw new PrintVendorError("invalid_response", "The printer's answer is not JSON.");
    }
    return { status: response.status, body };
  }

  async function accessToken(): Promise<string> {
    if (token && token.until > Date.now()) return token.value;
    const basic = Buffer.from(`${options.clientKey}:${options.clientSecret}`).toString("base64");
    const { status, body } = await send(`${authBase}/auth/realms/glasstree/protocol/openid-connect/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    if (status === 401 || status === 403) throw new PrintVendorError("unauthorized", "The printer refused our client key.");
    if (status >= 500 || status === 429) throw new PrintVendorError("unavailable", `The printer's sign-in answered ${status}.`);
    const parsed = tokenAnswer.safeParse(body);
    if (status !== 200 || !parsed.success)
      throw new PrintVendorError("invalid_response", "The printer's sign-in answer is not a token.");
    // A minute's margin, so a token never expires between our check and the printer's.
    token = { value: parsed.data.access_token, until: Date.now() + Math.max(0, parsed.data.expires_in - 60) * 1000 };
    return token.value;
  }

  async function call(method: "GET" | "POST", path: string, payload?: unknown, retried = false): Promise<unknown> {
    const bearer = await accessToken();
    const { status, body } = await send(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        accept: "application/json",
        ...(payload === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
    if (status === 401 && !retried) {
      token = null;
      return call(method, path, payload, true);
    }
    if (status >= 200 && status < 300) return body;
    const detail = typeof body === "object" && body ? JSON.stringify(body).slice(0, 300) : `status ${status}`;
    if (status === 401 || status === 403) throw new PrintVendorError("unauthorized", "The printer refused our token.");
    if (status === 404) throw new PrintVendorError("not_found", "The printer has no such print job.");
    if (status === 400 || status === 422) throw new PrintVendorError("rejected", `The printer refused the request: ${detail}`);
    // 503 and 429 say the request was turned away; any other failure status may come after the work was done.
    throw new PrintVendorError("unavailable", `The printer answered ${status}.`, status !== 503 && status !== 429);
  }

  function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new PrintVendorError("invalid_response", `The printer's ${what} answer has an unexpected shape.`);
    return parsed.data;
  }

  return {
    async costCalculation(query) {
      const cost = parse(costAnswer, await call("POST", "/print-job-cost-calculations/", query), "cost");
      return { currency: cost.currency, totalExclTax: cost.total_cost_excl_tax, totalInclTax: cost.total_cost_incl_tax };
    },
    async createPrintJob(job) {
      const body = {
        external_id: job.external_id,
        contact_email: job.contact_email,
        shipping_level: job.shipping_level,
        shipping_address: job.shipping_address,
        line_items: job.line_items.map((item) => ({
          external_id: item.external_id,
          title: item.title,
          quantity: item.quantity,
          page_count: item.page_count,
          printable_normalization: {
            pod_package_id: item.pod_package_id,
            interior: { source_url: item.interior_url },
            cover: { source_url: item.cover_url },
          },
        })),
      };
      return stateOf(parse(jobAnswer, await call("POST", "/print-jobs/", body), "print job"));
    },
    async getPrintJob(id) {
      return stateOf(parse(jobAnswer, await call("GET", `/print-jobs/${encodeURIComponent(id)}/`), "print job"));
    },
    async getStatus(id) {
      const s = parse(statusAnswer, await call("GET", `/print-jobs/${encodeURIComponent(id)}/status/`), "status");
      return { status: s.name, message: messageOf(s.messages) };
    },
  };
}
