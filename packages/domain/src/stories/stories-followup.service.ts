/**
 * An optional AI follow-up question suggested from a story's answer: one structured call through the
 * AI layer, metered like every AI call (rate limit, credit hold, generation history; on the user's own
 * AI connection at no charge). Priced as a chat reply: it is one short chat completion. The offline
 * provider writes a deterministic placeholder from the answer, flagged so the page labels it.
 *
 * Not a streamed generation, so not through the generation engine (that drives detached streams
 * whose text lands in a table as it arrives); a one-shot suggestion needs only the metering around it.
 * Asking it puts it first in the campaign's question queue (the family's own question), so the
 * weekly rhythm (or "send now") sends it next.
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import type { AiProvider } from "../ai/index.ts";
import { notFound } from "../platform/errors.ts";
import { type Actor, usage } from "../usage/index.ts";
import * as repo from "./stories.repository.ts";
import { requireRole } from "./stories.service.ts";
import * as followUpRepo from "./stories-followup.repository.ts";
import { type FollowUpSuggestion, followUpReply } from "./stories-followup.schemas.ts";

export interface FollowUpDeps {
  db: Database;
  ai: AiProvider;
}

const PROMPT = `You help a family collect a storyteller's life stories. Given one story the storyteller told, suggest ONE warm, open follow-up question that invites them to say more about something specific they mentioned (a person, place, feeling or moment). Address the storyteller directly, in the language of the story. One sentence, under 200 characters, no preamble.`;

const ANSWER_CHARS = 6000;

/** The offline placeholder: built from the answer's words, so it is deterministic and visibly generic. */
export function placeholderQuestion(title: string, content: string): string {
  const words = content.match(/\p{L}[\p{L}'’-]{4,}/gu) ?? [];
  const pick = words.sort((a, b) => b.length - a.length)[0];
  const about = pick ? `“${pick}”` : `“${title.slice(0, 60)}”`;
  return `You mentioned ${about} — could you tell us more about that?`;
}

async function storyForOwner(tx: Tx, userId: string, storyId: string) {
  const story = await repo.findStory(tx, storyId);
  if (!story) throw notFound("Story");
  await requireRole(tx, story.campaign_id, userId, ["owner"], "ask the storyteller a question");
  return story;
}

export async function suggest(
  deps: FollowUpDeps,
  actor: Actor,
  input: { storyId: string; idempotencyKey: string },
): Promise<FollowUpSuggestion> {
  // A short transaction of its own: nothing is held open across the model call.
  const story = await asUser(deps.db, actor.userId, (tx) => storyForOwner(tx, actor.userId, input.storyId));
  const answer = story.content.slice(0, ANSWER_CHARS);
  const outcome = await usage.runMetered(
    { db: deps.db, ai: deps.ai },
    actor,
    {
      operation: "chat.reply",
      idempotencyKey: `stories.follow-up:${input.idempotencyKey}`,
      request: { storyId: input.storyId },
      topic: `Follow-up question: ${story.title}`.slice(0, 200),
      provider: deps.ai.name,
    },
    async () => {
      if (deps.ai.offline) {
        return {
          result: { question: placeholderQuestion(story.title, answer), placeholder: true },
          model: "offline",
          inputTokens: 0,
          outputTokens: 0,
          latencyMs: 0,
        };
      }
      const r = await deps.ai.structured(
        {
          messages: [
            { role: "system", content: PROMPT },
            {
              role: "user",
              content: `${story.question ? `The question they answered: ${story.question}\n` : ""}Title: ${story.title}\n\nTheir story:\n${answer}`,
            },
          ],
          maxTokens: 200,
          temperature: 0.6,
        },
        followUpReply,
      );
      return {
        result: { question: r.value.question.trim(), placeholder: false },
        model: r.model,
        inputTokens: r.usage.inputTokens,
        outputTokens: r.usage.outputTokens,
        latencyMs: r.latencyMs,
      };
    },
  );
  return { ...outcome.result, credits: outcome.credits };
}

/** Puts the (possibly edited) question first in the campaign's queue. */
export async function ask(tx: Tx, userId: string, input: { storyId: string; question: string }): Promise<{ promptId: string }> {
  const story = await storyForOwner(tx, userId, input.storyId);
  return { promptId: await followUpRepo.insertFirstInQueue(tx, story.campaign_id, input.question) };
}
