import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAiProvider } from "./ai.config.ts";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "./testing/index.ts";
import { checkBaseUrl, runWithCallerAi, userConnectionsOf } from "./user-connection.ts";

let server: OpenAiCompatibleServer;
beforeAll(async () => {
  server = await startOpenAiCompatibleServer();
});
afterAll(() => server.stop());

describe("users' own AI connections", () => {
  it("route a call to the caller's provider only inside its metered context; embeddings stay on the server's", async () => {
    const ai = createAiProvider({ userConnections: { allowPrivateAddresses: true } });
    const connections = userConnectionsOf(ai)!;
    // Nothing bound yet (an app that never calls bindSavedAiConnections): everyone gets the server's provider.
    expect(await connections.providerFor("u1", "text")).toBeUndefined();
    let loads = 0;
    let key = "sk-user-1";
    connections.useSaved(async (userId) => {
      loads++;
      return userId === "u1" ? { text: { baseUrl: server.url, apiKey: key, model: "m1" } } : {};
    });
    const own = await connections.providerFor("u1", "text");
    // Read through: the saved rows are read on every call, the provider built from them is reused while they are the same.
    expect(await connections.providerFor("u1", "text")).toBe(own);
    expect(loads).toBe(2);
    expect(await connections.providerFor("u2", "text")).toBeUndefined();
    // A text connection is not an image key: image generations stay on the server's provider.
    expect(await connections.providerFor("u1", "image")).toBeUndefined();
    expect([...(await connections.usesOf("u1"))]).toEqual(["text"]);

    const hello = { messages: [{ role: "user" as const, content: "hi" }] };
    expect((await ai.chat(hello)).model).toMatch(/offline/);
    await runWithCallerAi(own, async () => {
      expect(ai.offline).toBe(false);
      const r = await ai.chat(hello);
      expect(r.text).toBe("You said: hi");
      expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer sk-user-1");
      const before = server.requests.length;
      expect((await ai.embed(["x"])).model).toMatch(/offline/);
      expect(server.requests.length).toBe(before);
    });
    expect(ai.offline).toBe(true);

    // A key saved elsewhere (another process) is used on the very next call: nothing to invalidate.
    key = "sk-user-1-new";
    const renewed = await connections.providerFor("u1", "text");
    expect(renewed).not.toBe(own);
    await runWithCallerAi(renewed, () => ai.chat(hello));
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer sk-user-1-new");

    // No own provider means the server's, even where another caller's scope is in effect (work started
    // from inside one user's metered call, e.g. a callback or a nested metered call for someone else):
    // that call must neither go out on the first user's key nor see their model.
    const before = server.requests.length;
    await runWithCallerAi(renewed, async () => {
      const theirs = await runWithCallerAi(undefined, async () => ({ offline: ai.offline, reply: await ai.chat(hello) }));
      expect(theirs.offline).toBe(true);
      expect(theirs.reply.model).toMatch(/offline/);
    });
    expect(server.requests.length).toBe(before);
  });

  it("accept https anywhere and plain http only when private addresses are allowed", () => {
    expect(checkBaseUrl("https://api.openai.com/v1", { allowPrivateAddresses: false }).host).toBe("api.openai.com");
    expect(() => checkBaseUrl("http://127.0.0.1:11434/v1", { allowPrivateAddresses: false })).toThrow(/https/);
    expect(checkBaseUrl("http://127.0.0.1:11434/v1", { allowPrivateAddresses: true }).port).toBe("11434");
    expect(() => checkBaseUrl("https://user:pw@example.com/v1", { allowPrivateAddresses: true })).toThrow(/key field/);
  });

  it("test connection refuses a private address outside development", async () => {
    const ai = createAiProvider();
    await expect(userConnectionsOf(ai)!.test({ baseUrl: "https://127.0.0.1:9/v1", apiKey: "sk-x", model: null })).rejects.toThrow(
      /private network/,
    );
  });
});
