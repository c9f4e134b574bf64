/**
 * The edge rule for text (trpc/init.ts) and the Postgres errors hostile text can still reach
 * (trpc/errors.ts): a NUL, a control character or a lone surrogate anywhere in an input is a 400 naming
 * the field, before any schema or query runs; tabs and line breaks are ordinary text.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toTRPCError } from "../src/trpc/errors.ts";
import { TRPCError } from "../src/trpc/init.ts";
import { type Harness, startHarness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

let ipCounter = 0;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  h.app.request(`/trpc/${path}`, {
    method: "POST",
    // A fresh address per request, so sign-up throttling never answers first.
    headers: { "content-type": "application/json", "x-forwarded-for": `10.77.${++ipCounter}.1`, ...headers },
    body: JSON.stringify(body),
  });

type ErrorBody = { error: { message: string; data: { code: string; issues: { path: string; message: string }[] | null } } };

describe("the edge rule for text", () => {
  it("refuses a NUL in an anonymous sign-up's display name as a 400 naming the field, and creates no account", async () => {
    const email = h.uniqueEmail("nul");
    const res = await post("auth.signUp", { email, password: "correct horse battery staple", displayName: "Eve\u0000" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.issues).toEqual([
      { path: "displayName", message: "displayName: Contains characters that aren't allowed." },
    ]);
    const signIn = await post("auth.signIn", { email, password: "correct horse battery staple" });
    expect(signIn.status).toBe(401);
  });

  it("refuses lone surrogates and control characters that Postgres would store (mangled or invisible)", async () => {
    for (const displayName of ["Eve\ud800", "\udc00Eve", "Eve\u001b[2J", "Eve\u0008\u0008\u0008Bob", "Eve\u007f"]) {
      const email = h.uniqueEmail("ctl");
      const res = await post("auth.signUp", { email, password: "correct horse battery staple", displayName });
      expect(res.status, JSON.stringify(displayName)).toBe(400);
      expect(((await res.json()) as ErrorBody).error.data.issues?.[0]?.path).toBe("displayName");
    }
  });

  it("checks nested fields, object keys and queries sent as GET", async () => {
    const user = await h.signUp("edge");
    const auth = { authorization: `Bearer ${user.token}` };
    const nested = await post(
      "publishing.posts.compose",
      {
        channels: [{ connectionId: crypto.randomUUID(), parts: ["fine", "not\u0000fine"] }],
        when: { kind: "draft" },
        idempotencyKey: "edge-nested",
      },
      auth,
    );
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as ErrorBody).error.data.issues?.[0]?.path).toBe("channels.0.parts.1");

    const key = await post("profile.update", { preferences: { "theme\u0000": "dark" } }, auth);
    expect(key.status).toBe(400);
    expect(((await key.json()) as ErrorBody).error.data.issues?.[0]?.path).toBe("preferences.theme\ufffd");

    const input = encodeURIComponent(JSON.stringify({ query: "\u0000", limit: 10 }));
    const query = await h.app.request(`/trpc/writer.knowledge.search?input=${input}`, { headers: auth });
    expect(query.status).toBe(400);
  });

  it("lets tabs, line breaks and any script through", async () => {
    const user = await h.signUp("multiline");
    const content = "Line one\n\tindented line two\r\nZoë, 山田, 👋🏽, \u0085 next-line";
    const res = await post(
      "chat.addDocument",
      { title: "Notes\tdraft", kind: "note", content },
      { authorization: `Bearer ${user.token}` },
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const docs = await user.caller.chat.documents();
    expect(docs.some((d) => d.title === "Notes\tdraft")).toBe(true);
  });
});

/** The error queries raise on this database (embedded or native), as a procedure would see it. */
async function pgError(...queries: ReturnType<typeof sql>[]): Promise<TRPCError> {
  try {
    await h.db.transaction().execute(async (tx) => {
      for (const query of queries) await query.execute(tx);
    });
  } catch (cause) {
    return new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause });
  }
  throw new Error("the query succeeded");
}

describe("Postgres errors that input can reach", () => {
  it("maps a NUL in text (22021) to a 400, not a 500", async () => {
    const mapped = toTRPCError(await pgError(sql`SELECT ${"a\u0000b"}::text AS t`));
    expect(mapped.code).toBe("BAD_REQUEST");
    expect(mapped.message).toBe("A value contains characters that aren't allowed.");
  });

  it("maps a LIKE pattern ending in its escape character (22025) to a 400", async () => {
    const mapped = toTRPCError(await pgError(sql`SELECT 'abc' LIKE ${"\\"} AS m`));
    expect(mapped.code).toBe("BAD_REQUEST");
  });

  it("maps an invalid regular expression (2201B) to a 400", async () => {
    const mapped = toTRPCError(await pgError(sql`SELECT 'abc' ~ ${"(unclosed"} AS m`));
    expect(mapped.code).toBe("BAD_REQUEST");
  });

  it("maps the database's own size limits (54000: an index row too large) to a 400", async () => {
    // 8,000 characters that do not compress: too large for a btree index row (about 2.7 KB).
    const incompressible = Array.from({ length: 250 }, () => crypto.randomUUID().replaceAll("-", "")).join("");
    const mapped = toTRPCError(
      await pgError(
        sql`CREATE TEMP TABLE text_input_limits (v text) ON COMMIT DROP`,
        sql`CREATE INDEX ON text_input_limits (v)`,
        sql`INSERT INTO text_input_limits VALUES (${incompressible})`,
      ),
    );
    expect(mapped.code).toBe("BAD_REQUEST");
  });

  it("still answers 500 for errors input cannot cause", async () => {
    const mapped = toTRPCError(await pgError(sql`SELECT * FROM no_such_table_here`));
    expect(mapped.code).toBe("INTERNAL_SERVER_ERROR");
  });
});
