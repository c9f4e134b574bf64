/** The follow-up's SQL: a family's own question put at the front of the campaign's queue. */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";

/** Inserts a custom question before every queued one (RLS: only the campaign's owners may). */
export async function insertFirstInQueue(tx: Tx, campaignId: string, question: string): Promise<string> {
  const row = await tx
    .insertInto("campaign_prompts")
    .values({
      campaign_id: campaignId,
      story_prompt_id: null,
      theme: "custom",
      question,
      position: sql<number>`(SELECT coalesce(min(position), 0) - 1 FROM campaign_prompts WHERE campaign_id = ${campaignId} AND status = 'queued')`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
