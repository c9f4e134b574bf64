/** Worker-thread entry: runs HTTP load off the main thread, which serves the requests. */
import { parentPort } from "node:worker_threads";
import { closeAgents, type HttpTarget, httpLoop } from "./http-client.ts";
import type { Limits } from "./load.ts";

type Message = { type: "run"; id: number; target: HttpTarget; limits: Limits } | { type: "close" };

const port = parentPort;
if (!port) throw new Error("http-worker must run in a worker thread");

port.on("message", (message: Message) => {
  if (message.type === "close") {
    closeAgents();
    port.close();
    return;
  }
  httpLoop(message.target, message.limits).then(
    (sample) => port.postMessage({ id: message.id, sample }, [sample.latencies.buffer as ArrayBuffer]),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
