import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Chat for both assistants (Wbot's companion, seed 003; Studley's tutor, seed 004 `ai_chat_sessions`
 * / `ai_chat_messages`) as one pair of tables with an `assistant` kind. One row per message, never a
 * JSON blob per conversation: replies are appended to their row while they stream, so a reload or a
 * second tab reads the reply as it grows. `seq` orders messages within a conversation (timestamps can
 * tie inside one transaction). `user_id` is denormalised onto messages so RLS and indexes need no join.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE conversations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      assistant text NOT NULL CHECK (assistant IN ('companion', 'tutor')),
      title text NOT NULL DEFAULT 'New conversation' CHECK (length(title) BETWEEN 1 AND 200),
      title_source text NOT NULL DEFAULT 'auto' CHECK (title_source IN ('auto', 'user')),
      draft text NOT NULL DEFAULT '' CHECK (length(draft) <= 8000),
      -- Set at creation too, so the list has one sort key (seed 004 does the same).
      last_message_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX conversations_user_recent_idx ON conversations (user_id, last_message_at DESC, id DESC)`.execute(db);
  await touchUpdatedAt(db, "conversations");
  await enableRls(db, "conversations", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    userColumnUpdates: ["title", "title_source", "draft", "last_message_at"],
    system: ["SELECT"],
  });

  await sql`
    CREATE TABLE messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      seq integer NOT NULL CHECK (seq > 0),
      role text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
      content text NOT NULL DEFAULT '' CHECK (length(content) <= 100000),
      status text NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'streaming', 'stopped', 'failed')),
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
      feedback smallint CHECK (feedback IN (-1, 1)),
      -- A crisis message and its fixed reply: shown to the user, never sent to a model again.
      safety boolean NOT NULL DEFAULT false,
      tool_calls jsonb,
      tool_call_id text CHECK (length(tool_call_id) <= 200),
      tool_name text CHECK (length(tool_name) <= 100),
      error text CHECK (length(error) <= 1000),
      idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (conversation_id, seq)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX messages_idempotency_idx ON messages (conversation_id, idempotency_key) WHERE idempotency_key IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX messages_user_idx ON messages (user_id, created_at DESC)`.execute(db);
  // The sweep of replies left streaming by a dead process.
  await sql`CREATE INDEX messages_streaming_idx ON messages (updated_at) WHERE status = 'streaming'`.execute(db);
  await touchUpdatedAt(db, "messages");
  await enableRls(db, "messages", {
    user: { select: "user_id", update: "user_id", delete: "user_id" },
    // The conversation must be the caller's too, or a user could attach rows to someone else's thread.
    userExpr: {
      insert:
        "user_id = (SELECT app.current_user_id()) AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = messages.conversation_id AND c.user_id = (SELECT app.current_user_id()))",
    },
    userColumnUpdates: ["content", "status", "metadata", "feedback", "safety", "error", "tool_calls"],
    system: ["SELECT", "UPDATE"],
  });

  // Seed 003's on_message_created: a new message moves its conversation to the top of the list.
  // SECURITY INVOKER, so the caller's RLS still decides which conversation it may touch.
  await sql`
    CREATE FUNCTION app.chat_message_created() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public
    AS $$ BEGIN
      UPDATE conversations SET last_message_at = NEW.created_at WHERE id = NEW.conversation_id;
      RETURN NULL;
    END $$
  `.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.chat_message_created() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.chat_message_created() TO inkwell_user, inkwell_system`.execute(db);
  await sql`
    CREATE TRIGGER messages_bump_conversation AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION app.chat_message_created()`.execute(db);
}
