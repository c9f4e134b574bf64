/** Inputs and answers of the classrooms module (browser-safe: zod only). */
import { z } from "zod";

export const classroomIdInput = z.object({ classroomId: z.uuid() });
export const assignInput = z.object({
  classroomId: z.uuid(),
  itemId: z.uuid(),
  dueAt: z.coerce.date().nullish(),
});
export const unassignInput = z.object({ classroomId: z.uuid(), itemId: z.uuid() });

export type AssignInput = z.infer<typeof assignInput>;

export interface ClassroomSummary {
  id: string;
  name: string;
  subject: string | null;
  grade: string | null;
  period: string | null;
  studentCount: number;
  assignmentCount: number;
  /** "teacher": the caller teaches it; "student": the caller is on its roster. */
  as: "teacher" | "student";
}

export interface SyncStatus {
  cleverLinked: boolean;
  role: string | null;
  lastSyncAt: Date | null;
  status: "queued" | "ok" | "failed" | null;
  error: string | null;
}

export interface ClassroomStudent {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** Whether the student has signed in to Inkwell with Clever (only then can they see assignments). */
  joined: boolean;
}

export interface ClassroomAssignment {
  id: string;
  itemId: string;
  itemTitle: string;
  itemType: string;
  dueAt: Date | null;
  createdAt: Date;
}

export interface ClassroomDetail extends Omit<ClassroomSummary, "studentCount" | "assignmentCount"> {
  students: ClassroomStudent[];
  assignments: ClassroomAssignment[];
}

export interface MyAssignment extends ClassroomAssignment {
  classroomId: string;
  classroomName: string;
}

export interface StudentResult {
  studentId: string;
  firstName: string | null;
  lastName: string | null;
  joined: boolean;
  results: {
    itemId: string;
    kind: "quiz" | "writing" | "flashcards";
    /** Quiz accuracy, writing score or known cards, as a percentage 0..100. */
    percent: number;
    at: Date;
  }[];
}
