import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Story campaigns (seed 001 `campaigns`) and the family around them (`family_members`).
 *
 * Who may do what is decided by one function, `app.campaigns_with_role(roles)`: the campaigns where the
 * current user is the primary owner (`campaigns.user_id`, never null, so a campaign always has an owner)
 * or an *active* member with one of the roles. It is SECURITY DEFINER, owned by the system role, because
 * the campaign policy reads family_members and the family policy reads campaigns: evaluated under the
 * caller's own policies they would recurse. Used as `id IN (SELECT app.campaigns_with_role(...))`, it
 * runs once per statement (a hashed sub-plan), not once per row.
 *
 * The seed's meaning, enforced here: active members see the campaign and its stories; owners and
 * contributors add and edit stories; viewers read and comment; invited and inactive rows and outsiders
 * see nothing. Owners see every member row of their campaigns; anyone sees their own rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE campaigns (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
      description text CHECK (char_length(description) <= 2000),
      storyteller_name text NOT NULL CHECK (char_length(storyteller_name) BETWEEN 1 AND 80),
      storyteller_email text CHECK (storyteller_email = lower(storyteller_email) AND length(storyteller_email) BETWEEN 3 AND 254),
      relationship_type text NOT NULL DEFAULT 'parent' CHECK (relationship_type IN ('parent', 'grandparent', 'spouse', 'other')),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed', 'archived')),
      goal_stories integer NOT NULL DEFAULT 52 CHECK (goal_stories BETWEEN 1 AND 1000),
      -- Kept by app.refresh_campaign_counts (triggers on campaign_prompts and stories), never by hand.
      total_prompts integer NOT NULL DEFAULT 0,
      used_prompts integer NOT NULL DEFAULT 0,
      completion_percentage integer NOT NULL DEFAULT 0 CHECK (completion_percentage BETWEEN 0 AND 100),
      started_at timestamptz,
      -- The weekly rhythm, in the storyteller's zone: ISO weekday (1 = Monday), local time, IANA zone.
      schedule_weekday smallint CHECK (schedule_weekday BETWEEN 1 AND 7),
      schedule_time text CHECK (schedule_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      schedule_time_zone text CHECK (char_length(schedule_time_zone) BETWEEN 1 AND 64),
      next_prompt_at timestamptz,
      -- The web app's address the campaign was set up from: links in its prompt e-mails point there (the
      -- worker's cron sweep has no request to take it from).
      link_base_url text CHECK (link_base_url ~ '^https?://' AND length(link_base_url) <= 300),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((schedule_weekday IS NULL) = (schedule_time IS NULL) AND (schedule_time IS NULL) = (schedule_time_zone IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX campaigns_user_id_idx ON campaigns (user_id)`.execute(db);
  await sql`CREATE INDEX campaigns_due_idx ON campaigns (next_prompt_at) WHERE status = 'active' AND next_prompt_at IS NOT NULL`.execute(
    db,
  );
  await touchUpdatedAt(db, "campaigns");

  await sql`
    CREATE TABLE family_members (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      -- Null until the invitation is accepted; a deleted account leaves its families.
      user_id uuid REFERENCES users(id) ON DELETE CASCADE,
      email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
      name text CHECK (char_length(name) <= 80),
      relationship text CHECK (char_length(relationship) <= 80),
      role text NOT NULL DEFAULT 'contributor' CHECK (role IN ('owner', 'contributor', 'viewer')),
      status text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'inactive')),
      invited_by uuid REFERENCES users(id) ON DELETE SET NULL,
      invited_at timestamptz NOT NULL DEFAULT now(),
      joined_at timestamptz,
      -- The invitation link: only its SHA-256, single use (cleared when accepted), expiring.
      invite_token_hash bytea UNIQUE CHECK (length(invite_token_hash) = 32),
      invite_expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (status = 'invited' OR user_id IS NOT NULL OR status = 'inactive')
    )`.execute(db);
  await sql`CREATE INDEX family_members_campaign_idx ON family_members (campaign_id)`.execute(db);
  await sql`CREATE INDEX family_members_user_idx ON family_members (user_id, status)`.execute(db);
  // One live row per address and per account in a campaign (inactive rows are history).
  await sql`CREATE UNIQUE INDEX family_members_email_key ON family_members (campaign_id, email) WHERE status <> 'inactive'`.execute(
    db,
  );
  await sql`CREATE UNIQUE INDEX family_members_user_key ON family_members (campaign_id, user_id) WHERE status <> 'inactive'`.execute(
    db,
  );
  await touchUpdatedAt(db, "family_members");

  await sql`
    CREATE FUNCTION app.campaigns_with_role(p_roles text[]) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
      SELECT c.id FROM public.campaigns c WHERE c.user_id = app.current_user_id() AND 'owner' = ANY (p_roles)
      UNION
      SELECT m.campaign_id FROM public.family_members m
       WHERE m.user_id = app.current_user_id() AND m.status = 'active' AND m.role = ANY (p_roles)
    $$`.execute(db);
  await sql`ALTER FUNCTION app.campaigns_with_role(text[]) OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.campaigns_with_role(text[]) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.campaigns_with_role(text[]) TO inkwell_user, inkwell_system`.execute(db);

  const me = "(SELECT app.current_user_id())";
  const anyRole = "(SELECT app.campaigns_with_role(ARRAY['owner', 'contributor', 'viewer']))";
  const owners = "(SELECT app.campaigns_with_role(ARRAY['owner']))";
  await enableRls(db, "campaigns", {
    // The creator's own row passes by user_id (an INSERT … RETURNING is checked before it is a member).
    userExpr: {
      select: `user_id = ${me} OR id IN ${anyRole}`,
      insert: `user_id = ${me}`,
      update: `id IN ${owners}`,
      delete: `id IN ${owners}`,
    },
    userColumnUpdates: [
      "user_id",
      "title",
      "description",
      "storyteller_name",
      "storyteller_email",
      "relationship_type",
      "status",
      "goal_stories",
      "started_at",
      "schedule_weekday",
      "schedule_time",
      "schedule_time_zone",
      "next_prompt_at",
    ],
    system: ["SELECT", "UPDATE"],
  });
  await enableRls(db, "family_members", {
    userExpr: {
      select: `user_id = ${me} OR campaign_id IN ${owners}`,
      insert: `campaign_id IN ${owners}`,
      delete: `campaign_id IN ${owners}`,
    },
    system: ["SELECT", "UPDATE"],
  });
  // Owners change any row of their campaigns; a member may only make their own row inactive (leave).
  await sql
    .raw(
      `CREATE POLICY family_members_user_update ON family_members FOR UPDATE TO inkwell_user
         USING (campaign_id IN ${owners} OR user_id = ${me})
         WITH CHECK (campaign_id IN ${owners} OR (user_id = ${me} AND status = 'inactive'))`,
    )
    .execute(db);
  await sql`GRANT UPDATE (name, relationship, role, status) ON family_members TO inkwell_user`.execute(db);

  // The owner role is never orphaned: the primary owner (campaigns.user_id, NOT NULL) keeps an active
  // owner membership, and passing the campaign on is only to another active owner. SECURITY DEFINER
  // (system role) so the check sees the campaign and the account whoever makes the change; a deleted
  // account's rows go with it (its own campaigns are deleted by the same cascade).
  await sql`
    CREATE FUNCTION app.family_members_keep_primary_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
      IF OLD.user_id IS NOT NULL AND EXISTS (
           SELECT 1 FROM public.campaigns c JOIN public.users u ON u.id = c.user_id
            WHERE c.id = OLD.campaign_id AND c.user_id = OLD.user_id)
         AND (TG_OP = 'DELETE' OR NEW.role <> 'owner' OR NEW.status <> 'active' OR NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
        RAISE EXCEPTION 'the campaign''s primary owner must stay an active owner; pass the campaign on first'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$`.execute(db);
  await sql`ALTER FUNCTION app.family_members_keep_primary_owner() OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.family_members_keep_primary_owner() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.family_members_keep_primary_owner() TO inkwell_user, inkwell_system`.execute(db);
  await sql`
    CREATE TRIGGER family_members_keep_primary_owner BEFORE UPDATE OR DELETE ON family_members
    FOR EACH ROW EXECUTE FUNCTION app.family_members_keep_primary_owner()`.execute(db);

  await sql`
    CREATE FUNCTION app.campaigns_owner_is_member() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM public.family_members m WHERE m.campaign_id = NEW.id AND m.user_id = NEW.user_id
                        AND m.role = 'owner' AND m.status = 'active') THEN
        RAISE EXCEPTION 'a campaign can only be passed to an active owner' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.campaigns_owner_is_member() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.campaigns_owner_is_member() TO inkwell_user, inkwell_system`.execute(db);
  await sql`
    CREATE TRIGGER campaigns_owner_is_member BEFORE UPDATE OF user_id ON campaigns
    FOR EACH ROW WHEN (NEW.user_id IS DISTINCT FROM OLD.user_id) EXECUTE FUNCTION app.campaigns_owner_is_member()`.execute(db);
}
