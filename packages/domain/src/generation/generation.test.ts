import { getEventListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { GenerationBus, REFETCH } from "./generation.bus.ts";
import { GenerationEngine, writeBehind } from "./generation.engine.ts";
import { follow } from "./generation.stream.ts";
import { cleanTitle, truncateGraphemes } from "./generation.titles.ts";

const log = { info() {}, warn() {}, error() {}, debug() {} } as never;

describe("write-behind", () => {
  it("writes batches in order by count and by time, and a failed batch does not stop the rest", async () => {
    const written: string[] = [];
    let fail = true;
    const w = writeBehind({
      flushMs: 50,
      flushDeltas: 3,
      log,
      key: "k",
      write: async (batch) => {
        await delay(batch === "abc" ? 20 : 1); // a slow first batch must still land first
        if (batch === "def" && fail) {
          fail = false;
          throw new Error("lost");
        }
        written.push(batch);
      },
    });
    for (const t of ["a", "b", "c", "d", "e", "f", "g"]) w.add(t);
    await delay(60);
    w.add("h"); // 60 ms since the last flush: written on its own count of one
    w.add("i");
    await w.drain();
    expect(written).toEqual(["abc", "gh", "i"]);
  });
});

describe("engine", () => {
  it("launch resolves once started, rejects a refusal before it and forgets the generation", async () => {
    const engine = new GenerationEngine(new GenerationBus());
    const refused = engine.begin("r", "g", "u", {});
    await expect(
      engine.launch(
        refused,
        async () => {
          throw new Error("no credits");
        },
        log,
      ),
    ).rejects.toThrow("no credits");
    expect(engine.get("r")).toBeUndefined();

    const running = engine.begin("s", "g", "u", {});
    let finish!: () => void;
    await engine.launch(
      running,
      async ({ started }) => {
        started();
        await new Promise<void>((r) => {
          finish = r;
        });
        engine.end(running);
      },
      log,
    );
    expect(engine.isGroupBusy("g")).toBe(true);
    finish();
    await engine.allDone();
    expect(engine.isGroupBusy("g")).toBe(false);
  });
});

describe("follow", () => {
  it("sends the snapshot, then bus events, re-reads on refetch, ends when done, and leaves no listener", async () => {
    const bus = new GenerationBus();
    let row = "ab";
    let reads = 0;
    const controller = new AbortController();
    const stream = follow<string>({
      bus,
      channel: "c",
      signal: controller.signal,
      read: async () => {
        reads++;
        return { events: [`row:${row}`], done: row.endsWith("!") };
      },
      receive: (e) => (e === REFETCH ? "refetch" : { events: [String(e)], done: e === "end" }),
      pollMs: () => 10_000,
    });
    const got: string[] = [];
    const consumed = (async () => {
      for await (const e of stream) {
        got.push(e);
        expect(getEventListeners(controller.signal, "abort").length).toBeLessThanOrEqual(1);
      }
    })();
    await delay(20);
    for (let i = 0; i < 50; i++) bus.publish("c", `d${i}`);
    row = "abc";
    bus.publish("c", REFETCH);
    bus.publish("c", "end");
    await consumed;
    expect(got).toEqual(["row:ab", ...Array.from({ length: 50 }, (_, i) => `d${i}`), "row:abc", "end"]);
    expect(reads).toBe(2);
    expect(getEventListeners(controller.signal, "abort").length).toBe(0);
  });

  it("ends at once when the subscriber leaves", async () => {
    const bus = new GenerationBus();
    const controller = new AbortController();
    const stream = follow<string>({
      bus,
      channel: "c",
      signal: controller.signal,
      read: async () => ({ events: ["x"], done: false }),
      receive: () => "refetch",
      pollMs: () => 10_000,
    });
    expect((await stream.next()).value).toBe("x");
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    expect((await stream.next()).done).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(getEventListeners(controller.signal, "abort").length).toBe(0);
  });
});

describe("titles", () => {
  it("never cuts an emoji and stays within 80 UTF-16 units", () => {
    expect(cleanTitle("🙂".repeat(100), "x", "Untitled")).toMatch(/^(?:🙂)+…$/u);
    expect(cleanTitle("🙂".repeat(100), "x", "Untitled").length).toBeLessThanOrEqual(80);
    expect(truncateGraphemes(`${"b".repeat(72)}🇬🇧🇫🇷 tail`, 75)).toBe(`${"b".repeat(72)}🇬🇧…`);
    expect(cleanTitle("", "", "Untitled")).toBe("Untitled");
  });
});
