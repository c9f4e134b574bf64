/**
 * The HTTP load loop: keep-alive `node:http` requests (lighter than fetch) against one origin,
 * cycling through prepared requests (e.g. one per user token). Any status but the expected one counts
 * as an error; bodies are read to the end and discarded.
 */
import http from "node:http";
import { closedLoop, type Limits, type Sample } from "./load.ts";

export interface HttpRequestSpec {
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpTarget {
  /** http://127.0.0.1:port */
  origin: string;
  method?: "GET" | "POST";
  requests: HttpRequestSpec[];
  expectStatus?: number;
}

/**
 * A request unanswered for this long fails (an error in its sample) rather than holding its round,
 * and with it the run, until the bench's last-resort exit.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

const agents = new Map<string, http.Agent>();

/** One keep-alive agent per origin, kept across runs so rounds reuse warm connections. */
function agentFor(origin: string): http.Agent {
  let agent = agents.get(origin);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, scheduling: "lifo" });
    agents.set(origin, agent);
  }
  return agent;
}

export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

function once(url: URL, method: string, spec: HttpRequestSpec, agent: http.Agent, expect: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: spec.path, headers: spec.headers, agent },
      (res) => {
        res.on("data", () => {});
        res.on("end", () =>
          res.statusCode === expect ? resolve() : reject(new Error(`HTTP ${res.statusCode} for ${spec.path}`)),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms for ${spec.path}`)));
    req.end(spec.body);
  });
}

export function httpLoop(target: HttpTarget, limits: Limits): Promise<Sample> {
  const url = new URL(target.origin);
  const agent = agentFor(target.origin);
  const method = target.method ?? "GET";
  const expect = target.expectStatus ?? 200;
  const n = target.requests.length;
  if (n === 0) throw new Error("httpLoop: no requests");
  return closedLoop(limits, (_client, seq) => once(url, method, target.requests[seq % n] as HttpRequestSpec, agent, expect));
}
