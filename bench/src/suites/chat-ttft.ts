/**
 * chat-ttft: time to first token as the user sees it, next to the provider's own time to first token,
 * in the same run. The provider is the local OpenAI-compatible server with a fixed first-token delay,
 * so the difference between the two is what our path adds.
 *
 *   provider  POST /v1/chat/completions (stream: true) straight to the local server; TTFT = request
 *             start → first SSE chunk with content (the floor)
 *   client    over HTTP through the real API (AI_PROVIDER=openai → that server): POST /trpc/chat.send
 *             into a fresh conversation, then GET /trpc/chat.stream (SSE); TTFT = send start → first
 *             delta event
 *
 * Both read their reply to the end before the client's next request (so replies never pile up in the
 * background); only the time to the first token is recorded. Conversations are created before the
 * clock starts. Every request is bounded by a timeout.
 */
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { type Sample, timedLoop } from "../lib/load.ts";
import { planFor, type RatioSpec, ratios, runInterleaved, type Variant } from "../lib/runner.ts";
import type { BenchUser } from "../lib/stack.ts";
import { percentile } from "../lib/stats.ts";
import type { Suite } from "../lib/suite.ts";
import { ms } from "../lib/table.ts";

const FIRST_TOKEN_DELAY_MS = 150;
const TOKEN_DELAY_MS = 5;
/** 9 tokens (words): the whole reply takes ~FIRST + 8 × TOKEN ms at the provider. */
const REPLY = "Photosynthesis turns light, water and carbon dioxide into sugar.";
const CONCURRENCY = 4;
const MIN_USERS = 40;
/** Sends per user per minute we allow ourselves (the API's limit is 30/min per user). */
const SENDS_PER_USER_PER_MINUTE = 25;
const OP_TIMEOUT_MS = 10_000;

const RATIOS: RatioSpec[] = [
  { name: "client/provider", a: "client", b: "provider", note: "TTFT through our path over the provider's own TTFT" },
];

type Event = { type: "delta"; offset: number; text: string } | { type: "final"; status: string; error: string | null };

/** Reads an SSE body, calling onData with each `data:` payload; stops when onData returns true. */
async function readSse(body: ReadableStream<Uint8Array>, onData: (data: string) => boolean): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (data && onData(data)) return;
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

export const chatTtft: Suite = {
  name: "chat-ttft",
  description: `chat time to first token: client (send + SSE through the API) vs the provider itself (${FIRST_TOKEN_DELAY_MS} ms first-token delay)`,
  async run(ctx) {
    const stack = await ctx.stack();
    const budgetStart = performance.now();
    const budget = ctx.budgetMs();
    const sandboxStarted = performance.now();
    const provider: OpenAiCompatibleServer = await startOpenAiCompatibleServer();
    try {
      provider.setFirstTokenDelayMs(FIRST_TOKEN_DELAY_MS);
      provider.setTokenDelayMs(TOKEN_DELAY_MS);
      provider.setReply(REPLY);
      const api = await stack.startApi({ AI_PROVIDER: "openai", OPENAI_BASE_URL: provider.url, OPENAI_API_KEY: "bench" });
      ctx.log(`api with AI_PROVIDER=openai: ${api.origin} → ${provider.url}`);
      const users = await stack.signUp(Math.max(ctx.users, MIN_USERS), "chat-ttft");
      const runId = Date.now().toString(36);

      const post = async (path: string, user: BenchUser, ip: string, input: unknown, signal: AbortSignal) => {
        const res = await fetch(`${api.origin}/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${user.token}`, "x-forwarded-for": ip },
          body: JSON.stringify(input),
          signal,
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
        return (JSON.parse(text) as { result: { data: unknown } }).result.data;
      };

      /** Per client op: send start → provider got the request, and send start → first delta. */
      const splits: { toProvider: number; ttft: number }[] = [];
      const findProviderArrival = (content: string): number | undefined => {
        for (let i = provider.requests.length - 1; i >= 0; i--) {
          const r = provider.requests[i];
          const body = r?.body as { messages?: { role: string; content: unknown }[] } | undefined;
          if (r?.path.endsWith("/chat/completions") && body?.messages?.some((m) => m.content === content)) return r.at;
        }
        return undefined;
      };

      const clientOnce = async (seq: number): Promise<number> => {
        const user = users[seq % users.length] as BenchUser;
        const ip = `10.88.${Math.floor((seq % users.length) / 250)}.${(seq % users.length) % 250}`;
        const signal = AbortSignal.timeout(OP_TIMEOUT_MS);
        const conversation = (await post("chat.create", user, ip, { assistant: "companion" }, signal)) as { id: string };
        const content = `ttft ${runId} ${seq}: explain photosynthesis`;
        const t0 = performance.now();
        const sent = (await post(
          "chat.send",
          user,
          ip,
          { conversationId: conversation.id, content, idempotencyKey: `ttft-${runId}-${seq}` },
          signal,
        )) as { assistantMessage: { id: string } };
        const input = encodeURIComponent(JSON.stringify({ messageId: sent.assistantMessage.id }));
        const res = await fetch(`${api.origin}/trpc/chat.stream?input=${input}`, {
          headers: { authorization: `Bearer ${user.token}`, "x-forwarded-for": ip, accept: "text/event-stream" },
          signal,
        });
        if (!res.ok || !res.body) throw new Error(`chat.stream: HTTP ${res.status}`);
        let ttft: number | undefined;
        let final: Extract<Event, { type: "final" }> | undefined;
        await readSse(res.body, (data) => {
          if (!data.startsWith("{")) return false;
          const event = JSON.parse(data) as Partial<Event>;
          if (event.type === "delta" && event.text && ttft === undefined) ttft = performance.now() - t0;
          if (event.type === "final") final = event as Extract<Event, { type: "final" }>;
          return final !== undefined;
        });
        if (ttft === undefined) throw new Error(`no delta before the stream ended (final: ${JSON.stringify(final)})`);
        if (final?.status !== "complete") throw new Error(`reply ended ${final?.status ?? "without a final event"}`);
        const arrival = findProviderArrival(content);
        if (arrival !== undefined && (raw.get("client")?.length ?? 0) > 0) {
          splits.push({ toProvider: sandboxStarted + arrival - t0, ttft });
        }
        return ttft;
      };

      const providerOnce = async (seq: number): Promise<number> => {
        const signal = AbortSignal.timeout(OP_TIMEOUT_MS);
        const t0 = performance.now();
        const res = await fetch(`${provider.url}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer bench" },
          body: JSON.stringify({
            model: "bench",
            stream: true,
            messages: [{ role: "user", content: `provider ${runId} ${seq}` }],
          }),
          signal,
        });
        if (!res.ok || !res.body) throw new Error(`provider: HTTP ${res.status}`);
        let ttft: number | undefined;
        let done = false;
        await readSse(res.body, (data) => {
          if (data === "[DONE]") {
            done = true;
            return true;
          }
          const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
          if (ttft === undefined && chunk.choices?.[0]?.delta?.content) ttft = performance.now() - t0;
          return false;
        });
        if (ttft === undefined || !done) throw new Error("provider stream ended without content or [DONE]");
        return ttft;
      };

      // Raw TTFTs per run (p95 needs them; the runner keeps p50/p90/p99); run 0 is the discarded warm-up.
      const raw = new Map<string, Float64Array[]>([
        ["provider", []],
        ["client", []],
      ]);
      // The loops' own seq restarts each run; ours keeps counting so users and keys never repeat.
      let clientSeq = 0;
      let providerSeq = 0;
      const recorded = (name: string, sample: Promise<Sample>) =>
        sample.then((s) => {
          raw.get(name)?.push(s.latencies);
          return s;
        });
      const variants: Variant[] = [
        {
          name: "provider",
          description: "local OpenAI-compatible server directly: POST, first content chunk",
          run: (l) =>
            recorded(
              "provider",
              timedLoop(l, () => providerOnce(providerSeq++)),
            ),
        },
        {
          name: "client",
          description: "chat.send then chat.stream SSE through the API: first delta",
          run: (l) =>
            recorded(
              "client",
              timedLoop(l, () => clientOnce(clientSeq++)),
            ),
        },
      ];

      const count = ctx.only ? variants.filter((v) => ctx.only?.includes(v.name)).length : variants.length;
      const remaining = Math.max(1_000, budget - (performance.now() - budgetStart));
      const plan = planFor(remaining, Math.max(1, count), {
        concurrency: CONCURRENCY,
        roundMs: ctx.roundMs,
        maxOpsPerRound: ctx.maxOpsPerRound,
      });
      // Stay under the per-user chat rate limit (a sliding minute): cap the sends of every run.
      const minutes = Math.max(1, Math.ceil(remaining / 60_000));
      const sendCap = users.length * SENDS_PER_USER_PER_MINUTE * minutes;
      plan.maxOpsPerRound = Math.max(1, Math.min(plan.maxOpsPerRound, Math.floor(sendCap / (plan.rounds + 1))));
      const results = await runInterleaved(variants, plan, { ...ctx, meters: stack.meters });

      const quantiles = (values: number[]) => {
        const sorted = Float64Array.from(values).sort();
        return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
      };
      const notes: string[] = [];
      const measured = (name: string) => (raw.get(name) ?? []).slice(1).flatMap((a) => [...a]);
      const p = measured("provider");
      const c = measured("client");
      const pq = p.length ? quantiles(p) : undefined;
      const cq = c.length ? quantiles(c) : undefined;
      if (pq) notes.push(`provider TTFT: p50 ${ms(pq.p50)} ms, p95 ${ms(pq.p95)} ms (n=${pq.n})`);
      if (cq) notes.push(`client TTFT:   p50 ${ms(cq.p50)} ms, p95 ${ms(cq.p95)} ms (n=${cq.n})`);
      if (pq && cq) {
        notes.push(
          `overhead client/provider: p50 ${(cq.p50 / pq.p50).toFixed(2)}× (+${ms(cq.p50 - pq.p50)} ms), p95 ${(cq.p95 / pq.p95).toFixed(2)}× (+${ms(cq.p95 - pq.p95)} ms)`,
        );
      }
      if (splits.length > 0 && pq) {
        const before = quantiles(splits.map((s) => s.toProvider));
        const after = quantiles(splits.map((s) => s.ttft - s.toProvider - pq.p50));
        notes.push(
          `client split (n=${splits.length}): send start → provider has the request p50 ${ms(before.p50)} ms (p95 ${ms(before.p95)}); ` +
            `provider's first token → client's first delta ≈ p50 ${ms(after.p50)} ms (p95 ${ms(after.p95)}) (client TTFT − arrival − provider p50)`,
        );
      }
      const routes = new Map<string, number>();
      for (const r of provider.requests) routes.set(r.path, (routes.get(r.path) ?? 0) + 1);
      notes.push(
        `provider: first-token delay ${FIRST_TOKEN_DELAY_MS} ms, ${TOKEN_DELAY_MS} ms per further token, ${REPLY.split(" ").length}-token reply; requests seen: ${[...routes].map(([k, v]) => `${k} ${v}`).join(", ")}`,
        `${CONCURRENCY} concurrent clients, fetch (undici) from this process for both variants; ${users.length} users (companion assistant, a fresh conversation per send, created before the clock starts), at most ${plan.maxOpsPerRound} sends per run (per-user limit 30/min).`,
        "req/s here is replies completed per second (each client reads its whole reply before the next); latency columns are TTFT.",
      );
      return {
        suite: this.name,
        description: this.description,
        plan,
        variants: results,
        ratios: ratios(results, RATIOS),
        notes,
      };
    } finally {
      await provider.stop();
    }
  },
};
