import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Classrooms rostered from Clever (seed 004 `clever_accounts`, `classrooms`, `students`).
 *
 * `clever_accounts`: a user's Clever identity (role, district, school) and the state of their last roster
 * sync. `classrooms` (a Clever section, one teacher) and `classroom_students` (its roster; `user_id` is
 * filled in once the student signs in with Clever) are written only by the roster sync (system role): a
 * teacher reads their classrooms, a student the classrooms they belong to. `classroom_assignments` puts a
 * teacher's own study item in front of a classroom; the students of that classroom may then read the
 * item (a `study_items` SELECT policy of its own).
 *
 * The membership tests are SECURITY DEFINER functions owned by the system role: the policies of
 * classrooms and classroom_students refer to each other, which Postgres would otherwise recurse into.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE clever_accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
      clever_id text NOT NULL UNIQUE CHECK (char_length(clever_id) BETWEEN 1 AND 255),
      district_id text CHECK (char_length(district_id) <= 255),
      school_id text CHECK (char_length(school_id) <= 255),
      role text NOT NULL CHECK (role IN ('teacher', 'student', 'district_admin', 'school_admin', 'staff')),
      raw_data jsonb,
      last_sync_at timestamptz,
      last_sync_status text CHECK (last_sync_status IN ('queued', 'ok', 'failed')),
      last_sync_error text CHECK (char_length(last_sync_error) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await touchUpdatedAt(db, "clever_accounts");
  await enableRls(db, "clever_accounts", {
    user: { select: "user_id" },
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });

  await sql`
    CREATE TABLE classrooms (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      teacher_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      clever_section_id text NOT NULL UNIQUE CHECK (char_length(clever_section_id) BETWEEN 1 AND 255),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
      subject text CHECK (char_length(subject) <= 200),
      grade text CHECK (char_length(grade) <= 50),
      period text CHECK (char_length(period) <= 50),
      raw jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX classrooms_teacher_idx ON classrooms (teacher_id, name)`.execute(db);
  await touchUpdatedAt(db, "classrooms");

  await sql`
    CREATE TABLE classroom_students (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      classroom_id uuid NOT NULL REFERENCES classrooms(id) ON DELETE CASCADE,
      clever_student_id text NOT NULL CHECK (char_length(clever_student_id) BETWEEN 1 AND 255),
      first_name text CHECK (char_length(first_name) <= 200),
      last_name text CHECK (char_length(last_name) <= 200),
      email text CHECK (char_length(email) <= 254),
      user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      raw jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (classroom_id, clever_student_id)
    )`.execute(db);
  await sql`CREATE INDEX classroom_students_clever_idx ON classroom_students (clever_student_id)`.execute(db);
  await sql`CREATE INDEX classroom_students_user_idx ON classroom_students (user_id) WHERE user_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "classroom_students");

  await sql`
    CREATE TABLE classroom_assignments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      classroom_id uuid NOT NULL REFERENCES classrooms(id) ON DELETE CASCADE,
      item_id uuid NOT NULL REFERENCES study_items(id) ON DELETE CASCADE,
      assigned_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      due_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (classroom_id, item_id)
    )`.execute(db);
  await sql`CREATE INDEX classroom_assignments_item_idx ON classroom_assignments (item_id)`.execute(db);
  await touchUpdatedAt(db, "classroom_assignments");

  const definer = async (signature: string, body: string) => {
    await sql
      .raw(`CREATE FUNCTION app.${signature} RETURNS boolean
      LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog, pg_temp
      AS $$ ${body} $$`)
      .execute(db);
    await sql.raw(`ALTER FUNCTION app.${signature} OWNER TO inkwell_system`).execute(db);
    await sql.raw(`REVOKE ALL ON FUNCTION app.${signature} FROM PUBLIC`).execute(db);
    await sql.raw(`GRANT EXECUTE ON FUNCTION app.${signature} TO inkwell_user, inkwell_system`).execute(db);
  };
  await definer(
    "teaches_classroom(p_classroom_id uuid)",
    "SELECT EXISTS (SELECT 1 FROM public.classrooms c WHERE c.id = p_classroom_id AND c.teacher_id = app.current_user_id())",
  );
  await definer(
    "attends_classroom(p_classroom_id uuid)",
    `SELECT EXISTS (SELECT 1 FROM public.classroom_students s
                     WHERE s.classroom_id = p_classroom_id AND s.user_id = app.current_user_id())`,
  );
  await definer(
    "study_item_assigned_to_me(p_item_id uuid)",
    `SELECT EXISTS (SELECT 1 FROM public.classroom_assignments a
                      JOIN public.classroom_students s ON s.classroom_id = a.classroom_id
                     WHERE a.item_id = p_item_id AND s.user_id = app.current_user_id())`,
  );

  const me = "(SELECT app.current_user_id())";
  await enableRls(db, "classrooms", {
    userExpr: { select: "(teacher_id = (SELECT app.current_user_id()) OR app.attends_classroom(id))" },
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });
  await enableRls(db, "classroom_students", {
    // A student sees their own row only (not classmates'); the teacher the whole roster.
    userExpr: { select: `(user_id = ${me} OR app.teaches_classroom(classroom_id))` },
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });
  // A teacher assigns only their own items, to their own classrooms.
  const ownItem = `EXISTS (SELECT 1 FROM study_items i WHERE i.id = classroom_assignments.item_id AND i.user_id = ${me})`;
  await enableRls(db, "classroom_assignments", {
    userExpr: {
      select: "(app.teaches_classroom(classroom_id) OR app.attends_classroom(classroom_id))",
      insert: `(assigned_by = ${me} AND app.teaches_classroom(classroom_id) AND ${ownItem})`,
      update: "app.teaches_classroom(classroom_id)",
      delete: "app.teaches_classroom(classroom_id)",
    },
    userColumnUpdates: ["due_at"],
    system: ["SELECT"],
  });

  await sql`
    CREATE POLICY study_items_user_select_assigned ON study_items FOR SELECT TO inkwell_user
      USING (app.study_item_assigned_to_me(id))`.execute(db);
}
