import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * The weekly questions: a shared library by theme (`story_prompts`, seeded here, read-only to users),
 * each campaign's queue of questions (`campaign_prompts`, in order, with what happened to each), and the
 * links that let the storyteller answer without an account (`campaign_prompt_links`: only the SHA-256 of
 * a 256-bit token, scoped to one campaign and one prompt, expiring; revoked per prompt by the owner).
 */
const LIBRARY: Record<string, string[]> = {
  childhood: [
    "What is your earliest memory?",
    "Describe the house you grew up in. Which room do you remember best, and why?",
    "What games did you play as a child, and who did you play them with?",
    "Who was your best friend growing up, and what did you get up to together?",
    "What was a typical Sunday like when you were ten?",
    "What did you want to be when you grew up?",
  ],
  family: [
    "What do you know about how your parents met?",
    "What is a tradition from your family that you still keep?",
    "Tell the story of the day your first child was born.",
    "Which relative do you take after the most, and how?",
    "What was the best family holiday you remember?",
    "What recipe from your family should never be lost? Tell us how it is made.",
  ],
  love: [
    "How did you meet the love of your life?",
    "What was your first date like?",
    "What is the most romantic thing anyone has done for you?",
    "What have you learned about making love last?",
  ],
  career: [
    "What was your very first job, and what did it pay?",
    "Who was the best boss or mentor you ever had?",
    "What work are you proudest of?",
    "Tell us about a time you took a big risk at work.",
    "If you could have had any other career, what would it have been?",
  ],
  travel: [
    "What is the most memorable trip you have taken?",
    "Where have you always wanted to go but never went?",
    "Tell us about a time things went wrong on a journey.",
    "What was the first place you lived away from home?",
  ],
  history: [
    "Which world event do you remember most clearly, and where were you when it happened?",
    "How has your town changed since you were young?",
    "What did things cost when you were starting out?",
    "What invention changed your everyday life the most?",
  ],
  wisdom: [
    "What is the best advice you were ever given?",
    "What would you tell your twenty-year-old self?",
    "What are you most grateful for?",
    "What do you hope your grandchildren remember about you?",
    "What is a mistake you learned the most from?",
  ],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE story_prompts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      theme text NOT NULL CHECK (theme ~ '^[a-z_]{1,30}$'),
      question text NOT NULL UNIQUE CHECK (char_length(question) BETWEEN 5 AND 300),
      position integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX story_prompts_theme_idx ON story_prompts (theme, position)`.execute(db);
  await touchUpdatedAt(db, "story_prompts");
  await enableRls(db, "story_prompts", { userExpr: { select: "true" }, system: ["SELECT"] });
  for (const [theme, questions] of Object.entries(LIBRARY)) {
    for (const [position, question] of questions.entries()) {
      await sql`INSERT INTO story_prompts (theme, question, position) VALUES (${theme}, ${question}, ${position})`.execute(db);
    }
  }

  await sql`
    CREATE TABLE campaign_prompts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      story_prompt_id uuid REFERENCES story_prompts(id) ON DELETE SET NULL,
      theme text NOT NULL DEFAULT 'custom' CHECK (theme ~ '^[a-z_]{1,30}$'),
      question text NOT NULL CHECK (char_length(question) BETWEEN 5 AND 300),
      position integer NOT NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'answered', 'skipped')),
      sent_at timestamptz,
      reminder_sent_at timestamptz,
      answered_at timestamptz,
      -- Links made before this instant are void (the owner revoked them); a later send makes new ones.
      links_revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (id, campaign_id),
      CHECK (status = 'queued' OR status = 'skipped' OR sent_at IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX campaign_prompts_queue_idx ON campaign_prompts (campaign_id, status, position)`.execute(db);
  await sql`CREATE INDEX campaign_prompts_reminder_idx ON campaign_prompts (sent_at) WHERE status = 'sent' AND reminder_sent_at IS NULL`.execute(
    db,
  );
  await touchUpdatedAt(db, "campaign_prompts");
  const anyRole = "(SELECT app.campaigns_with_role(ARRAY['owner', 'contributor', 'viewer']))";
  const owners = "(SELECT app.campaigns_with_role(ARRAY['owner']))";
  await enableRls(db, "campaign_prompts", {
    userExpr: {
      select: `campaign_id IN ${anyRole}`,
      insert: `campaign_id IN ${owners} AND status = 'queued'`,
      update: `campaign_id IN ${owners}`,
      delete: `campaign_id IN ${owners} AND status = 'queued'`,
    },
    // Sending and answering are the worker's and the link's (system): owners reorder, skip and revoke.
    userColumnUpdates: ["question", "position", "status", "links_revoked_at"],
    system: ["SELECT", "UPDATE"],
  });

  await sql`
    CREATE TABLE campaign_prompt_links (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_prompt_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      kind text NOT NULL CHECK (kind IN ('prompt', 'reminder')),
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (campaign_prompt_id, campaign_id) REFERENCES campaign_prompts (id, campaign_id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX campaign_prompt_links_prompt_idx ON campaign_prompt_links (campaign_prompt_id)`.execute(db);
  await sql`CREATE INDEX campaign_prompt_links_expiry_idx ON campaign_prompt_links (expires_at)`.execute(db);
  await touchUpdatedAt(db, "campaign_prompt_links");
  // Redeemed without an account (the link in the e-mail), so only the system role touches them.
  await enableRls(db, "campaign_prompt_links", { system: ["SELECT", "INSERT", "DELETE"] });
}
