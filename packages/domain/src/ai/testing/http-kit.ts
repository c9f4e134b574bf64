/**
 * What both sandbox servers share: loopback listening, a request log, and injected faults (fail the
 * next n requests with a status and Retry-After, or never answer them) consumed in order.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or a summary for multipart uploads. */
  body: unknown;
  /** Milliseconds since the server started. */
  at: number;
  /** "aborted": the client went away before the reply was complete (a cancelled or timed-out stream). */
  outcome: "pending" | "ok" | "failed" | "hung" | "aborted";
}

export interface FailOptions {
  status: number;
  retryAfterSeconds?: number;
  retryAfterMs?: number;
  message?: string;
}

type Fault = ({ kind: "fail" } & FailOptions) | { kind: "hang" };

export interface Sandbox {
  url: string;
  requests: RecordedRequest[];
  /** The next n requests (any route) answer with this status. */
  failNext(n: number, options: FailOptions): void;
  /** The next n requests are accepted and never answered: the client's timeout has to end them. */
  hangNext(n: number): void;
  stop(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, record: RecordedRequest, raw: Buffer) => Promise<void>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSandbox(handle: Handler, urlSuffix = ""): Promise<Sandbox & { server: Server }> {
  const started = performance.now();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const isJson = (req.headers["content-type"] ?? "").includes("json");
      const record: RecordedRequest = {
        method: req.method ?? "GET",
        path: (req.url ?? "/").split("?")[0] as string,
        headers: req.headers,
        body: isJson && raw.length ? JSON.parse(raw.toString("utf8")) : undefined,
        at: Math.round(performance.now() - started),
        outcome: "pending",
      };
      requests.push(record);
      res.on("close", () => {
        if (record.outcome === "pending") record.outcome = res.writableFinished ? "ok" : "aborted";
      });
      const fault = faults.shift();
      if (fault?.kind === "hang") {
        record.outcome = "hung";
        return;
      }
      if (fault) {
        record.outcome = "failed";
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
        if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
        const message = fault.message ?? `injected failure (${fault.status})`;
        return sendJson(res, fault.status, { error: { message, type: "sandbox_error", code: null } }, headers);
      }
      await handle(req, res, record, raw);
    })().catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `sandbox bug: ${error.message}` } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    server,
    url: `http://127.0.0.1:${port}${urlSuffix}`,
    requests,
    failNext(n, options) {
      for (let i = 0; i < n; i++) faults.push({ kind: "fail", ...options });
    },
    hangNext(n) {
      for (let i = 0; i < n; i++) faults.push({ kind: "hang" });
    },
    stop: () =>
      new Promise((resolve) => {
        // Hung and streaming requests would keep close() waiting forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
