/**
 * The per-process cap and the shared host slots together (posts.publisher.throttle.ts `limited`): a host
 * whose slots are all taken elsewhere must not fill this process's request slots with its waiters, or
 * requests to every other host wait behind them while those hosts are idle. One slots instance (no
 * probe), so it runs on the embedded database as well: a process never counts its own slot twice.
 */
import net from "node:net";
import pg from "pg";
import { afterAll, expect, inject, it } from "vitest";
import type { PublishingRuntime } from "../platforms/index.ts";
import { DEFAULT_PUBLISHER_CONFIG, type PublisherDeps } from "./posts.publisher.config.ts";
import { createHostSlots, type HostSlots, shareHostSlots } from "./posts.publisher.slots.ts";
import { limited } from "./posts.publisher.throttle.ts";

const url = inject("databaseUrl");
const native = Boolean(process.env.DATABASE_URL);
const closing: HostSlots[] = [];
afterAll(async () => {
  for (const s of closing) await s.close();
});

async function setUp(perHost: number, maxInFlight: number) {
  const slots = await createHostSlots({ url, perHost, pollMs: 10 });
  closing.push(slots);
  const publishing = {} as PublishingRuntime; // only the key the throttle keeps its state under
  shareHostSlots(publishing, slots);
  const deps = { publishing } as PublisherDeps;
  const config = { ...DEFAULT_PUBLISHER_CONFIG, maxInFlight };
  let inFlight = 0;
  let peak = 0;
  const run = (host: string, ms = 0) =>
    limited(deps, config, host, async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return host;
    });
  return { slots, run, peak: () => peak };
}

const stalled = (ms: number) => new Promise<string>((r) => setTimeout(() => r("stalled"), ms));

it("requests to a full host wait without taking this process's request slots from other hosts", async () => {
  const busy = `busy-${Date.now()}.example.test`;
  const idle = `idle-${Date.now()}.example.test`;
  const { slots, run, peak } = await setUp(2, 2);
  // Both of the busy host's slots are taken (by "another process": outside the throttle).
  const taken = await Promise.all([slots.acquire(busy), slots.acquire(busy)]);
  const waiting = [run(busy), run(busy), run(busy)];
  await new Promise((r) => setTimeout(r, 100));
  // Before: the busy host's waiters held both request slots, and this waited until the busy host freed.
  expect(await Promise.race([run(idle), stalled(3_000)])).toBe(idle);
  expect(await Promise.race([Promise.all([run(idle, 20), run(idle, 20), run(idle, 20)]), stalled(3_000)])).toEqual([
    idle,
    idle,
    idle,
  ]);
  for (const release of taken) release();
  expect(await Promise.all(waiting)).toEqual([busy, busy, busy]);
  expect(peak()).toBeLessThanOrEqual(2); // the per-process cap still holds
});

it("a process whose request slots are all busy takes no host slots it cannot use yet", async () => {
  const a = `a-${Date.now()}.example.test`;
  const b = `b-${Date.now()}.example.test`;
  const { slots, run, peak } = await setUp(4, 1);
  const long = run(b, 400);
  await new Promise((r) => setTimeout(r, 50));
  const queued = [run(a), run(a), run(a)];
  await new Promise((r) => setTimeout(r, 200));
  expect(slots.held(a)).toBe(0); // none sits idle while the only request slot is busy
  await long;
  expect(await Promise.all(queued)).toEqual([a, a, a]);
  expect(peak()).toBe(1);
});

/** A TCP relay to the database whose open connections can be made to go silent (a peer gone away). */
async function silenceableRelay() {
  const target = new URL(url);
  const open = new Set<{ silent: boolean; done: () => void }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const state = { silent: false, done: () => done() };
    open.add(state);
    client.on("data", (d) => void (state.silent || upstream.write(d)));
    upstream.on("data", (d) => void (state.silent || client.write(d)));
    const done = () => {
      client.destroy();
      upstream.destroy();
      open.delete(state);
    };
    for (const s of [client, upstream]) s.on("close", done).on("error", done);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const relayed = new URL(url);
  relayed.hostname = "127.0.0.1";
  relayed.port = String((server.address() as net.AddressInfo).port);
  return {
    url: relayed.toString(),
    silence: () => {
      for (const c of open) c.silent = true;
    },
    close: () =>
      new Promise((r) => {
        server.close(r);
        for (const c of open) c.done();
      }),
  };
}

it.skipIf(!native)(
  "a session that stops answering is ended: waiters get slots on a new one, and it leaves none taken",
  async () => {
    const host = `silent-${Date.now()}.example.test`;
    const relay = await silenceableRelay();
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    const taken = async () => {
      const { rows } = await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted
          AND classid = (hashtext('inkwell.publish-host:' || $1::text)::bigint & 4294967295)::oid`,
        [host],
      );
      return rows[0]?.n ?? 0;
    };
    const slots = await createHostSlots({ url: relay.url, perHost: 2, pollMs: 10, timeoutMs: 500 });
    closing.push(slots);
    try {
      const first = await slots.acquire(host);
      expect(await taken()).toBe(1);
      relay.silence(); // the session's socket stays open but nothing comes back (a failover, a dropped route)
      first(); // its free goes unanswered too
      // Before: no statement ever gave up, so this waited for as long as the silent socket lived.
      const next = await Promise.race([slots.acquire(host), stalled(5_000)]);
      expect(typeof next).toBe("function");
      expect(slots.held(host)).toBe(1);
      await expect.poll(taken, { timeout: 5_000 }).toBe(1); // the silent session's slot went with it
      (next as () => void)();
      await expect.poll(taken, { timeout: 5_000 }).toBe(0);
    } finally {
      await watcher.end();
      await relay.close();
    }
  },
);
