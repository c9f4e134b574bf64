/** The only SQL of the classrooms module. Every function takes the transaction first. */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { CleverSection, CleverUser } from "./clever.client.ts";

export async function upsertCleverAccount(
  tx: Tx,
  values: { userId: string; cleverId: string; districtId: string | null; schoolId: string | null; role: string; raw: unknown },
) {
  const role = ["teacher", "student", "district_admin", "school_admin", "staff"].includes(values.role) ? values.role : "staff";
  // The Clever account signs in to this user now (it was unlinked from another): its identity moves
  // with it, or the unique clever_id would refuse every later sign-in with it.
  await tx.deleteFrom("clever_accounts").where("clever_id", "=", values.cleverId).where("user_id", "<>", values.userId).execute();
  await tx
    .insertInto("clever_accounts")
    .values({
      user_id: values.userId,
      clever_id: values.cleverId,
      district_id: values.districtId,
      school_id: values.schoolId,
      role,
      raw_data: JSON.stringify(values.raw ?? null),
    })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet((eb) => ({
        clever_id: eb.ref("excluded.clever_id"),
        district_id: eb.ref("excluded.district_id"),
        school_id: eb.ref("excluded.school_id"),
        role: eb.ref("excluded.role"),
        raw_data: eb.ref("excluded.raw_data"),
      })),
    )
    .execute();
}

/** A student who signs in with Clever takes their place on the rosters that already list them. */
export async function claimStudentRows(tx: Tx, userId: string, cleverId: string) {
  await tx
    .updateTable("classroom_students")
    .set({ user_id: userId })
    .where("clever_student_id", "=", cleverId)
    .where((eb) => eb.or([eb("user_id", "is", null), eb("user_id", "<>", userId)]))
    .execute();
}

/**
 * The classrooms synced from this Clever teacher go to the account that holds the identity now, in the
 * sign-in's transaction. Their assignments of the old account's items are dropped: the new account can
 * neither read nor withdraw those items, and the old one no longer teaches the class. Returns how many moved.
 */
export async function takeOverClassrooms(tx: Tx, userId: string, cleverTeacherId: string) {
  const moved = await tx
    .updateTable("classrooms")
    .set({ teacher_id: userId })
    .where("clever_teacher_id", "=", cleverTeacherId)
    .where("teacher_id", "<>", userId)
    .returning("id")
    .execute();
  if (!moved.length) return 0;
  const ids = moved.map((m) => m.id);
  await tx.deleteFrom("classroom_assignments").where("classroom_id", "in", ids).where("assigned_by", "<>", userId).execute();
  return moved.length;
}

/** Unlinking Clever: the caller's Clever record goes and their roster rows are released (migration 0069). */
export async function releaseCleverIdentity(tx: Tx, cleverId: string) {
  await sql`SELECT app.release_clever_identity(${cleverId})`.execute(tx);
}

export async function findCleverAccount(tx: Tx, userId: string, options: { lock?: boolean } = {}) {
  let q = tx
    .selectFrom("clever_accounts")
    .select(["clever_id", "role", "last_sync_at", "last_sync_status", "last_sync_error"])
    .where("user_id", "=", userId);
  if (options.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function setSyncStatus(tx: Tx, userId: string, status: "queued" | "ok" | "failed", error: string | null) {
  await tx
    .updateTable("clever_accounts")
    .set({
      last_sync_status: status,
      last_sync_error: error?.slice(0, 500) ?? null,
      ...(status === "queued" ? {} : { last_sync_at: sql<Date>`now()` }),
    })
    .where("user_id", "=", userId)
    .execute();
}

/** Inserts or refreshes a teacher's section; undefined when another teacher's classroom holds it. */
export async function upsertClassroom(tx: Tx, teacherId: string, cleverTeacherId: string, section: CleverSection) {
  const row = await tx
    .insertInto("classrooms")
    .values({
      teacher_id: teacherId,
      clever_teacher_id: cleverTeacherId,
      clever_section_id: section.id,
      name: section.name.slice(0, 200),
      subject: section.subject?.slice(0, 200) ?? null,
      grade: section.grade?.slice(0, 50) ?? null,
      period: section.period?.slice(0, 50) ?? null,
      raw: JSON.stringify(section),
    })
    .onConflict((oc) =>
      oc
        .column("clever_section_id")
        .doUpdateSet((eb) => ({
          clever_teacher_id: eb.ref("excluded.clever_teacher_id"),
          name: eb.ref("excluded.name"),
          subject: eb.ref("excluded.subject"),
          grade: eb.ref("excluded.grade"),
          period: eb.ref("excluded.period"),
          raw: eb.ref("excluded.raw"),
        }))
        .where("classrooms.teacher_id", "=", teacherId),
    )
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}

export async function upsertStudent(tx: Tx, classroomId: string, cleverId: string, user: CleverUser | undefined) {
  await tx
    .insertInto("classroom_students")
    .values((eb) => ({
      classroom_id: classroomId,
      clever_student_id: cleverId,
      first_name: user?.name?.first?.slice(0, 200) ?? null,
      last_name: user?.name?.last?.slice(0, 200) ?? null,
      email: user?.email?.toLowerCase().slice(0, 254) ?? null,
      raw: JSON.stringify(user ?? null),
      user_id: eb
        .selectFrom("oauth_accounts")
        .select("oauth_accounts.user_id")
        .where("oauth_accounts.provider", "=", "clever")
        .where("oauth_accounts.provider_account_id", "=", cleverId),
    }))
    .onConflict((oc) =>
      oc.columns(["classroom_id", "clever_student_id"]).doUpdateSet((eb) => ({
        first_name: eb.ref("excluded.first_name"),
        last_name: eb.ref("excluded.last_name"),
        email: eb.ref("excluded.email"),
        raw: eb.ref("excluded.raw"),
        user_id: eb.ref("excluded.user_id"),
      })),
    )
    .execute();
}

/** Students no longer on the section's roster leave it (and with it, access to its assignments). */
export async function deleteStudentsNotIn(tx: Tx, classroomId: string, cleverIds: string[]) {
  let q = tx.deleteFrom("classroom_students").where("classroom_id", "=", classroomId);
  if (cleverIds.length) q = q.where("clever_student_id", "not in", cleverIds);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The teacher's classrooms whose sections left the roster (their assignments go with them). */
export async function deleteClassroomsNotIn(tx: Tx, teacherId: string, sectionIds: string[]) {
  let q = tx.deleteFrom("classrooms").where("teacher_id", "=", teacherId);
  if (sectionIds.length) q = q.where("clever_section_id", "not in", sectionIds);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The classrooms the caller may see (RLS: taught or attended), with counts. */
export async function listClassrooms(tx: Tx) {
  return tx
    .selectFrom("classrooms as c")
    .select((eb) => [
      "c.id",
      "c.teacher_id",
      "c.name",
      "c.subject",
      "c.grade",
      "c.period",
      eb
        .selectFrom("classroom_students as s")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("s.classroom_id", "=", "c.id")
        .as("student_count"),
      eb
        .selectFrom("classroom_assignments as a")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("a.classroom_id", "=", "c.id")
        .as("assignment_count"),
    ])
    .orderBy("c.name")
    .orderBy("c.id")
    .limit(500)
    .execute();
}

export async function findClassroom(tx: Tx, classroomId: string) {
  return tx
    .selectFrom("classrooms")
    .select(["id", "teacher_id", "name", "subject", "grade", "period"])
    .where("id", "=", classroomId)
    .executeTakeFirst();
}

export async function listStudents(tx: Tx, classroomId: string) {
  return tx
    .selectFrom("classroom_students")
    .select(["id", "first_name", "last_name", "email", "user_id"])
    .where("classroom_id", "=", classroomId)
    .orderBy("last_name")
    .orderBy("first_name")
    .orderBy("id")
    .execute();
}

/** Assignments of a classroom with their items (the items the caller can read: own, or assigned to them). */
export async function listAssignments(tx: Tx, classroomId: string) {
  return tx
    .selectFrom("classroom_assignments as a")
    .innerJoin("study_items as i", "i.id", "a.item_id")
    .select(["a.id", "a.item_id", "i.title", "i.item_type", "a.due_at", "a.created_at"])
    .where("a.classroom_id", "=", classroomId)
    .orderBy("a.created_at", "desc")
    .orderBy("a.id")
    .execute();
}

export async function findOwnItem(tx: Tx, userId: string, itemId: string) {
  return tx.selectFrom("study_items").select(["id"]).where("id", "=", itemId).where("user_id", "=", userId).executeTakeFirst();
}

export async function upsertAssignment(
  tx: Tx,
  values: { classroomId: string; itemId: string; assignedBy: string; dueAt: Date | null },
) {
  return tx
    .insertInto("classroom_assignments")
    .values({ classroom_id: values.classroomId, item_id: values.itemId, assigned_by: values.assignedBy, due_at: values.dueAt })
    .onConflict((oc) => oc.columns(["classroom_id", "item_id"]).doUpdateSet((eb) => ({ due_at: eb.ref("excluded.due_at") })))
    .returning(["id"])
    .executeTakeFirstOrThrow();
}

export async function deleteAssignment(tx: Tx, classroomId: string, itemId: string) {
  const r = await tx
    .deleteFrom("classroom_assignments")
    .where("classroom_id", "=", classroomId)
    .where("item_id", "=", itemId)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Everything assigned to the classrooms the caller is a student of. */
export async function listMyAssignments(tx: Tx, userId: string) {
  return tx
    .selectFrom("classroom_assignments as a")
    .innerJoin("classroom_students as s", (j) => j.onRef("s.classroom_id", "=", "a.classroom_id").on("s.user_id", "=", userId))
    .innerJoin("classrooms as c", "c.id", "a.classroom_id")
    .innerJoin("study_items as i", "i.id", "a.item_id")
    .select([
      "a.id",
      "a.item_id",
      "i.title",
      "i.item_type",
      "a.due_at",
      "a.created_at",
      "c.id as classroom_id",
      "c.name as classroom_name",
    ])
    .orderBy(sql`a.due_at IS NULL`)
    .orderBy("a.due_at")
    .orderBy("a.created_at", "desc")
    .limit(500)
    .execute();
}

/** Results of these students on these items (RLS: the teacher policy of 0066 decides what shows). */
export async function resultsOf(tx: Tx, studentIds: string[], itemIds: string[]) {
  if (!studentIds.length || !itemIds.length) return { quiz: [], writing: [], flashcards: [] };
  const quiz = await tx
    .selectFrom("quiz_results")
    .select(["user_id", "item_id", "accuracy", "created_at"])
    .where("user_id", "in", studentIds)
    .where("item_id", "in", itemIds)
    .orderBy("created_at", "desc")
    .limit(5000)
    .execute();
  const writing = await tx
    .selectFrom("writing_results")
    .select(["user_id", "item_id", "overall_score", "created_at"])
    .where("user_id", "in", studentIds)
    .where("item_id", "in", itemIds)
    .orderBy("created_at", "desc")
    .limit(5000)
    .execute();
  const flashcards = await tx
    .selectFrom("flashcard_results")
    .select(["user_id", "flashcard_item_id", "known_count", "total_cards", "created_at"])
    .where("user_id", "in", studentIds)
    .where("flashcard_item_id", "in", itemIds)
    .orderBy("created_at", "desc")
    .limit(5000)
    .execute();
  return { quiz, writing, flashcards };
}
