import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Stories (seed 001 `stories`), their comments and reactions, the word count the database keeps, the
 * campaign's counters and the seed's `campaign_stats` view (security_invoker, so the caller's policies
 * decide which campaigns and stories it sums).
 *
 * Word count (`app.count_words`): any run of Unicode White_Space is one separator, and a token made only
 * of punctuation (ASCII punctuation, general punctuation such as — … “ ”, CJK and full-width punctuation)
 * is no word. The seed's `array_length(string_to_array(content, ' '), 1)` counted "a  b" as three words
 * and " — " as two. The sets are spelled out by code point so the count is the same under any locale
 * (`\s` and `[[:punct:]]` follow the database's ctype). packages/domain/src/stories/stories.words.ts
 * holds the same definition; a property test compares the two on generated text.
 */
const WHITESPACE = String.raw`\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;
const PUNCTUATION = String.raw`\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E\u00A1\u00A7\u00AB\u00B6\u00B7\u00BB\u00BF\u2010-\u2027\u2030-\u205E\u3001-\u3003\u3008-\u3011\u3014-\u301F\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `CREATE FUNCTION app.count_words(p_text text) RETURNS integer
       LANGUAGE sql IMMUTABLE PARALLEL SAFE
       SET search_path = pg_catalog
       AS $$
         SELECT count(*)::integer
           FROM regexp_split_to_table(coalesce(p_text, ''), '[${WHITESPACE}]+') AS token
          WHERE token ~ '[^${PUNCTUATION}]'
       $$`,
    )
    .execute(db);
  await sql`REVOKE ALL ON FUNCTION app.count_words(text) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.count_words(text) TO inkwell_user, inkwell_system`.execute(db);

  await sql`
    CREATE TABLE stories (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      -- The member who wrote it; null for the storyteller's answers through a prompt link (no account).
      user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      author_name text NOT NULL CHECK (char_length(author_name) BETWEEN 1 AND 80),
      campaign_prompt_id uuid UNIQUE,
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
      content text NOT NULL DEFAULT '' CHECK (char_length(content) <= 100000),
      word_count integer NOT NULL DEFAULT 0,
      category text NOT NULL DEFAULT 'other' CHECK (category ~ '^[a-z_]{1,30}$'),
      story_order integer NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed', 'reviewed')),
      search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', content), 'B')
      ) STORED,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (id, campaign_id),
      FOREIGN KEY (campaign_prompt_id, campaign_id) REFERENCES campaign_prompts (id, campaign_id) ON DELETE SET NULL (campaign_prompt_id)
    )`.execute(db);
  await sql`CREATE INDEX stories_campaign_idx ON stories (campaign_id, story_order, created_at)`.execute(db);
  await sql`CREATE INDEX stories_user_idx ON stories (user_id) WHERE user_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX stories_search_idx ON stories USING gin (search)`.execute(db);
  await touchUpdatedAt(db, "stories");
  await sql`
    CREATE FUNCTION app.stories_count_words() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN NEW.word_count := app.count_words(NEW.content); RETURN NEW; END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.stories_count_words() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.stories_count_words() TO inkwell_user, inkwell_system`.execute(db);
  await sql`
    CREATE TRIGGER stories_count_words BEFORE INSERT OR UPDATE OF content ON stories
    FOR EACH ROW EXECUTE FUNCTION app.stories_count_words()`.execute(db);

  const me = "(SELECT app.current_user_id())";
  const anyRole = "(SELECT app.campaigns_with_role(ARRAY['owner', 'contributor', 'viewer']))";
  const writers = "(SELECT app.campaigns_with_role(ARRAY['owner', 'contributor']))";
  const owners = "(SELECT app.campaigns_with_role(ARRAY['owner']))";
  await enableRls(db, "stories", {
    userExpr: {
      select: `campaign_id IN ${anyRole}`,
      insert: `campaign_id IN ${writers} AND user_id = ${me} AND campaign_prompt_id IS NULL`,
      update: `campaign_id IN ${writers}`,
      // Owners delete any story; a contributor only their own.
      delete: `campaign_id IN ${owners} OR (user_id = ${me} AND campaign_id IN ${writers})`,
    },
    userColumnUpdates: ["title", "content", "category", "story_order", "status"],
    system: ["SELECT", "INSERT", "UPDATE"],
  });

  await sql`
    CREATE TABLE story_comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      story_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      author_name text NOT NULL CHECK (char_length(author_name) BETWEEN 1 AND 80),
      body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (story_id, campaign_id) REFERENCES stories (id, campaign_id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX story_comments_story_idx ON story_comments (story_id, created_at)`.execute(db);
  await sql`CREATE INDEX story_comments_user_idx ON story_comments (user_id)`.execute(db);
  await touchUpdatedAt(db, "story_comments");
  // Every active member (viewers too) reads and comments; authors edit their own; owners moderate.
  await enableRls(db, "story_comments", {
    userExpr: {
      select: `campaign_id IN ${anyRole}`,
      insert: `campaign_id IN ${anyRole} AND user_id = ${me}`,
      update: `campaign_id IN ${anyRole} AND user_id = ${me}`,
      delete: `campaign_id IN ${owners} OR (user_id = ${me} AND campaign_id IN ${anyRole})`,
    },
    userColumnUpdates: ["body"],
  });

  await sql`
    CREATE TABLE story_reactions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      story_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      reaction text NOT NULL CHECK (reaction IN ('heart', 'laugh', 'wow', 'sad', 'clap')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (story_id, user_id, reaction),
      FOREIGN KEY (story_id, campaign_id) REFERENCES stories (id, campaign_id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX story_reactions_user_idx ON story_reactions (user_id)`.execute(db);
  await touchUpdatedAt(db, "story_reactions");
  await enableRls(db, "story_reactions", {
    userExpr: {
      select: `campaign_id IN ${anyRole}`,
      insert: `campaign_id IN ${anyRole} AND user_id = ${me}`,
      delete: `user_id = ${me} AND campaign_id IN ${anyRole}`,
    },
  });

  // The counters on campaigns follow the rows they count. SECURITY DEFINER (system role): a contributor's
  // story moves the campaign's completion although contributors cannot update the campaign. The
  // campaign row is locked first and the counts read in a later statement, so two stories committed at
  // once both count (READ COMMITTED gives the later statement a fresh snapshot after the wait).
  await sql`
    CREATE FUNCTION app.refresh_campaign_counts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
      v_campaign uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.campaign_id ELSE NEW.campaign_id END;
    BEGIN
      PERFORM 1 FROM public.campaigns WHERE id = v_campaign FOR UPDATE;
      UPDATE public.campaigns c
         SET total_prompts = (SELECT count(*) FROM public.campaign_prompts p WHERE p.campaign_id = c.id AND p.status <> 'skipped'),
             used_prompts = (SELECT count(*) FROM public.campaign_prompts p WHERE p.campaign_id = c.id AND p.status IN ('sent', 'answered')),
             completion_percentage = least(100, round(100.0 * (SELECT count(*) FROM public.stories s
                                                                 WHERE s.campaign_id = c.id AND s.status <> 'draft') / c.goal_stories))
       WHERE c.id = v_campaign;
      RETURN NULL;
    END $$`.execute(db);
  await sql`ALTER FUNCTION app.refresh_campaign_counts() OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.refresh_campaign_counts() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.refresh_campaign_counts() TO inkwell_user, inkwell_system`.execute(db);
  await sql`
    CREATE TRIGGER stories_refresh_campaign_counts AFTER INSERT OR DELETE OR UPDATE OF status ON stories
    FOR EACH ROW EXECUTE FUNCTION app.refresh_campaign_counts()`.execute(db);
  await sql`
    CREATE TRIGGER campaign_prompts_refresh_campaign_counts AFTER INSERT OR DELETE OR UPDATE OF status ON campaign_prompts
    FOR EACH ROW EXECUTE FUNCTION app.refresh_campaign_counts()`.execute(db);

  await sql`
    CREATE VIEW campaign_stats WITH (security_invoker = true) AS
    SELECT c.id,
           c.title,
           c.goal_stories,
           count(s.id)::integer AS story_count,
           (count(s.id) FILTER (WHERE s.status <> 'draft'))::integer AS finished_count,
           coalesce(sum(s.word_count), 0)::integer AS total_words,
           least(100, round(100.0 * count(s.id) FILTER (WHERE s.status <> 'draft') / c.goal_stories))::integer AS completion_percentage,
           max(s.updated_at) AS latest_story_date
      FROM campaigns c
      LEFT JOIN stories s ON s.campaign_id = c.id
     GROUP BY c.id, c.title, c.goal_stories`.execute(db);
  await sql`REVOKE ALL ON campaign_stats FROM PUBLIC`.execute(db);
  await sql`GRANT SELECT ON campaign_stats TO inkwell_user, inkwell_system`.execute(db);
}
