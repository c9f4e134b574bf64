import { type Kysely, sql } from "kysely";

/**
 * A family row becomes active only by accepting an invitation (the link's redemption, run as the system
 * role). The owners' update policy (0019) lets them set `status` so they can remove someone, but a policy
 * cannot see the old row, so it also let an owner set a departed member's row back to active: someone
 * who left, or was removed, was put back into the family (and could be made an owner) without their
 * consent. A trigger sees both rows; users may still make a row inactive or change an active row's role.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION app.family_members_active_by_accepting() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
      -- current_user is the transaction's role (SET LOCAL ROLE): the system role redeems invitations.
      IF NEW.status = 'active' AND OLD.status <> 'active' AND current_user = 'inkwell_user' THEN
        RAISE EXCEPTION 'a family member becomes active only by accepting an invitation; invite them again'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.family_members_active_by_accepting() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.family_members_active_by_accepting() TO inkwell_user, inkwell_system`.execute(db);
  await sql`
    CREATE TRIGGER family_members_active_by_accepting BEFORE UPDATE OF status ON family_members
    FOR EACH ROW EXECUTE FUNCTION app.family_members_active_by_accepting()`.execute(db);
}
