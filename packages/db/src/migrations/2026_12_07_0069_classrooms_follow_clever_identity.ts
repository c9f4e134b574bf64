import { type Kysely, sql } from "kysely";

/**
 * A Clever identity can move from one Inkwell account to another (unlinked from the first, then used to
 * sign in to or link the second). What it brought with it follows it:
 *
 * - `classrooms.clever_teacher_id`: the Clever teacher whose sections the classroom was synced from, so
 *   the classrooms go to the account that now holds that identity (by the Clever id, not by the old
 *   account: a co-teacher's classroom of the same section is left alone). Filled from the teacher's
 *   current Clever identity; a classroom whose teacher no longer has one (an identity that moved before
 *   this migration) from the section's primary teacher, as Clever records it. The system role (the
 *   sign-in's transaction) may now delete assignments: the moved classrooms' assignments of the old
 *   account's items go (neither account could manage them any more).
 * - `app.release_clever_identity(clever_id)`: unlinking Clever releases what it gave the caller: their
 *   Clever record (role, sync state) and their claims on roster rows, which stay for a later claim, so the
 *   assigned-items policy stops granting the old account access. SECURITY DEFINER owned by the system role
 *   (the user may read but not write either table) and scoped to the caller's own rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE classrooms ADD COLUMN clever_teacher_id text CHECK (char_length(clever_teacher_id) BETWEEN 1 AND 255)`.execute(
    db,
  );
  await sql`
    UPDATE classrooms c SET clever_teacher_id = a.clever_id
      FROM clever_accounts a
     WHERE a.user_id = c.teacher_id`.execute(db);
  await sql`
    UPDATE classrooms SET clever_teacher_id = left(raw->>'teacher', 255)
     WHERE clever_teacher_id IS NULL AND coalesce(raw->>'teacher', '') <> ''`.execute(db);
  await sql`GRANT DELETE ON classroom_assignments TO inkwell_system`.execute(db);
  await sql`CREATE INDEX classrooms_clever_teacher_idx ON classrooms (clever_teacher_id) WHERE clever_teacher_id IS NOT NULL`.execute(
    db,
  );

  await sql`
    CREATE FUNCTION app.release_clever_identity(p_clever_id text) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
      DELETE FROM public.clever_accounts WHERE user_id = app.current_user_id() AND clever_id = p_clever_id;
      UPDATE public.classroom_students SET user_id = NULL
       WHERE user_id = app.current_user_id() AND clever_student_id = p_clever_id;
    $$`.execute(db);
  await sql`ALTER FUNCTION app.release_clever_identity(text) OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.release_clever_identity(text) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.release_clever_identity(text) TO inkwell_user, inkwell_system`.execute(db);
}
