/**
 * The AI follow-up question, against the local OpenAI-compatible server: an owner gets a question
 * suggested from the story (the story's text is what the model is sent), metered (credits charged,
 * a generation in the history); a reply that never parses fails without a charge; only owners may ask;
 * asking puts the question first in the campaign's queue. The offline provider's suggestion is flagged
 * as a placeholder.
 */
import { randomUUID } from "node:crypto";
import { createAiProvider } from "@inkwell/domain/ai";
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from "@inkwell/domain/ai/testing";
import { followUp } from "@inkwell/domain/stories";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";

let server: OpenAiCompatibleServer;
let h: Harness;
type User = Awaited<ReturnType<Harness["signUp"]>>;
let owner: User;
let contributor: User;
let campaignId: string;
let storyId: string;

const STORY = "Every summer we took the night train to Kraków to see Babcia Zofia, who kept bees behind the house.";

beforeAll(async () => {
  server = await startOpenAiCompatibleServer();
  h = await startHarness({
    ai: createAiProvider({
      provider: "openai",
      openai: { baseUrl: server.url, apiKey: "sk-test", chatModel: "story-model", maxRetries: 0 },
    }),
  });
  [owner, contributor] = [await h.signUp("followup-owner"), await h.signUp("followup-contributor")];
  campaignId = (
    await owner.caller.stories.campaigns.create({
      title: "Mum's summers",
      storytellerName: "Mum",
      relationshipType: "parent",
      goalStories: 5,
      themes: ["childhood"],
    })
  ).id;
  storyId = (await owner.caller.stories.create({ campaignId, title: "The night train", content: STORY })).id;
  await h.raw(sql`
    INSERT INTO family_members (campaign_id, user_id, email, name, role, status, joined_at)
    VALUES (${campaignId}, ${contributor.me.id}, ${contributor.email}, 'Cousin', 'contributor', 'active', now())`);
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await server?.stop();
});

describe("a follow-up question", () => {
  it("is suggested by the model from the story, and charged like a chat reply", async () => {
    server.setReply(JSON.stringify({ question: "What do you remember about Babcia Zofia's bees?" }));
    const before = await owner.caller.credits.balance();
    const suggestion = await owner.caller.stories.followUp.suggest({ storyId, idempotencyKey: randomUUID() });
    expect(suggestion).toEqual({ question: "What do you remember about Babcia Zofia's bees?", placeholder: false, credits: 2 });
    const sent = JSON.stringify(server.requests.at(-1)?.body);
    expect(sent).toContain("night train to Kraków");
    expect((await owner.caller.credits.balance()).available).toBe(before.available - 2);
    const { rows } = await h.raw(
      sql`SELECT status, topic, credits FROM generations WHERE user_id = ${owner.me.id} ORDER BY created_at DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({ status: "succeeded", topic: "Follow-up question: The night train", credits: 2 });
  });

  it("costs nothing when the model's reply never has the right shape", async () => {
    server.setReply("Sure! Here is a question: what about the bees?");
    const before = await owner.caller.credits.balance();
    await expectTrpcError(owner.caller.stories.followUp.suggest({ storyId, idempotencyKey: randomUUID() }), "BAD_GATEWAY");
    expect((await owner.caller.credits.balance()).available).toBe(before.available);
    server.setReply(null);
  });

  it("is for owners only: a contributor is refused before any model call", async () => {
    const calls = server.requests.length;
    await expectTrpcError(contributor.caller.stories.followUp.suggest({ storyId, idempotencyKey: randomUUID() }), "FORBIDDEN");
    await expectTrpcError(contributor.caller.stories.followUp.ask({ storyId, question: "And the bees?" }), "FORBIDDEN");
    expect(server.requests.length).toBe(calls);
  });

  it("when asked, is the next question the storyteller gets", async () => {
    const queued = await owner.caller.stories.prompts.list({ campaignId });
    expect(queued.length).toBeGreaterThan(1);
    await owner.caller.stories.followUp.ask({ storyId, question: "What do you remember about the bees?" });
    const after = await owner.caller.stories.prompts.list({ campaignId });
    const next = after.filter((p) => p.status === "queued")[0];
    expect(next).toMatchObject({ question: "What do you remember about the bees?" });
    expect(after.length).toBe(queued.length + 1);
  });

  it("from the offline provider is a deterministic placeholder, flagged as one", async () => {
    const deps = { db: h.db, ai: createAiProvider({ provider: "offline" }) };
    const actor = { userId: owner.me.id, ip: h.ip };
    const first = await followUp.suggest(deps, actor, { storyId, idempotencyKey: randomUUID() });
    const again = await followUp.suggest(deps, actor, { storyId, idempotencyKey: randomUUID() });
    expect(first.placeholder).toBe(true);
    expect(first.question).toBe(again.question);
    expect(first.question).toMatch(/^You mentioned “.+” — could you tell us more about that\?$/);
  });
});
