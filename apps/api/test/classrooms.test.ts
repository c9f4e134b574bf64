import { randomUUID } from "node:crypto";
import { classrooms, createCleverClient } from "@inkwell/domain/classrooms";
import type { IdentitySandbox, SandboxUser } from "@inkwell/domain/classrooms/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, type Harness, startHarness } from "./harness.ts";
import { newSandboxUser, oauthError, signInWith, withIdentitySandbox } from "./oauth-kit.ts";

let h: Harness;
let sandbox: IdentitySandbox;

beforeAll(async () => {
  h = await startHarness();
  sandbox = await withIdentitySandbox(h);
});
afterAll(async () => {
  await h?.stop();
  await sandbox?.stop();
});

const quiz = (title: string) => ({
  itemType: "quiz" as const,
  title,
  content: { questions: [{ id: "q1", kind: "true_false" as const, prompt: "Cells have walls?", answer: true }] },
});

async function signedIn(user: SandboxUser) {
  const dance = await signInWith(h, "clever", user.id);
  if (!dance.session) throw new Error(`no session: ${dance.location}`);
  const caller = h.as(dance.session);
  return { caller, me: await caller.profile.get() };
}

/** A school of its own: two teachers, four students, three sections (ids unique to this run). */
async function school() {
  const tag = randomUUID().slice(0, 6);
  const teacher = newSandboxUser(sandbox, "clever", { role: "teacher", firstName: "Ana" });
  const other = newSandboxUser(sandbox, "clever", { role: "teacher", firstName: "Chidi" });
  const s = [1, 2, 3, 4].map((n) => newSandboxUser(sandbox, "clever", { role: "student", firstName: `Student${n}` }));
  const [s1, s2, s3, s4] = s as [SandboxUser, SandboxUser, SandboxUser, SandboxUser];
  sandbox.addSection({
    id: `sec-a-${tag}`,
    name: `Biology 1 ${tag}`,
    grade: "7",
    period: "1",
    teachers: [teacher.id],
    students: [s1.id, s2.id],
  });
  sandbox.addSection({
    id: `sec-b-${tag}`,
    name: `Biology 3 ${tag}`,
    grade: "7",
    period: "3",
    teachers: [teacher.id],
    students: [s3.id],
  });
  sandbox.addSection({ id: `sec-c-${tag}`, name: `History ${tag}`, teachers: [other.id], students: [s2.id, s4.id] });
  return { tag, teacher, other, s1, s2, s3, s4 };
}

const sync = (teacherId: string) =>
  classrooms.syncRoster({ db: h.db, keyRing: h.deps.keyRing }, { teacherId, apiUrl: sandbox.url });

describe("classrooms", () => {
  it("a teacher syncs their sections, assigns an item; students on the roster see it, others do not", async () => {
    const sch = await school();
    const teacher = await signedIn(sch.teacher);
    const other = await signedIn(sch.other);
    const s1 = await signedIn(sch.s1);
    const s4 = await signedIn(sch.s4);

    // Sync is a queued job for a Clever teacher only.
    expect((await teacher.caller.classrooms.sync()).status).toBe("queued");
    await expectTrpcError(s1.caller.classrooms.sync(), "FORBIDDEN");
    const passwordOnly = await h.signUp("nocl");
    await expectTrpcError(passwordOnly.caller.classrooms.sync(), "PRECONDITION_FAILED");

    sandbox.setPageSize(1); // walk Clever's `next` links
    await sync(teacher.me.id);
    await sync(other.me.id);
    sandbox.setPageSize(100);

    const mine = await teacher.caller.classrooms.list();
    expect(mine.classrooms.map((c) => c.name)).toEqual([`Biology 1 ${sch.tag}`, `Biology 3 ${sch.tag}`]);
    expect(mine.classrooms.map((c) => [c.as, c.studentCount])).toEqual([
      ["teacher", 2],
      ["teacher", 1],
    ]);
    expect(mine.sync.status).toBe("ok");
    expect((await other.caller.classrooms.list()).classrooms.map((c) => c.name)).toEqual([`History ${sch.tag}`]);
    // Students see the classrooms they are on (as students), none of the others.
    expect((await s1.caller.classrooms.list()).classrooms.map((c) => [c.name, c.as])).toEqual([
      [`Biology 1 ${sch.tag}`, "student"],
    ]);

    const bio1 = mine.classrooms[0]?.id ?? "";
    const detail = await teacher.caller.classrooms.get({ classroomId: bio1 });
    expect(detail.students.map((s) => [s.firstName, s.joined]).sort()).toEqual([
      ["Student1", true],
      ["Student2", false],
    ]);
    // Another teacher: as if it did not exist.
    await expectTrpcError(other.caller.classrooms.get({ classroomId: bio1 }), "NOT_FOUND");
    await expectTrpcError(other.caller.classrooms.results({ classroomId: bio1 }), "NOT_FOUND");

    const item = await teacher.caller.study.library.items.create(quiz("Cell quiz"));
    const otherItem = await other.caller.study.library.items.create(quiz("History quiz"));
    await teacher.caller.classrooms.assign({ classroomId: bio1, itemId: item.id });
    // Only one's own items, only to one's own classrooms; a student cannot assign.
    await expectTrpcError(teacher.caller.classrooms.assign({ classroomId: bio1, itemId: otherItem.id }), "NOT_FOUND");
    await expectTrpcError(other.caller.classrooms.assign({ classroomId: bio1, itemId: otherItem.id }), "NOT_FOUND");
    await expectTrpcError(s1.caller.classrooms.assign({ classroomId: bio1, itemId: item.id }), "NOT_FOUND");

    const assigned = await s1.caller.classrooms.myAssignments();
    expect(assigned.assignments.map((a) => [a.itemTitle, a.classroomName])).toEqual([["Cell quiz", `Biology 1 ${sch.tag}`]]);
    // The item itself is readable to the student now (the study_items policy), not to anyone else.
    expect((await s1.caller.study.library.items.get({ itemId: item.id })).title).toBe("Cell quiz");
    expect((await s4.caller.classrooms.myAssignments()).assignments).toEqual([]);
    await expectTrpcError(s4.caller.study.library.items.get({ itemId: item.id }), "NOT_FOUND");
    // A student sees their classroom's assignments but not the roster.
    const asStudent = await s1.caller.classrooms.get({ classroomId: bio1 });
    expect(asStudent.students).toEqual([]);
    expect(asStudent.assignments.map((a) => a.itemTitle)).toEqual(["Cell quiz"]);

    // Results per student: the assigned quiz's result shows; an unassigned one of the same student does not.
    await s1.caller.study.quiz.submit({
      itemId: item.id,
      attemptKey: `attempt-${item.id}`,
      answers: [{ questionId: "q1", response: true, timeMs: 900 }],
    });
    const own = await s1.caller.study.library.items.create(quiz("Private practice"));
    await s1.caller.study.quiz.submit({
      itemId: own.id,
      attemptKey: `attempt-${own.id}`,
      answers: [{ questionId: "q1", response: false, timeMs: 900 }],
    });
    const results = await teacher.caller.classrooms.results({ classroomId: bio1 });
    const row = results.students.find((s) => s.firstName === "Student1");
    expect(row?.results.map((r) => [r.itemId, r.kind, r.percent])).toEqual([[item.id, "quiz", 100]]);
    expect(results.students.find((s) => s.firstName === "Student2")?.results).toEqual([]);

    // Unassigning takes it away again.
    await teacher.caller.classrooms.unassign({ classroomId: bio1, itemId: item.id });
    expect((await s1.caller.classrooms.myAssignments()).assignments).toEqual([]);
    await expectTrpcError(teacher.caller.classrooms.unassign({ classroomId: bio1, itemId: item.id }), "NOT_FOUND");
  });

  it("a student removed from the roster loses access at the next sync; syncing twice changes nothing", async () => {
    const sch = await school();
    const teacher = await signedIn(sch.teacher);
    const s1 = await signedIn(sch.s1);
    await sync(teacher.me.id);
    const first = await h.asSystem((tx) =>
      tx
        .selectFrom("classroom_students")
        .innerJoin("classrooms", "classrooms.id", "classroom_students.classroom_id")
        .select(["classroom_students.id", "classroom_students.clever_student_id"])
        .where("classrooms.teacher_id", "=", teacher.me.id)
        .orderBy("classroom_students.id")
        .execute(),
    );
    await sync(teacher.me.id);
    const second = await h.asSystem((tx) =>
      tx
        .selectFrom("classroom_students")
        .innerJoin("classrooms", "classrooms.id", "classroom_students.classroom_id")
        .select(["classroom_students.id", "classroom_students.clever_student_id"])
        .where("classrooms.teacher_id", "=", teacher.me.id)
        .orderBy("classroom_students.id")
        .execute(),
    );
    expect(second).toEqual(first);
    expect(first).toHaveLength(3);

    const bio1 = (await teacher.caller.classrooms.list()).classrooms[0]?.id ?? "";
    const item = await teacher.caller.study.library.items.create(quiz("Roster quiz"));
    await teacher.caller.classrooms.assign({ classroomId: bio1, itemId: item.id });
    expect((await s1.caller.classrooms.myAssignments()).assignments).toHaveLength(1);

    sandbox.removeStudent(`sec-a-${sch.tag}`, sch.s1.id);
    const outcome = await sync(teacher.me.id);
    expect(outcome.removedStudents).toBe(1);
    expect((await s1.caller.classrooms.myAssignments()).assignments).toEqual([]);
    expect((await s1.caller.classrooms.list()).classrooms).toEqual([]);
    await expectTrpcError(s1.caller.study.library.items.get({ itemId: item.id }), "NOT_FOUND");

    // A section that left Clever takes its classroom (and assignments) with it.
    const section = sandbox.roster.sections.findIndex((s) => s.id === `sec-b-${sch.tag}`);
    sandbox.roster.sections.splice(section, 1);
    expect((await sync(teacher.me.id)).removedClassrooms).toBe(1);
    expect((await teacher.caller.classrooms.list()).classrooms.map((c) => c.name)).toEqual([`Biology 1 ${sch.tag}`]);
  });
});

describe("a Clever identity leaving an account", () => {
  /** A password account with this Clever identity linked from Settings (so it may unlink it). */
  async function linkedToPasswordAccount(tag: string, user: SandboxUser) {
    const account = await h.signUp(tag);
    const dance = await signInWith(h, "clever", user.id, { sessionToken: account.token, link: true });
    expect(oauthError(dance.location)).toBeNull();
    const unlink = async () => {
      const link = (await account.caller.signInAccounts.list()).accounts.find((a) => a.provider === "clever");
      await account.caller.signInAccounts.unlink({ id: link?.id ?? "" });
    };
    return { ...account, unlink };
  }

  it("unlinking Clever takes a student off their rosters: assigned items close to them, the rows stay for a later claim", async () => {
    const sch = await school();
    const teacher = await signedIn(sch.teacher);
    const student = await linkedToPasswordAccount("clever-student", sch.s1);
    await sync(teacher.me.id);
    const bio1 = (await teacher.caller.classrooms.list()).classrooms[0]?.id ?? "";
    const item = await teacher.caller.study.library.items.create(quiz("Unlink quiz"));
    await teacher.caller.classrooms.assign({ classroomId: bio1, itemId: item.id });
    expect((await student.caller.study.library.items.get({ itemId: item.id })).title).toBe("Unlink quiz");

    await student.unlink();
    await expectTrpcError(student.caller.study.library.items.get({ itemId: item.id }), "NOT_FOUND");
    expect(await student.caller.classrooms.myAssignments()).toEqual({ assignments: [] });
    expect(await student.caller.classrooms.list()).toMatchObject({ classrooms: [], sync: { cleverLinked: false } });
    // Still on the roster, no longer joined; the Clever student claims it again wherever they sign in next.
    const row = () =>
      teacher.caller.classrooms.get({ classroomId: bio1 }).then((c) => c.students.find((s) => s.firstName === "Student1"));
    expect(await row()).toMatchObject({ joined: false });
    const again = await signedIn(sch.s1);
    expect(again.me.id).not.toBe(student.me.id);
    expect(await row()).toMatchObject({ joined: true });
    expect((await again.caller.study.library.items.get({ itemId: item.id })).title).toBe("Unlink quiz");
    await expectTrpcError(student.caller.study.library.items.get({ itemId: item.id }), "NOT_FOUND");
  });

  it("a teacher's classrooms follow their Clever identity to the account it signs in to next, in the same sign-in", async () => {
    const sch = await school();
    const before = await linkedToPasswordAccount("clever-teacher", sch.teacher);
    const s1 = await signedIn(sch.s1);
    await sync(before.me.id);
    const taught = (await before.caller.classrooms.list()).classrooms;
    expect(taught.map((c) => c.name)).toEqual([`Biology 1 ${sch.tag}`, `Biology 3 ${sch.tag}`]);
    const bio1 = taught[0]?.id ?? "";
    const oldItem = await before.caller.study.library.items.create(quiz("Old account's quiz"));
    await before.caller.classrooms.assign({ classroomId: bio1, itemId: oldItem.id });
    expect((await s1.caller.study.library.items.get({ itemId: oldItem.id })).title).toBe("Old account's quiz");

    // Unlinked: the classrooms stay with the account that made them, until the identity signs in elsewhere.
    await before.unlink();
    expect((await before.caller.classrooms.list()).classrooms.map((c) => c.id)).toEqual(taught.map((c) => c.id));

    const after = await signedIn(sch.teacher);
    expect(after.me.id).not.toBe(before.me.id);
    const moved = await after.caller.classrooms.list();
    expect(moved.classrooms.map((c) => [c.id, c.as, c.studentCount])).toEqual(
      taught.map((c) => [c.id, "teacher", c.studentCount]),
    );
    expect(moved.sync).toMatchObject({ cleverLinked: true, role: "teacher" });
    expect((await before.caller.classrooms.list()).classrooms).toEqual([]);
    await expectTrpcError(before.caller.classrooms.results({ classroomId: bio1 }), "NOT_FOUND");
    // The old account's item is no longer assigned (the new account could neither read nor withdraw it).
    expect((await after.caller.classrooms.get({ classroomId: bio1 })).assignments).toEqual([]);
    await expectTrpcError(s1.caller.study.library.items.get({ itemId: oldItem.id }), "NOT_FOUND");
    // The next sync refreshes them (it found every section "another teacher's" before), and teaching goes on.
    expect(await sync(after.me.id)).toMatchObject({ classrooms: 2, removedClassrooms: 0 });
    const item = await after.caller.study.library.items.create(quiz("New account's quiz"));
    await after.caller.classrooms.assign({ classroomId: bio1, itemId: item.id });
    expect((await s1.caller.classrooms.myAssignments()).assignments.map((a) => a.itemTitle)).toEqual(["New account's quiz"]);
  });

  it("a sync still reading Clever when the identity moves writes nothing for the old account", async () => {
    const sch = await school();
    const before = await linkedToPasswordAccount("clever-racer", sch.teacher);
    await sync(before.me.id);
    // A section new at Clever, read by the old account's sync while the identity leaves it.
    sandbox.addSection({
      id: `sec-d-${sch.tag}`,
      name: `Biology 5 ${sch.tag}`,
      teachers: [sch.teacher.id],
      students: [sch.s1.id],
    });
    let reading!: () => void;
    const read = new Promise<void>((r) => {
      reading = r;
    });
    let go!: () => void;
    const gate = new Promise<void>((r) => {
      go = r;
    });
    const running = classrooms.syncRoster(
      {
        db: h.db,
        keyRing: h.deps.keyRing,
        client: (token) => {
          const c = createCleverClient({ apiUrl: sandbox.url, accessToken: token });
          return {
            ...c,
            sections: async () => {
              const s = await c.sections();
              reading();
              await gate;
              return s;
            },
          };
        },
      },
      { teacherId: before.me.id, apiUrl: sandbox.url },
    );
    await read;
    await before.unlink();
    const after = await signedIn(sch.teacher);
    go();
    await running;
    expect((await before.caller.classrooms.list()).classrooms).toEqual([]);
    expect((await after.caller.classrooms.list()).classrooms.map((c) => c.name)).toEqual([
      `Biology 1 ${sch.tag}`,
      `Biology 3 ${sch.tag}`,
    ]);
    expect(await sync(after.me.id)).toMatchObject({ classrooms: 3, removedClassrooms: 0 });
  });
});
