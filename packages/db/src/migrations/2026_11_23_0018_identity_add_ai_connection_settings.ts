import { type Kysely, sql } from "kysely";

/**
 * A user's own AI connection: the "openai" row of user_api_keys is any OpenAI-compatible server
 * (OpenAI, Ollama, vLLM, LM Studio), so it needs the server's base URL and the chat model besides the
 * sealed key. NULL means OpenAI's defaults (https://api.openai.com/v1, the default chat model). The
 * table's RLS policies (owner only) cover the new columns as they are.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE user_api_keys
      ADD COLUMN base_url text CHECK (length(base_url) <= 2048),
      ADD COLUMN model text CHECK (length(model) <= 200)`.execute(db);
  // Local servers (Ollama) ignore the key, so a connection may be saved without one (last4 '').
}
