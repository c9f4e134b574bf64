import { sql } from "kysely";
import { afterAll, describe, expect, inject, it } from "vitest";
import { rlsCatalogProblems } from "./catalog-lint.ts";
import { createDb } from "./client.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 2 });
afterAll(() => db.destroy());

/** Applies a sabotage in a transaction, runs the lint inside it, and rolls back. */
async function problemsAfter(sabotage: string): Promise<string[]> {
  let problems: string[] = [];
  await db
    .transaction()
    .execute(async (tx) => {
      await sql.raw(sabotage).execute(tx);
      problems = await rlsCatalogProblems(tx);
      throw new Error("rollback");
    })
    .catch((e) => {
      if ((e as Error).message !== "rollback") throw e;
    });
  return problems;
}

describe("row-level security catalog lint", () => {
  it("finds nothing wrong with the migrated schema", async () => {
    expect(await rlsCatalogProblems(db)).toEqual([]);
  });

  it("fails when a policy the app relies on is dropped", async () => {
    expect(await problemsAfter("DROP POLICY profiles_user_update ON profiles")).toContain(
      "profiles: inkwell_user may UPDATE but no policy covers it",
    );
  });

  it("fails when RLS is switched off or not forced", async () => {
    expect(await problemsAfter("ALTER TABLE sessions DISABLE ROW LEVEL SECURITY")).toContain(
      "sessions: row-level security is off",
    );
    expect(await problemsAfter("ALTER TABLE sessions NO FORCE ROW LEVEL SECURITY")).toContain(
      "sessions: row-level security is not forced",
    );
  });

  it("fails on a new table without RLS", async () => {
    const problems = await problemsAfter("CREATE TABLE notes (id int); GRANT SELECT ON notes TO inkwell_user");
    expect(problems).toEqual(
      expect.arrayContaining([
        "notes: row-level security is off",
        "notes: has no policy",
        "notes: inkwell_user may SELECT but no policy covers it",
      ]),
    );
  });

  it("fails on a view that is not security_invoker", async () => {
    expect(await problemsAfter("CREATE VIEW all_emails AS SELECT email FROM users")).toContain(
      "view all_emails: is not security_invoker",
    );
  });

  it("fails on a SECURITY DEFINER function without pinned search_path or open to PUBLIC", async () => {
    const problems = await problemsAfter("CREATE FUNCTION app.leak() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'");
    expect(problems).toEqual(
      expect.arrayContaining([
        "function app.leak: SECURITY DEFINER without a pinned search_path",
        "function app.leak: SECURITY DEFINER executable by PUBLIC",
      ]),
    );
  });

  it("fails when the app role owns a table or can bypass RLS", async () => {
    expect(await problemsAfter("CREATE TABLE owned (id int); ALTER TABLE owned OWNER TO inkwell_user")).toContain(
      "role inkwell_user: owns 1 object(s)",
    );
    expect(await problemsAfter("ALTER ROLE inkwell_user BYPASSRLS")).toContain("role inkwell_user: has BYPASSRLS");
  });
});
