import { type Kysely, sql } from "kysely";

/**
 * Only the primary owner passes a campaign on. The owners' update policy (0019) lets any owner change
 * `campaigns.user_id` (the primary owner leaving must hand it to another owner), but a policy cannot see
 * the old row, so a co-owner could also make themselves primary owner and the real one lose the
 * campaign they started. A trigger sees both rows: as a user, the column changes only when the primary
 * owner gives it to another active owner (the system role is not limited).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION app.campaigns_primary_owner_passed_on() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
      -- current_user is the transaction's role (SET LOCAL ROLE), as in 0023.
      IF NEW.user_id IS DISTINCT FROM OLD.user_id AND current_user = 'inkwell_user' THEN
        IF OLD.user_id IS DISTINCT FROM app.current_user_id() THEN
          RAISE EXCEPTION 'only the primary owner can pass the campaign on'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT EXISTS (
          SELECT 1 FROM public.family_members m
           WHERE m.campaign_id = NEW.id AND m.user_id = NEW.user_id AND m.role = 'owner' AND m.status = 'active'
        ) THEN
          RAISE EXCEPTION 'the primary owner passes the campaign on only to another active owner'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.campaigns_primary_owner_passed_on() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.campaigns_primary_owner_passed_on() TO inkwell_user, inkwell_system`.execute(db);
  await sql`
    CREATE TRIGGER campaigns_primary_owner_passed_on BEFORE UPDATE OF user_id ON campaigns
    FOR EACH ROW EXECUTE FUNCTION app.campaigns_primary_owner_passed_on()`.execute(db);
}
