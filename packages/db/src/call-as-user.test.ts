import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb } from "./client.ts";
import { asSystem, callAsUser } from "./rls.ts";

const { db } = createDb({ url: inject("databaseUrl"), max: 4 });
afterAll(() => db.destroy());

beforeAll(async () => {
  // What collation a function's text argument arrives with: a plpgsql function's parameters take the
  // collation of the call's arguments, and its queries compare them with the table's columns in it.
  await sql`
    CREATE OR REPLACE FUNCTION app.test_argument_collation(p_text text, p_texts text[])
    RETURNS TABLE (text_collation text, texts_collation text) LANGUAGE plpgsql AS $$
    BEGIN
      RETURN QUERY SELECT pg_collation_for(p_text)::text, pg_collation_for(p_texts[1])::text;
    END $$`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.test_argument_collation(text, text[]) TO inkwell_user`.execute(db);
  await sql`
    CREATE OR REPLACE FUNCTION app.test_integer_arguments(p_int integer, p_ints integer[])
    RETURNS TABLE (int_value integer, ints_value integer[]) LANGUAGE plpgsql AS $$
    BEGIN
      RETURN QUERY SELECT p_int, p_ints;
    END $$`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.test_integer_arguments(integer, integer[]) TO inkwell_user`.execute(db);
});

describe("callAsUser", () => {
  // The text travels hex-encoded through convert_from(…, 'UTF8'), whose encoding argument is a `name`,
  // and a name's collation is "C": the decoded text came out collated "C", unlike every column and
  // bound parameter ("default"). A comparison in that collation cannot use an index built in the
  // default one, so app.charge_credits' replay check (user_id, idempotency_key) matched on user_id only
  // and read every earlier charge of the account: a busy account's charges slowed as its ledger grew
  // (native, one account: 1,165 → 376 charges/s in 20 s).
  it("passes text (and text[]) arguments in the database's default collation, as a bound parameter is", async () => {
    const userId = await asSystem(db, async (tx) => {
      const u = await tx
        .insertInto("users")
        .values({ email: `collation-${Date.now()}@example.test`, password_hash: "x" })
        .returning("id")
        .executeTakeFirstOrThrow();
      return u.id;
    });
    const [rows] = await callAsUser(db, userId, "app.test_argument_collation", [
      [{ text: "key-1 'quoted' ü" }, { texts: ["key-2", "key-3"] }],
    ]);
    expect(rows).toEqual([{ text_collation: '"default"', texts_collation: '"default"' }]);
  });

  // An integer literal is a unary minus applied to a positive literal, and the cast binds tighter than
  // the minus: -2147483648::integer cast 2147483648 (out of range) before negating it.
  it("passes every Postgres integer, the smallest included, alone and in an integer[]", async () => {
    const userId = await asSystem(db, async (tx) => {
      const u = await tx
        .insertInto("users")
        .values({ email: `integers-${Date.now()}@example.test`, password_hash: "x" })
        .returning("id")
        .executeTakeFirstOrThrow();
      return u.id;
    });
    const smallest = -(2 ** 31);
    const [rows] = await callAsUser(db, userId, "app.test_integer_arguments", [
      [{ int: smallest }, { ints: [smallest, -1, 0, 2 ** 31 - 1] }],
    ]);
    expect(rows).toEqual([{ int_value: smallest, ints_value: [smallest, -1, 0, 2 ** 31 - 1] }]);
    await expect(
      callAsUser(db, userId, "app.test_integer_arguments", [[{ int: smallest - 1 }, { ints: [] }]]),
    ).rejects.toMatchObject({ code: "22003" });
  });
});
