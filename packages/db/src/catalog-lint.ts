/**
 * Reads the Postgres catalog and lists every way the schema could leak one user's rows to another.
 * Run by the test suite on the fully migrated database, so a table added without RLS fails CI.
 */
import { type Kysely, sql } from "kysely";
import { SYSTEM_ROLE, USER_ROLE } from "./rls.ts";

const APP_ROLES = [USER_ROLE, SYSTEM_ROLE];
const COMMANDS = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
const POLICY_CMD: Record<(typeof COMMANDS)[number], string> = { SELECT: "r", INSERT: "a", UPDATE: "w", DELETE: "d" };

export async function rlsCatalogProblems(db: Kysely<any>, schema = "public"): Promise<string[]> {
  const problems: string[] = [];

  const tables = await sql<{ name: string; rls: boolean; forced: boolean }>`
    SELECT c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'kysely\\_%'
    ORDER BY 1`.execute(db);
  for (const t of tables.rows) {
    if (!t.rls) problems.push(`${t.name}: row-level security is off`);
    if (!t.forced) problems.push(`${t.name}: row-level security is not forced`);
  }

  const policies = await sql<{ table: string; cmd: string; roles: string[] }>`
    SELECT c.relname AS table, p.polcmd AS cmd,
           ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END FROM unnest(p.polroles) r) AS roles
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema}`.execute(db);

  for (const t of tables.rows) {
    const tablePolicies = policies.rows.filter((p) => p.table === t.name);
    if (tablePolicies.length === 0) problems.push(`${t.name}: has no policy`);
    for (const role of APP_ROLES) {
      for (const command of COMMANDS) {
        const granted = await sql<{ ok: boolean }>`
          SELECT has_table_privilege(${role}, ${`${schema}.${t.name}`}, ${command})
              OR (${command} IN ('SELECT', 'INSERT', 'UPDATE')
                  AND has_any_column_privilege(${role}, ${`${schema}.${t.name}`}, ${command})) AS ok`.execute(db);
        if (!granted.rows[0]?.ok) continue;
        const covered = tablePolicies.some(
          (p) => (p.cmd === "*" || p.cmd === POLICY_CMD[command]) && (p.roles.includes(role) || p.roles.includes("public")),
        );
        if (!covered) problems.push(`${t.name}: ${role} may ${command} but no policy covers it`);
      }
    }
  }

  const views = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind IN ('v', 'm')
      AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'] OR c.reloptions @> ARRAY['security_invoker=on'], false)`.execute(
    db,
  );
  for (const v of views.rows) problems.push(`view ${v.name}: is not security_invoker`);

  const definers = await sql<{ name: string; pinned: boolean; public_exec: boolean }>`
    SELECT n.nspname || '.' || p.proname AS name,
           coalesce(EXISTS (SELECT 1 FROM unnest(p.proconfig) cfg WHERE cfg LIKE 'search\\_path=%'), false) AS pinned,
           (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')) AS public_exec
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname IN (${schema}, 'app')`.execute(db);
  for (const f of definers.rows) {
    if (!f.pinned) problems.push(`function ${f.name}: SECURITY DEFINER without a pinned search_path`);
    if (f.public_exec) problems.push(`function ${f.name}: SECURITY DEFINER executable by PUBLIC`);
  }

  for (const role of APP_ROLES) {
    const r = await sql<{ rolsuper: boolean; rolbypassrls: boolean; owns: number; tables: number }>`
      SELECT rolsuper, rolbypassrls,
             (SELECT count(*) FROM pg_class WHERE relowner = pg_roles.oid) AS tables,
             (SELECT count(*) FROM pg_class WHERE relowner = pg_roles.oid)
           + (SELECT count(*) FROM pg_proc WHERE proowner = pg_roles.oid)
           + (SELECT count(*) FROM pg_namespace WHERE nspowner = pg_roles.oid) AS owns
      FROM pg_roles WHERE rolname = ${role}`.execute(db);
    const row = r.rows[0];
    if (!row) {
      problems.push(`role ${role}: missing`);
      continue;
    }
    if (row.rolsuper) problems.push(`role ${role}: is superuser`);
    if (row.rolbypassrls) problems.push(`role ${role}: has BYPASSRLS`);
    // The request role owns nothing. The system role may own SECURITY DEFINER functions (checked
    // above), never tables.
    if (role === USER_ROLE && Number(row.owns) > 0) problems.push(`role ${role}: owns ${row.owns} object(s)`);
    if (Number(row.tables) > 0) problems.push(`role ${role}: owns ${row.tables} table(s)`);
  }
  return problems;
}
