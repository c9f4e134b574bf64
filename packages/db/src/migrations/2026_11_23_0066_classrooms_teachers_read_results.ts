import { type Kysely, sql } from "kysely";

/**
 * Teachers see the results of their classrooms' students on the items they assigned to those
 * classrooms (quiz_results and writing_results of 0060, flashcard_results of 0059) — nothing else of
 * the student's: a result of an item not assigned, or of a student not in the teacher's classroom,
 * stays the student's own. The test is a SECURITY DEFINER function owned by the system role (it reads
 * rosters the policies of the result tables could not).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION app.teaches_student_item(p_student_id uuid, p_item_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
      SELECT p_item_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM public.classroom_assignments a
          JOIN public.classrooms c ON c.id = a.classroom_id AND c.teacher_id = app.current_user_id()
          JOIN public.classroom_students s ON s.classroom_id = a.classroom_id AND s.user_id = p_student_id
         WHERE a.item_id = p_item_id)
    $$`.execute(db);
  await sql`ALTER FUNCTION app.teaches_student_item(uuid, uuid) OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.teaches_student_item(uuid, uuid) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.teaches_student_item(uuid, uuid) TO inkwell_user, inkwell_system`.execute(db);

  await sql`
    CREATE POLICY quiz_results_user_select_teacher ON quiz_results FOR SELECT TO inkwell_user
      USING (app.teaches_student_item(user_id, item_id))`.execute(db);
  await sql`
    CREATE POLICY writing_results_user_select_teacher ON writing_results FOR SELECT TO inkwell_user
      USING (app.teaches_student_item(user_id, item_id))`.execute(db);
  await sql`
    CREATE POLICY flashcard_results_user_select_teacher ON flashcard_results FOR SELECT TO inkwell_user
      USING (app.teaches_student_item(user_id, flashcard_item_id))`.execute(db);
}
