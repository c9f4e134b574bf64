import { type Kysely, sql } from "kysely";

/** A generation keeps its prompt and persona links only while those rows exist (0055, 0053 are other streams'). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE image_generations
              ADD CONSTRAINT image_generations_prompt_fkey FOREIGN KEY (prompt_id) REFERENCES image_prompts(id) ON DELETE SET NULL,
              ADD CONSTRAINT image_generations_persona_fkey FOREIGN KEY (persona_id) REFERENCES model_personas(id) ON DELETE SET NULL`.execute(
    db,
  );
  await sql`CREATE INDEX image_generations_prompt_idx ON image_generations (prompt_id) WHERE prompt_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX image_generations_persona_idx ON image_generations (persona_id) WHERE persona_id IS NOT NULL`.execute(
    db,
  );
}
