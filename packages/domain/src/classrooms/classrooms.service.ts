/**
 * Classrooms rostered from Clever: the sync that makes a teacher's classrooms match their Clever
 * sections, assignments of a teacher's study items to a classroom, what a student has been assigned,
 * and the results a teacher may see per student.
 *
 * The sync reads Clever with no transaction open, then applies the whole roster in one system
 * transaction: classrooms and students are upserted by their Clever ids (running it twice changes
 * nothing), and a student or section that is no longer on the roster is deleted, which takes away the
 * student's access to what was assigned there (the study_items policy follows the roster rows).
 */
import { asSystem, type Database, type SessionAuth, type Tx } from "@inkwell/db";
import { oauthSignIn, type ProviderProfile } from "../identity/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue } from "../platform/queue.ts";
import type { KeyRing } from "../platform/secret-box.ts";
import { syncRosterJob } from "./classrooms.jobs.ts";
import * as repo from "./classrooms.repository.ts";
import type {
  AssignInput,
  ClassroomDetail,
  ClassroomSummary,
  MyAssignment,
  StudentResult,
  SyncStatus,
} from "./classrooms.schemas.ts";
import { type CleverClient, type CleverUser, createCleverClient } from "./clever.client.ts";

/** Called by sign-in (inside its transaction) when a Clever account is linked to a user. */
export async function recordCleverSignIn(tx: Tx, link: { userId: string; profile: ProviderProfile }) {
  const clever = link.profile.clever;
  if (!clever) return;
  await repo.upsertCleverAccount(tx, {
    userId: link.userId,
    cleverId: link.profile.id,
    districtId: clever.districtId,
    schoolId: clever.schoolId,
    role: clever.role,
    raw: clever.raw,
  });
  // The identity may have moved here from another account (unlinked there): what it brought follows it.
  // Roster rows still claimed by someone else are taken over (claimStudentRows), and so are the classrooms
  // synced from this Clever teacher, so the next sync refreshes them rather than finding every section
  // "another teacher's".
  await repo.claimStudentRows(tx, link.userId, link.profile.id);
  await repo.takeOverClassrooms(tx, link.userId, link.profile.id);
}

/**
 * Called by unlink (inside its transaction) when a Clever account is unlinked: the Clever record goes
 * and the student's roster rows are released (they stay on the roster for a later claim), so nothing
 * assigned there is readable by this account any more. A teacher's classrooms stay with them until the
 * identity signs in to another account.
 */
export async function releaseCleverSignIn(tx: Tx, link: { providerAccountId: string }) {
  await repo.releaseCleverIdentity(tx, link.providerAccountId);
}

export async function syncStatus(tx: Tx, auth: SessionAuth): Promise<SyncStatus> {
  const row = await repo.findCleverAccount(tx, auth.userId);
  return {
    cleverLinked: row !== undefined,
    role: row?.role ?? null,
    lastSyncAt: row?.last_sync_at ?? null,
    status: (row?.last_sync_status as SyncStatus["status"]) ?? null,
    error: row?.last_sync_error ?? null,
  };
}

/** Queues a roster sync for a teacher who signed in with Clever. */
export async function requestSync(deps: { db: Database; enqueue: Enqueue }, userId: string, apiUrl: string): Promise<SyncStatus> {
  return asSystem(deps.db, async (tx) => {
    const account = await repo.findCleverAccount(tx, userId);
    if (!account)
      throw new DomainError("PRECONDITION_FAILED", "Sign in with Clever first: classrooms come from your Clever sections.");
    if (account.role !== "teacher") throw new DomainError("FORBIDDEN", "Only teachers sync classrooms from Clever.");
    await repo.setSyncStatus(tx, userId, "queued", null);
    await deps.enqueue(tx, syncRosterJob, { teacherId: userId, apiUrl }, { singletonKey: userId });
    return { cleverLinked: true, role: account.role, lastSyncAt: account.last_sync_at, status: "queued", error: null };
  });
}

export interface SyncOutcome {
  classrooms: number;
  students: number;
  removedStudents: number;
  removedClassrooms: number;
}

/** Makes the teacher's classrooms match their Clever sections (the job's work; see the file comment). */
export async function syncRoster(
  deps: { db: Database; keyRing: KeyRing; client?: (token: string) => CleverClient },
  input: { teacherId: string; apiUrl: string },
): Promise<SyncOutcome> {
  const found = await asSystem(deps.db, async (tx) => ({
    account: await repo.findCleverAccount(tx, input.teacherId),
    token: await oauthSignIn.providerAccessToken(deps.keyRing, tx, input.teacherId, "clever"),
  }));
  if (found.account?.role !== "teacher") return { classrooms: 0, students: 0, removedStudents: 0, removedClassrooms: 0 };
  const cleverId = found.account.clever_id;
  try {
    if (!found.token) throw new DomainError("PRECONDITION_FAILED", "Sign in with Clever again to sync.");
    const client = deps.client?.(found.token) ?? createCleverClient({ apiUrl: input.apiUrl, accessToken: found.token });
    const sections = (await client.sections()).filter((s) => s.teachers.includes(cleverId) || s.teacher === cleverId);
    const students = new Map<string, CleverUser>((await client.users("student")).map((u) => [u.id, u]));
    return await asSystem(deps.db, async (tx) => {
      const outcome: SyncOutcome = { classrooms: 0, students: 0, removedStudents: 0, removedClassrooms: 0 };
      // The identity may have left the teacher while Clever was read (unlinked, signed in elsewhere): the
      // roster is then no longer theirs to write. Locked, so an unlink or a move waits for this, or is seen.
      const still = await repo.findCleverAccount(tx, input.teacherId, { lock: true });
      if (still?.clever_id !== cleverId || still.role !== "teacher") return outcome;
      const kept: string[] = [];
      for (const section of sections) {
        const classroomId = await repo.upsertClassroom(tx, input.teacherId, cleverId, section);
        if (!classroomId) continue; // the section is another teacher's classroom here
        kept.push(section.id);
        outcome.classrooms++;
        const ids = [...new Set(section.students)];
        for (const id of ids) await repo.upsertStudent(tx, classroomId, id, students.get(id));
        outcome.students += ids.length;
        outcome.removedStudents += await repo.deleteStudentsNotIn(tx, classroomId, ids);
      }
      outcome.removedClassrooms = await repo.deleteClassroomsNotIn(tx, input.teacherId, kept);
      await repo.setSyncStatus(tx, input.teacherId, "ok", null);
      return outcome;
    });
  } catch (error) {
    const message = error instanceof DomainError ? error.message : "Clever could not be reached.";
    await asSystem(deps.db, (tx) => repo.setSyncStatus(tx, input.teacherId, "failed", message));
    // Clever down or slow: pg-boss retries. A refusal (token no longer valid) would fail every retry.
    if (error instanceof DomainError && error.code === "PRECONDITION_FAILED")
      return { classrooms: 0, students: 0, removedStudents: 0, removedClassrooms: 0 };
    throw error;
  }
}

export async function list(tx: Tx, auth: SessionAuth): Promise<{ classrooms: ClassroomSummary[] }> {
  const rows = await repo.listClassrooms(tx);
  return {
    classrooms: rows.map((r) => {
      const teacher = r.teacher_id === auth.userId;
      return {
        id: r.id,
        name: r.name,
        subject: r.subject,
        grade: r.grade,
        period: r.period,
        // A student sees only their own roster row, so a count would say 1: only the teacher gets one.
        studentCount: teacher ? (r.student_count ?? 0) : 0,
        assignmentCount: r.assignment_count ?? 0,
        as: teacher ? "teacher" : "student",
      };
    }),
  };
}

export async function get(tx: Tx, auth: SessionAuth, classroomId: string): Promise<ClassroomDetail> {
  const c = await repo.findClassroom(tx, classroomId);
  if (!c) throw notFound("Classroom");
  const teacher = c.teacher_id === auth.userId;
  const students = teacher ? await repo.listStudents(tx, classroomId) : [];
  const assignments = await repo.listAssignments(tx, classroomId);
  return {
    id: c.id,
    name: c.name,
    subject: c.subject,
    grade: c.grade,
    period: c.period,
    as: teacher ? "teacher" : "student",
    students: students.map((s) => ({
      id: s.id,
      firstName: s.first_name,
      lastName: s.last_name,
      email: s.email,
      joined: s.user_id !== null,
    })),
    assignments: assignments.map((a) => ({
      id: a.id,
      itemId: a.item_id,
      itemTitle: a.title,
      itemType: a.item_type,
      dueAt: a.due_at,
      createdAt: a.created_at,
    })),
  };
}

async function taughtClassroom(tx: Tx, auth: SessionAuth, classroomId: string) {
  const c = await repo.findClassroom(tx, classroomId);
  // A classroom the caller only attends is as good as absent to them here (no existence leak either way).
  if (!c || c.teacher_id !== auth.userId) throw notFound("Classroom");
  return c;
}

export async function assign(tx: Tx, auth: SessionAuth, input: AssignInput): Promise<{ id: string }> {
  await taughtClassroom(tx, auth, input.classroomId);
  if (!(await repo.findOwnItem(tx, auth.userId, input.itemId))) throw notFound("Study item");
  return repo.upsertAssignment(tx, {
    classroomId: input.classroomId,
    itemId: input.itemId,
    assignedBy: auth.userId,
    dueAt: input.dueAt ?? null,
  });
}

export async function unassign(tx: Tx, auth: SessionAuth, input: { classroomId: string; itemId: string }): Promise<void> {
  await taughtClassroom(tx, auth, input.classroomId);
  if (!(await repo.deleteAssignment(tx, input.classroomId, input.itemId))) throw notFound("Assignment");
}

export async function myAssignments(tx: Tx, auth: SessionAuth): Promise<{ assignments: MyAssignment[] }> {
  const rows = await repo.listMyAssignments(tx, auth.userId);
  return {
    assignments: rows.map((a) => ({
      id: a.id,
      itemId: a.item_id,
      itemTitle: a.title,
      itemType: a.item_type,
      dueAt: a.due_at,
      createdAt: a.created_at,
      classroomId: a.classroom_id,
      classroomName: a.classroom_name,
    })),
  };
}

/** Per student of a taught classroom: their results on the items assigned to it (newest first). */
export async function results(tx: Tx, auth: SessionAuth, classroomId: string): Promise<{ students: StudentResult[] }> {
  await taughtClassroom(tx, auth, classroomId);
  const students = await repo.listStudents(tx, classroomId);
  const itemIds = (await repo.listAssignments(tx, classroomId)).map((a) => a.item_id);
  const userIds = students.flatMap((s) => (s.user_id ? [s.user_id] : []));
  const found = await repo.resultsOf(tx, userIds, itemIds);
  const byUser = new Map<string, StudentResult["results"]>();
  const push = (userId: string, r: StudentResult["results"][number]) => byUser.set(userId, [...(byUser.get(userId) ?? []), r]);
  for (const q of found.quiz)
    if (q.item_id)
      push(q.user_id, { itemId: q.item_id, kind: "quiz", percent: Math.round(Number(q.accuracy) * 100), at: q.created_at });
  for (const w of found.writing)
    if (w.item_id)
      push(w.user_id, { itemId: w.item_id, kind: "writing", percent: Math.round(Number(w.overall_score)), at: w.created_at });
  for (const f of found.flashcards)
    if (f.flashcard_item_id)
      push(f.user_id, {
        itemId: f.flashcard_item_id,
        kind: "flashcards",
        percent: f.total_cards ? Math.round((f.known_count / f.total_cards) * 100) : 0,
        at: f.created_at,
      });
  return {
    students: students.map((s) => ({
      studentId: s.id,
      firstName: s.first_name,
      lastName: s.last_name,
      joined: s.user_id !== null,
      results: (s.user_id ? byUser.get(s.user_id) : undefined)?.sort((a, b) => b.at.getTime() - a.at.getTime()) ?? [],
    })),
  };
}
