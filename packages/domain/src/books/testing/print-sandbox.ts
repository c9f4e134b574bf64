/**
 * A local stand-in for the print vendor (Lulu's Print API, the `print-vendor` adapter's shape), so
 * `pnpm dev` and the tests order books over real HTTP without the network. Nothing is printed or shipped;
 * the web labels orders sent here as sandbox orders. One server on 127.0.0.1:
 *
 *   POST /auth/realms/glasstree/protocol/openid-connect/token  client credentials (Basic key:secret) → a bearer token
 *   POST /print-job-cost-calculations/                          a cost from a small price list
 *   POST /print-jobs/                                           a job, checked like Lulu checks it (line items with
 *                                                                interior and cover URLs, a full address, a level)
 *   GET  /print-jobs/{id}/   GET /print-jobs/{id}/status/        the job as it stands now
 *   GET  /sandbox/track/{tracking}                              a tracking page (labelled sandbox)
 *
 * A job advances on its own: CREATED → PRODUCTION_READY → IN_PRODUCTION → SHIPPED (carrier, tracking number
 * and URL) → DELIVERED, one step each `stepMs` after it was created (the dev default is 15 s; tests pass a
 * few ms, or `stepMs: 0` and `advance` by hand). `reject` turns a job down; `failNext` answers the next
 * calls with an error status. With `checkFiles`, each new job's interior and cover URLs are fetched and
 * must be PDFs, or the job is REJECTED as Lulu rejects unreadable files.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

const STEPS = ["CREATED", "PRODUCTION_READY", "IN_PRODUCTION", "SHIPPED", "DELIVERED"] as const;
type SandboxStatus = (typeof STEPS)[number] | "REJECTED" | "CANCELED";

export interface SandboxPrintJob {
  id: number;
  externalId: string;
  createdAt: number;
  /** Steps moved by hand (`advance`), on top of those elapsed. */
  manualSteps: number;
  rejected: string | null;
  shippingLevel: string;
  lineItems: {
    title: string;
    quantity: number;
    pageCount: number;
    podPackageId: string;
    interiorUrl: string;
    coverUrl: string;
  }[];
  address: Record<string, unknown>;
  trackingId: string;
}

export interface PrintSandbox {
  url: string;
  clientKey: string;
  clientSecret: string;
  jobs: Map<number, SandboxPrintJob>;
  requests: { method: string; path: string }[];
  statusOf(id: number): SandboxStatus;
  /** Moves a job one step on (or `steps`). */
  advance(id: number, steps?: number): void;
  reject(id: number, message: string): void;
  setStepMs(ms: number): void;
  failNext(count: number, status?: number): void;
  /** The next `count` print jobs are created but answered with `status` (a gateway error after the printer took the job). */
  failAfterCreate(count: number, status?: number): void;
  stop(): Promise<void>;
}

export interface PrintSandboxOptions {
  port?: number;
  /** Time between steps; 0 = jobs move only by `advance`. */
  stepMs?: number;
  checkFiles?: boolean;
  clientKey?: string;
  clientSecret?: string;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 256 * 1024) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" && v.trim() ? v : null);

function cost(lineItems: { page_count: number; quantity: number }[], level: string) {
  const print = lineItems.reduce((sum, i) => sum + (2.5 + 0.02 * i.page_count) * i.quantity, 0);
  const shipping = ({ MAIL: 4, EXPEDITED: 9, EXPRESS: 18 } as Record<string, number>)[level] ?? 6;
  const excl = print + shipping;
  return { excl: excl.toFixed(2), incl: (excl * 1.08).toFixed(2) };
}

export async function startPrintSandbox(options: PrintSandboxOptions = {}): Promise<PrintSandbox> {
  const clientKey = options.clientKey ?? "sandbox-key";
  const clientSecret = options.clientSecret ?? "sandbox-secret";
  let stepMs = options.stepMs ?? 15_000;
  const tokens = new Set<string>();
  const jobs = new Map<number, SandboxPrintJob>();
  const requests: { method: string; path: string }[] = [];
  let failures = 0;
  let failStatus = 503;
  let createdButFailed = 0;
  let createdFailStatus = 502;
  let nextId = 1000 + Math.floor(Math.random() * 1000);
  let url = "";

  function statusOf(id: number): SandboxStatus {
    const job = jobs.get(id);
    if (!job) throw new Error(`no sandbox print job ${id}`);
    if (job.rejected) return "REJECTED";
    const elapsed = stepMs > 0 ? Math.floor((Date.now() - job.createdAt) / stepMs) : 0;
    return STEPS[Math.min(STEPS.length - 1, elapsed + job.manualSteps)] ?? "CREATED";
  }

  function view(job: SandboxPrintJob) {
    const status = statusOf(job.id);
    const shipped = status === "SHIPPED" || status === "DELIVERED";
    const arrival = new Date(job.createdAt + 7 * 86_400_000).toISOString().slice(0, 10);
    return {
      id: job.id,
      external_id: job.externalId,
      status: {
        name: status,
        messages: job.rejected
          ? { error: job.rejected }
          : status === "SHIPPED"
            ? { info: "Sandbox: handed to Sandbox Post" }
            : {},
        changed: new Date().toISOString(),
      },
      estimated_shipping_dates: { arrival_min: arrival, arrival_max: arrival },
      shipping_level: job.shippingLevel,
      shipping_address: job.address,
      line_items: job.lineItems.map((item, n) => ({
        id: job.id * 10 + n,
        title: item.title,
        quantity: item.quantity,
        status: { name: status },
        tracking_id: shipped ? job.trackingId : null,
        tracking_urls: shipped ? [`${url}/sandbox/track/${job.trackingId}`] : [],
        carrier_name: shipped ? "Sandbox Post" : null,
      })),
    };
  }

  async function checkPdf(source: string): Promise<boolean> {
    try {
      const res = await fetch(source, { signal: AbortSignal.timeout(10_000) });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return res.ok && Buffer.from(bytes.slice(0, 5)).toString("latin1") === "%PDF-";
    } catch {
      return false;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    requests.push({ method, path });

    const track = /^\/sandbox\/track\/([A-Z0-9]+)$/.exec(path);
    if (method === "GET" && track) {
      const job = [...jobs.values()].find((j) => j.trackingId === track[1]);
      res.writeHead(job ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><title>Sandbox tracking</title><h1>Sandbox Post (a stand-in carrier)</h1>` +
          (job
            ? `<p>Parcel ${job.trackingId}: ${statusOf(job.id) === "DELIVERED" ? "delivered" : "in transit"}.</p>`
            : "<p>Unknown parcel.</p>"),
      );
      return;
    }

    if (failures > 0) {
      failures--;
      json(res, failStatus, { detail: "Sandbox printer: failing on purpose" });
      return;
    }

    if (method === "POST" && path === "/auth/realms/glasstree/protocol/openid-connect/token") {
      const body = await readBody(req);
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const [key, secret] = Buffer.from(basic ?? "", "base64")
        .toString("utf8")
        .split(":");
      if (!new URLSearchParams(body).get("grant_type")?.includes("client_credentials")) {
        json(res, 400, { error: "unsupported_grant_type" });
        return;
      }
      if (key !== clientKey || secret !== clientSecret) {
        json(res, 401, { error: "invalid_client" });
        return;
      }
      const token = randomBytes(24).toString("base64url");
      tokens.add(token);
      json(res, 200, { access_token: token, expires_in: 3600, token_type: "Bearer" });
      return;
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!bearer || !tokens.has(bearer)) {
      json(res, 401, { detail: "Authentication credentials were not provided or are invalid." });
      return;
    }

    if (method === "POST" && path === "/print-job-cost-calculations/") {
      const body: unknown = JSON.parse((await readBody(req)) || "null");
      if (!isRecord(body) || !Array.isArray(body.line_items) || !str(body.shipping_option)) {
        json(res, 400, { line_items: ["This field is required."] });
        return;
      }
      const items = body.line_items
        .filter(isRecord)
        .map((i) => ({ page_count: Number(i.page_count), quantity: Number(i.quantity) }));
      const c = cost(items, String(body.shipping_option));
      json(res, 201, { currency: "USD", total_cost_excl_tax: c.excl, total_cost_incl_tax: c.incl, total_tax: "0.00" });
      return;
    }

    if (method === "POST" && path === "/print-jobs/") {
      const body: unknown = JSON.parse((await readBody(req)) || "null");
      const errors: Record<string, string[]> = {};
      if (!isRecord(body)) {
        json(res, 400, { detail: "JSON object expected" });
        return;
      }
      const address = isRecord(body.shipping_address) ? body.shipping_address : {};
      for (const field of ["name", "street1", "city", "postcode", "country_code", "phone_number"])
        if (!str(address[field])) errors[`shipping_address.${field}`] = ["This field is required."];
      if (!str(body.shipping_level)) errors.shipping_level = ["This field is required."];
      if (!str(body.contact_email)) errors.contact_email = ["This field is required."];
      const lineItems: SandboxPrintJob["lineItems"] = [];
      for (const raw of Array.isArray(body.line_items) ? body.line_items : []) {
        const printable = isRecord(raw) && isRecord(raw.printable_normalization) ? raw.printable_normalization : {};
        const interior = isRecord(printable.interior) ? str(printable.interior.source_url) : null;
        const cover = isRecord(printable.cover) ? str(printable.cover.source_url) : null;
        if (!isRecord(raw) || !interior || !cover || !str(printable.pod_package_id)) {
          errors.line_items = ["Each line item needs a pod_package_id and interior and cover source URLs."];
          continue;
        }
        lineItems.push({
          title: String(raw.title ?? ""),
          quantity: Number(raw.quantity ?? 1),
          pageCount: Number(raw.page_count ?? 0),
          podPackageId: String(printable.pod_package_id),
          interiorUrl: interior,
          coverUrl: cover,
        });
      }
      if (!lineItems.length) errors.line_items ??= ["At least one line item is required."];
      if (Object.keys(errors).length) {
        json(res, 400, errors);
        return;
      }
      const id = nextId++;
      const job: SandboxPrintJob = {
        id,
        externalId: String(body.external_id ?? ""),
        createdAt: Date.now(),
        manualSteps: 0,
        rejected: null,
        shippingLevel: String(body.shipping_level),
        lineItems,
        address,
        trackingId: `SBX${randomBytes(5).toString("hex").toUpperCase()}`,
      };
      jobs.set(id, job);
      if (options.checkFiles) {
        for (const item of lineItems) {
          if (!(await checkPdf(item.interiorUrl)) || !(await checkPdf(item.coverUrl))) {
            job.rejected = "The interior or cover file could not be downloaded as a PDF.";
            break;
          }
        }
      }
      if (createdButFailed > 0) {
        createdButFailed--;
        json(res, createdFailStatus, { detail: "Sandbox printer: the job was created, the answer lost on purpose" });
        return;
      }
      json(res, 201, view(job));
      return;
    }

    const jobPath = /^\/print-jobs\/(\d+)\/(status\/)?$/.exec(path);
    if (method === "GET" && jobPath) {
      const job = jobs.get(Number(jobPath[1]));
      if (!job) {
        json(res, 404, { detail: "Not found." });
        return;
      }
      json(res, 200, jobPath[2] ? view(job).status : view(job));
      return;
    }
    json(res, 404, { detail: "Not found." });
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) json(res, 400, { detail: "Bad request" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  return {
    url,
    clientKey,
    clientSecret,
    jobs,
    requests,
    statusOf,
    advance(id, steps = 1) {
      const job = jobs.get(id);
      if (!job) throw new Error(`no sandbox print job ${id}`);
      job.manualSteps += steps;
    },
    reject(id, message) {
      const job = jobs.get(id);
      if (!job) throw new Error(`no sandbox print job ${id}`);
      job.rejected = message;
    },
    setStepMs(ms) {
      stepMs = ms;
    },
    failNext(count, status = 503) {
      failures = count;
      failStatus = status;
    },
    failAfterCreate(count, status = 502) {
      createdButFailed = count;
      createdFailStatus = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
