import { type Kysely, sql } from "kysely";

/**
 * Migration helpers. Migrations never import app code; these helpers only write DDL, so a policy is
 * spelled the same way on every table and the catalog lint has one shape to check.
 */
type Command = "SELECT" | "INSERT" | "UPDATE" | "DELETE";

export interface RlsSpec {
  /** Per command, the column that must equal the current user (rows owned through a column). */
  user?: Partial<Record<"select" | "insert" | "update" | "delete", string>>;
  /** Custom per-command USING expressions for the user role (e.g. ownership through a parent row). */
  userExpr?: Partial<Record<"select" | "insert" | "update" | "delete", string>>;
  /** If set, the user role may UPDATE only these columns. */
  userColumnUpdates?: string[];
  /** Commands the named service role may run on every row. */
  system?: Command[];
}

const CURRENT_USER = "(SELECT app.current_user_id())";

export async function enableRls(db: Kysely<unknown>, table: string, spec: RlsSpec): Promise<void> {
  await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`REVOKE ALL ON ${table} FROM PUBLIC`).execute(db);

  const userCommands = new Map<string, string>();
  for (const [cmd, column] of Object.entries(spec.user ?? {})) userCommands.set(cmd, `${column} = ${CURRENT_USER}`);
  for (const [cmd, expr] of Object.entries(spec.userExpr ?? {})) userCommands.set(cmd, expr);

  for (const [cmd, expr] of userCommands) {
    const upper = cmd.toUpperCase();
    const clause =
      cmd === "insert" ? `WITH CHECK (${expr})` : cmd === "update" ? `USING (${expr}) WITH CHECK (${expr})` : `USING (${expr})`;
    await sql.raw(`CREATE POLICY ${table}_user_${cmd} ON ${table} FOR ${upper} TO inkwell_user ${clause}`).execute(db);
    if (cmd === "update" && spec.userColumnUpdates) {
      await sql.raw(`GRANT UPDATE (${spec.userColumnUpdates.join(", ")}) ON ${table} TO inkwell_user`).execute(db);
    } else {
      await sql.raw(`GRANT ${upper} ON ${table} TO inkwell_user`).execute(db);
    }
  }
  if (spec.system?.length) {
    await sql
      .raw(`CREATE POLICY ${table}_system ON ${table} FOR ALL TO inkwell_system USING (true) WITH CHECK (true)`)
      .execute(db);
    await sql.raw(`GRANT ${spec.system.join(", ")} ON ${table} TO inkwell_system`).execute(db);
  }
}

export async function touchUpdatedAt(db: Kysely<unknown>, table: string): Promise<void> {
  await sql
    .raw(
      `CREATE TRIGGER ${table}_touch_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at()`,
    )
    .execute(db);
}
